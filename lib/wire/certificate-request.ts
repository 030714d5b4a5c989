import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** RFC 5246 §7.4.4 and RFC 8422 §5.5 ClientCertificateType values. */
export const ClientCertificateType = {
  rsa_sign: 1,
  ecdsa_sign: 64,
} as const;
export type ClientCertificateType = (typeof ClientCertificateType)[keyof typeof ClientCertificateType];

/** RFC 5246 §7.4.4. */
export interface CertificateRequest {
  certificateTypes: number[];
  /** SignatureAndHashAlgorithm pairs, each read as one uint16. */
  signatureSchemes: number[];
  /** DER DistinguishedNames of acceptable CAs (views); often empty. */
  certificateAuthorities: Uint8Array[];
}

export function encodeCertificateRequest(x: CertificateRequest): Uint8Array {
  if (x.certificateTypes.length === 0) throw new RangeError('certificate_types must not be empty');
  return new Writer()
    .vector8((l) => x.certificateTypes.forEach((t) => l.uint8(t)))
    .vector16((l) => x.signatureSchemes.forEach((s) => l.uint16(s)))
    .vector16((l) => {
      for (const dn of x.certificateAuthorities) {
        if (dn.length === 0) throw new RangeError('a DistinguishedName must not be empty');
        l.vector16(dn);
      }
    })
    .finish();
}

/**
 * ClientCertificateType certificate_types<1..2^8-1>;
 * SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1> (the RFC gives no
 * lower bound here, so an empty list decodes and the handshake decides);
 * DistinguishedName certificate_authorities<0..2^16-1>, each opaque<1..2^16-1>.
 */
export function decodeCertificateRequest(body: Uint8Array): Result<CertificateRequest> {
  return decode('CertificateRequest', body, (r) => ({
    certificateTypes: r.list8('certificate_types', (i) => i.uint8('certificate_type'), 1),
    signatureSchemes: r.list16('supported_signature_algorithms', (i) => i.uint16('signature_algorithm')),
    certificateAuthorities: r.list16('certificate_authorities', (i) => i.vector16('DistinguishedName', 1)),
  }));
}
