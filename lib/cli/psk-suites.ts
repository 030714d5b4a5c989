import { CIPHER_SUITES } from '../crypto/cipher-suites.js';

/** The suites the command line can use: it has pre-shared keys and no certificates. */
export const PSK_SUITE_NAMES: readonly string[] = CIPHER_SUITES.filter(
  (s) => s.keyExchange === 'PSK' || s.keyExchange === 'ECDHE_PSK',
).map((s) => s.name);
