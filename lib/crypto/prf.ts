import { KeyedHmac } from './keyed-hmac.js';
import type { HashAlgorithm } from './hash.js';

/**
 * The TLS 1.2 PRF (RFC 5246 §5), which DTLS 1.2 uses unchanged (RFC 6347 §4.2):
 *
 *   PRF(secret, label, seed) = P_<hash>(secret, label + seed)
 *   P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
 *   A(0) = seed, A(i) = HMAC(secret, A(i-1))
 *
 * iterated as far as `length` needs and truncated. The label is ASCII with no
 * length byte and no terminating NUL.
 */
export function prf(
  alg: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  checkLength(length);
  const keyed = new Prf(alg, secret);
  try {
    return keyed.compute(label, seed, length);
  } finally {
    keyed.destroy();
  }
}

/**
 * The PRF under one secret, for several labels and seeds: every HMAC of P_hash has the
 * same key, and the master secret also serves the key block and both Finished messages,
 * so the HMAC is keyed once for all of them.
 */
export class Prf {
  private readonly mac: KeyedHmac;

  constructor(
    readonly algorithm: HashAlgorithm,
    secret: Uint8Array,
  ) {
    this.mac = new KeyedHmac(algorithm, secret);
  }

  compute(label: string, seed: Uint8Array, length: number): Uint8Array {
    checkLength(length);
    const labelAndSeed = new Uint8Array(label.length + seed.length);
    for (let i = 0; i < label.length; i++) {
      const code = label.charCodeAt(i);
      if (code > 0x7f) throw new RangeError('prf: the label must be ASCII');
      labelAndSeed[i] = code;
    }
    labelAndSeed.set(seed, label.length);
    const out = new Uint8Array(length);
    if (length === 0) return out;
    const { mac } = this;
    const n = mac.outputLength;
    const a = new Uint8Array(n);
    mac.macInto(a, labelAndSeed);
    for (let filled = 0; ; ) {
      if (length - filled >= n) {
        mac.macInto(out.subarray(filled, filled + n), a, labelAndSeed);
        filled += n;
      } else {
        const block = mac.mac(a, labelAndSeed);
        out.set(block.subarray(0, length - filled), filled);
        block.fill(0);
        filled = length;
      }
      if (filled === length) break;
      mac.macInto(a, a);
    }
    a.fill(0);
    return out;
  }

  /** Wipes the keyed HMAC; compute() throws afterwards. */
  destroy(): void {
    this.mac.destroy();
  }
}

function checkLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`prf: bad output length ${length}`);
}
