import { CIPHER_SUITES, cipherSuiteByName, type CipherSuite, type KeyExchange } from '../crypto/cipher-suites.js';
import { TLS13_CIPHER_SUITES, tls13CipherSuiteByName, type Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import { DtlsError } from '../dtls-error.js';

/**
 * The 1.2 suites an endpoint uses: the ones the user named (IANA names, in their
 * order; 1.3 names are for {@link selectTls13CipherSuites}), or every implemented suite;
 * in both cases only those whose key exchange the endpoint has credentials for.
 */
export function selectCipherSuites(names: readonly string[] | undefined, usable: readonly KeyExchange[]): CipherSuite[] {
  const named = names?.filter((name) => !tls13CipherSuiteByName(name)).map((name) => {
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

/**
 * The 1.3 suites an endpoint uses: those the user named among `names` (in their order), or
 * all five (RFC 8446 §B.4) when none was named at all. A 1.3 suite says nothing about the
 * key exchange, so credentials do not narrow them.
 */
export function selectTls13CipherSuites(names: readonly string[] | undefined): Tls13CipherSuite[] {
  if (names === undefined) return [...TLS13_CIPHER_SUITES];
  const suites = names.flatMap((name) => tls13CipherSuiteByName(name) ?? []);
  if (suites.length === 0) {
    throw new DtlsError('EINVAL', `DTLS 1.3 needs a 1.3 suite among cipherSuites; known: ${TLS13_CIPHER_SUITES.map((s) => s.name).join(', ')}`);
  }
  return suites;
}
