import { CIPHER_SUITES, cipherSuiteByName, type KeyExchange } from '../crypto/cipher-suites.js';
import { TLS13_CIPHER_SUITES, tls13CipherSuiteByName } from '../crypto/tls13-cipher-suites.js';
import { UsageError } from './usage-error.js';

/** What a suite of each key exchange needs that the command line lacks, as the rest of "--cipher NAME ...". */
export type MissingCredential = (keyExchange: KeyExchange) => string;

/**
 * --cipher A,B --cipher C: IANA names in order of preference. Each must be a
 * suite rx-dtls implements and one the credentials given can use (`usable`):
 * the library would quietly drop the others, and a suite named on purpose
 * deserves an error that says what it lacks.
 */
export function parseCipherList(lists: readonly string[], usable: readonly KeyExchange[], missing: MissingCredential): string[] {
  const names = lists.flatMap((list) => list.split(',')).map((name) => name.trim());
  for (const name of names) {
    // A DTLS 1.3 suite is only an AEAD and a hash: any credentials go with it (--dtls 1.3).
    if (tls13CipherSuiteByName(name)) continue;
    const suite = cipherSuiteByName(name);
    if (!suite) {
      throw new UsageError(`--cipher "${name}" is not a suite rx-dtls knows; use IANA names: ${[...CIPHER_SUITES, ...TLS13_CIPHER_SUITES].map((s) => s.name).join(', ')}`);
    }
    if (!usable.includes(suite.keyExchange)) throw new UsageError(`--cipher ${name} ${missing(suite.keyExchange)}`);
  }
  return names;
}
