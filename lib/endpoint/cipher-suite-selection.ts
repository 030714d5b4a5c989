import { CIPHER_SUITES, cipherSuiteByName, type CipherSuite, type KeyExchange } from '../crypto/cipher-suites.js';
import { DtlsError } from '../dtls-error.js';

/**
 * The suites an endpoint uses: the ones the user named (IANA names, in their
 * order), or every implemented suite; in both cases only those whose key exchange
 * the endpoint has credentials for.
 */
export function selectCipherSuites(names: readonly string[] | undefined, usable: readonly KeyExchange[]): CipherSuite[] {
  const named = names?.map((name) => {
    const suite = cipherSuiteByName(name);
    if (!suite) {
      throw new DtlsError('EINVAL', `unknown cipher suite ${name}; known: ${CIPHER_SUITES.map((s) => s.name).join(', ')}`);
    }
    return suite;
  });
  const suites = (named ?? CIPHER_SUITES).filter((s) => usable.includes(s.keyExchange));
  if (suites.length === 0) {
    throw new DtlsError('ECREDENTIALS', `no cipher suite can be used with the credentials given (they allow ${usable.join(', ') || 'nothing'})`);
  }
  return suites;
}
