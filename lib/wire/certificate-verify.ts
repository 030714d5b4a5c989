import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/**
 * RFC 5246 §7.4.8: a digitally-signed struct (§4.7): SignatureAndHashAlgorithm as
 * one uint16, then opaque signature<0..2^16-1> over the handshake messages so far.
 */
export interface CertificateVerify {
  signatureScheme: number;
  signature: Uint8Array;
}

export function encodeCertificateVerify(x: CertificateVerify): Uint8Array {
  return new Writer(4 + x.signature.length).uint16(x.signatureScheme).vector16(x.signature).finish();
}

export function decodeCertificateVerify(body: Uint8Array): Result<CertificateVerify> {
  return decode('CertificateVerify', body, (r) => ({
    signatureScheme: r.uint16('signature_algorithm'),
    signature: r.vector16('signature'),
  }));
}
