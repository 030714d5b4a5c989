import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** RFC 5246 §7.4.2: X.509 form. certificates[0] is the sender's own certificate. */
export interface Certificate {
  /** DER certificates, sender's first, each a view into the message. */
  certificates: Uint8Array[];
}

/** opaque ASN.1Cert<1..2^24-1>; ASN.1Cert certificate_list<0..2^24-1>. */
export function encodeCertificate(x: Certificate): Uint8Array {
  const w = new Writer();
  w.vector24((list) => {
    for (const cert of x.certificates) {
      if (cert.length === 0) throw new RangeError('a certificate must not be empty');
      list.vector24(cert);
    }
  });
  return w.finish();
}

/**
 * An empty list is valid: it is how a client without a suitable certificate answers a
 * CertificateRequest (RFC 5246 §7.4.6); whether that is acceptable is the handshake's call.
 */
export function decodeCertificate(body: Uint8Array): Result<Certificate> {
  return decode('Certificate', body, (r) => ({
    certificates: r.list24('certificate_list', (item) => item.vector24('ASN.1Cert', 1)),
  }));
}

/**
 * RFC 7250 §3: with the RawPublicKey certificate type the Certificate body is just
 * `opaque ASN.1_subjectPublicKeyInfo<1..2^24-1>`: one 3-byte length and the DER
 * SubjectPublicKeyInfo, with no certificate_list around it. That is what GnuTLS and
 * OpenSSL (tls_output_rpk) send for (D)TLS 1.2; TLS 1.3's CertificateEntry wrapping
 * does not apply. (spec/fixtures/wire/gnutls-rpk.hex holds a real one.)
 */
export function encodeRawPublicKeyCertificate(spki: Uint8Array): Uint8Array {
  if (spki.length === 0) throw new RangeError('SubjectPublicKeyInfo must not be empty');
  return new Writer(3 + spki.length).vector24(spki).finish();
}

/**
 * The SPKI is returned as DER bytes (a view); parsing it is the credentials layer's job.
 * A zero length is 'invalid' per RFC 7250 §3, although OpenSSL 3.2+ clients send it to
 * decline client authentication.
 */
export function decodeRawPublicKeyCertificate(body: Uint8Array): Result<{ spki: Uint8Array }> {
  return decode('RawPublicKeyCertificate', body, (r) => ({
    spki: r.vector24('ASN.1_subjectPublicKeyInfo', 1),
  }));
}
