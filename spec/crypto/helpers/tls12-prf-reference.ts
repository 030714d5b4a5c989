import { createHmac } from 'node:crypto';

/**
 * An independent TLS 1.2 PRF (RFC 5246 §5) on node:crypto's HMAC, written straight from
 * the RFC's P_hash definition, to cross-check the implementation under test and to
 * confirm the transcription of published vectors.
 */
export function referencePrf(alg: 'sha256' | 'sha384', secret: Uint8Array, label: string, seed: Uint8Array, length: number): string {
  const labelAndSeed = Buffer.concat([Buffer.from(label, 'ascii'), seed]);
  const mac = (data: Buffer): Buffer => createHmac(alg, secret).update(data).digest();
  let out: Buffer = Buffer.alloc(0);
  let a: Buffer = labelAndSeed;
  while (out.length < length) {
    a = mac(a);
    out = Buffer.concat([out, mac(Buffer.concat([a, labelAndSeed]))]);
  }
  return out.subarray(0, length).toString('hex');
}
