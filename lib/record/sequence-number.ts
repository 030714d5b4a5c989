/** RFC 6347 §4.1: sequence_number is a uint48, so 2^48 - 1 is the last usable value in an epoch. */
export const MAX_SEQUENCE_NUMBER = 2 ** 48 - 1;
/** RFC 6347 §4.1: epoch is a uint16. */
export const MAX_EPOCH = 0xffff;

export function isSequenceNumber(seq: number): boolean {
  return Number.isInteger(seq) && seq >= 0 && seq <= MAX_SEQUENCE_NUMBER;
}

export function isEpoch(epoch: number): boolean {
  return Number.isInteger(epoch) && epoch >= 0 && epoch <= MAX_EPOCH;
}

/**
 * Writes the 64-bit value DTLS uses wherever TLS uses its implicit sequence
 * number (MAC/AEAD additional data, AEAD nonces): epoch(2) || sequence_number(6)
 * (RFC 6347 §4.1.2.1, RFC 6655 §3, RFC 7905 §2).
 */
export function writeEpochAndSequence(out: Uint8Array, offset: number, epoch: number, seq: number): void {
  const high = Math.floor(seq / 2 ** 32); // upper 16 bits of the 48-bit number
  const low = seq >>> 0;
  out[offset] = epoch >>> 8;
  out[offset + 1] = epoch & 0xff;
  out[offset + 2] = high >>> 8;
  out[offset + 3] = high & 0xff;
  out[offset + 4] = low >>> 24;
  out[offset + 5] = (low >>> 16) & 0xff;
  out[offset + 6] = (low >>> 8) & 0xff;
  out[offset + 7] = low & 0xff;
}
