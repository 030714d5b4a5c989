// RFC 8446 §4.4.2: the 1.3 Certificate message, unchanged in DTLS 1.3:
//   struct { opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>; } CertificateEntry;
//   struct { opaque certificate_request_context<0..2^8-1>;
//            CertificateEntry certificate_list<0..2^24-1>; } Certificate;
// With raw public keys (RFC 7250) an entry's data is the DER SubjectPublicKeyInfo instead
// of a certificate, in the same shape, so one codec serves both: unlike 1.2's
// RawPublicKeyCertificate there is no separate form.
import { decodeExtensions, writeExtensions } from './extensions.js';
import type { Extension } from './extension-type.js';
import { decode, type Reader } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

export interface CertificateEntry13 {
  /** A DER certificate, or a DER SubjectPublicKeyInfo for raw public keys (a view on decode). */
  data: Uint8Array;
  /** Per-entry extensions (status_request, signed_certificate_timestamp...); usually none. */
  extensions: Extension[];
}

export interface Certificate13 {
  /** Empty in the handshake; a post-handshake answer echoes the CertificateRequest's context. */
  context: Uint8Array;
  /** The sender's own certificate (or key) first; empty when a client has none to offer. */
  entries: CertificateEntry13[];
}

export function encodeCertificate13(x: Certificate13): Uint8Array {
  const w = new Writer(4 + x.context.length + x.entries.reduce((n, e) => n + 5 + e.data.length, 0));
  w.vector8(x.context);
  w.vector24((list) => {
    for (const entry of x.entries) {
      if (entry.data.length === 0) throw new RangeError('cert_data must not be empty');
      list.vector24(entry.data);
      writeExtensions(list, entry.extensions);
    }
  });
  return w.finish();
}

const readEntry = (r: Reader): CertificateEntry13 => ({ data: r.vector24('cert_data', 1), extensions: decodeExtensions(r) });

/**
 * An empty certificate_list is valid: it is how a 1.3 client without a suitable
 * certificate answers a CertificateRequest (RFC 8446 §4.4.2.4); the handshake decides.
 */
export function decodeCertificate13(body: Uint8Array): Result<Certificate13> {
  return decode('Certificate13', body, (r) => ({
    context: r.vector8('certificate_request_context'),
    entries: r.list24('certificate_list', readEntry),
  }));
}
