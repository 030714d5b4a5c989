/**
 * RFC 9147 §4.2.2: a DTLS 1.3 record carries only the low 8 or 16 bits of its sequence
 * number; the full number is the one with those low bits that is numerically closest to
 * `expected`, one plus the highest sequence number deprotected so far in the epoch (0 before
 * the first). Ties (exactly half the space away) go to the lower candidate. Never negative.
 */
export function reconstructSequenceNumber(expected: number, lowBits: number, bitLength: 8 | 16): number {
  const space = bitLength === 8 ? 0x100 : 0x10000;
  const half = space / 2;
  const candidate = expected - (expected % space) + lowBits;
  if (candidate > expected + half - 1 && candidate >= space) return candidate - space;
  if (candidate + half < expected) return candidate + space;
  return candidate;
}
