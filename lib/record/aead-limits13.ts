import type { AeadAlgorithm } from '../crypto/aead.js';
import { MAX_SEQUENCE_NUMBER } from './sequence-number.js';

/** How many records one key may protect, and how many forged records one key may see fail, before it must be replaced. */
export interface AeadLimits {
  /** Records sealed under one key (confidentiality, RFC 8446 §5.5). */
  readonly protected: number;
  /** Records that failed authentication under one key (integrity, RFC 9147 §4.5.3). */
  readonly forgeries: number;
}

/**
 * Where an epoch's key stands against its limits: 'fresh'; 'update-advised' from half of a
 * limit on (RFC 9147 §4.5.3: initiate a KeyUpdate, with update_requested on the reading side,
 * before reaching it); 'exhausted' at the limit (the writer seals no more records; a reader
 * that reached its forgery limit opens no more records of that epoch and SHOULD close the
 * connection unless it already moved to a newer epoch).
 */
export type AeadUsage = 'fresh' | 'update-advised' | 'exhausted';

/**
 * The limits RFC 9147 §4.5.3 and its Appendix A give per AEAD:
 * - AES-GCM: 2^24.5 protected records (RFC 8446 §5.5), 2^36 forgeries;
 * - ChaCha20-Poly1305: no protection limit before the sequence numbers run out (RFC 8446
 *   §5.5; 2^48 here, where WriteEpoch13 stops), 2^36 forgeries;
 * - AES-CCM: 2^23 protected records, 2^23.5 forgeries (Appendix A.2, A.3);
 * - AES-CCM_8: 2^23 protected records and 2^7 forgeries, the figure of Appendix A.4 that keeps
 *   the margins of the other suites. RFC 9147 leaves CCM_8's forgery limit to the deployment
 *   (128 forged records end the key, an inexpensive denial of service): ReadEpochs13 takes others.
 */
export const AEAD_LIMITS: Readonly<Record<AeadAlgorithm, AeadLimits>> = Object.freeze({
  AES_128_GCM: { protected: Math.floor(2 ** 24.5), forgeries: 2 ** 36 },
  AES_256_GCM: { protected: Math.floor(2 ** 24.5), forgeries: 2 ** 36 },
  CHACHA20_POLY1305: { protected: MAX_SEQUENCE_NUMBER + 1, forgeries: 2 ** 36 },
  AES_128_CCM: { protected: 2 ** 23, forgeries: Math.floor(2 ** 23.5) },
  AES_128_CCM_8: { protected: 2 ** 23, forgeries: 2 ** 7 },
});

/** The usage of `count` against `limit`. */
export function aeadUsage(count: number, limit: number): AeadUsage {
  if (count >= limit) return 'exhausted';
  return count >= limit / 2 ? 'update-advised' : 'fresh';
}

/**
 * Thrown when an epoch's key has protected as many records as its AEAD allows (RFC 9147
 * §4.5.3, RFC 8446 §5.5): the session should have sent a KeyUpdate when WriteEpochs13.usage
 * said 'update-advised', so reaching this is a bug in the session logic, not a network event.
 */
export class KeyUsageExhaustedError extends Error {
  readonly code = 'EKEY_EXHAUSTED';

  constructor(readonly epoch: number) {
    super(`the key of epoch ${epoch} has protected as many records as its AEAD allows; update the keys before sending more`);
    this.name = 'KeyUsageExhaustedError';
  }
}
