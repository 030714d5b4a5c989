import type { Observer } from 'rxjs';
import type { HandshakeStep } from '../handshake/handshake-step.js';
import type { ReadEpochs } from '../record/read-epochs.js';
import type { WriteEpochs } from '../record/write-epochs.js';

/** Where a connection's keys go: its two epoch sets, and the signal `decrypt` waits on. */
export interface KeyInstallTarget {
  /** Receives the step's read key, to unprotect records of the new epoch. */
  readonly readEpochs: ReadEpochs;
  /** Receives the step's write key and suite, to protect records of the new epoch. */
  readonly writeEpochs: WriteEpochs;
  /** Told once the keys are in, so `decrypt` (its `keysInstalled$`) retries the records it held for them. */
  readonly keysInstalled?: Pick<Observer<void>, 'next'>;
}

/**
 * Installs the epoch keys a handshake step yields (`step.keys`, after the key
 * exchange): the write keys for our next ChangeCipherSpec and records after it, the
 * read keys for the peer's, then tells `decrypt` so a Finished that overtook its
 * ChangeCipherSpec is read now (RFC 6347 §4.1). A step without keys changes nothing.
 * Returns whether keys were installed.
 *
 * @example
 * const keysInstalled = new Subject<void>();
 * const records$ = datagrams$.pipe(decodeRecords(), decrypt({ epochs: readEpochs, keysInstalled$: keysInstalled, maxHeldRecords: 32 }));
 * // for every step of the state machine:
 * installKeys(step, { readEpochs, writeEpochs, keysInstalled });
 */
export function installKeys(step: HandshakeStep, target: KeyInstallTarget): boolean {
  const { keys } = step;
  if (keys === undefined) return false;
  target.writeEpochs.install(keys.write, keys.suite);
  target.readEpochs.install(keys.read);
  target.keysInstalled?.next();
  return true;
}
