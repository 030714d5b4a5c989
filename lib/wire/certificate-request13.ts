// RFC 8446 §4.3.2: the 1.3 CertificateRequest, unchanged in DTLS 1.3:
//   struct { opaque certificate_request_context<0..2^8-1>;
//            Extension extensions<2..2^16-1>; } CertificateRequest;
// What 1.2 carried in fields (signature algorithms, CA names) are extensions now:
// signature_algorithms is required (missing_extension otherwise, the handshake's check),
// signature_algorithms_cert and certificate_authorities optional.
import { decodeExtensions, writeExtensions } from './extensions.js';
import type { Extension } from './extension-type.js';
import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

export interface CertificateRequest13 {
  /** Empty in the handshake; chosen by the server for post-handshake authentication, echoed in the Certificate. */
  context: Uint8Array;
  extensions: Extension[];
}

export function encodeCertificateRequest13(x: CertificateRequest13): Uint8Array {
  if (x.extensions.length === 0) throw new RangeError('a CertificateRequest carries at least signature_algorithms');
  const w = new Writer();
  w.vector8(x.context);
  writeExtensions(w, x.extensions);
  return w.finish();
}

/** An empty extensions block is 'invalid' (extensions<2..2^16-1>). */
export function decodeCertificateRequest13(body: Uint8Array): Result<CertificateRequest13> {
  return decode('CertificateRequest13', body, (r) => {
    const context = r.vector8('certificate_request_context');
    const extensions = decodeExtensions(r);
    if (extensions.length === 0) r.fail('invalid', 'extensions');
    return { context, extensions };
  });
}
