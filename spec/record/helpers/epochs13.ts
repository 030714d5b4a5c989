import { TLS13_CIPHER_SUITES, type Tls13CipherSuite } from '../../../lib/crypto/tls13-cipher-suites.js';
import { ReadEpochs13, type ReadEpochs13Options } from '../../../lib/record/read-epochs13.js';
import { WriteEpochs13, type WriteEpochs13Options } from '../../../lib/record/write-epochs13.js';
import { ContentType } from '../../../lib/wire/constants.js';

/** A traffic secret per epoch and suite, Hash.length bytes, so both ends of a spec derive the same keys. */
export function secretFor(suite: Tls13CipherSuite, epoch: number): Uint8Array {
  return new Uint8Array(suite.hash === 'sha256' ? 32 : 48).fill(epoch * 16 + (suite.id & 0xf));
}

/** A writer and a reader of the same epochs of one direction. */
export function pair13(
  suite: Tls13CipherSuite = TLS13_CIPHER_SUITES[0],
  epochs: readonly number[] = [3],
  options: { write?: WriteEpochs13Options; read?: ReadEpochs13Options; cid?: Uint8Array } = {},
): { write: WriteEpochs13; read: ReadEpochs13 } {
  const write = new WriteEpochs13(options.write);
  const read = new ReadEpochs13({ cidLength: options.cid?.length ?? 0, ...options.read });
  for (const epoch of epochs) {
    write.install(epoch, suite, secretFor(suite, epoch), options.cid);
    read.install(epoch, suite, secretFor(suite, epoch), options.cid);
  }
  return { write, read };
}

/** Application data of one byte, in epoch 3 unless said. */
export const data13 = (byte: number, epoch = 3) => ({ epoch, contentType: ContentType.application_data, payload: Uint8Array.of(byte) });
