import { cipherSuiteByName, type CipherSuite } from '../../../lib/crypto/cipher-suites.js';
import { nobleProvider } from '../../../lib/crypto/provider.js';
import { aeadCipher, type RecordCipher } from '../../../lib/record/record-cipher.js';
import { splitRecords, type RawRecord } from '../../../lib/record/split-records.js';

export const SUITE: CipherSuite = cipherSuiteByName('TLS_PSK_WITH_AES_128_CCM_8')!;

/** The same epoch keys for both directions of a spec: what one side seals, the other opens. */
export function epochCipher(epoch = 1, suite = SUITE): RecordCipher {
  return aeadCipher(epoch, suite, new Uint8Array(suite.keyLength).fill(epoch + 1), new Uint8Array(suite.fixedIvLength).fill(9), nobleProvider.createAead.bind(nobleProvider));
}

/** The records of a datagram (which must all be well formed). */
export function records(datagram: Uint8Array): RawRecord[] {
  const { records: found, malformed } = splitRecords(datagram);
  if (malformed !== 0) throw new Error('spec built a malformed datagram');
  return found;
}
