import type { Observable, OperatorFunction } from 'rxjs';
import type { HandshakeBudget } from '../handshake/handshake-budget.js';
import type { PlainRecord, ReadEpochs } from '../record/read-epochs.js';
import type { RawRecord } from '../record/split-records.js';
import { operate } from './operate.js';

/** What decrypt needs: the read epochs, and when a next epoch's keys arrive. */
export interface DecryptOptions {
  /** The keys and replay windows of each epoch. */
  readonly epochs: ReadEpochs;
  /** Emits when keys for a new epoch were installed, so held records are tried again. */
  readonly keysInstalled$: Observable<unknown>;
  /** Most records of the next epoch held while its keys are unknown. */
  readonly maxHeldRecords: number;
  /** The handshake's byte budget, charged for the held records' bytes: a record it has no room for is dropped. */
  readonly budget?: HandshakeBudget;
  /** Called for each record dropped (replay, bad tag, unknown epoch, holding buffer full). */
  readonly onDropped?: (record: RawRecord) => void;
}

/**
 * Authenticates and decrypts records with the replay window of their epoch
 * (RFC 6347 §4.1.2.6). Records of the next epoch that arrive before its keys
 * (a Finished that overtook the ClientKeyExchange) are held, not lost, and
 * released once the keys are installed. Records that fail are dropped silently
 * (RFC 6347 §4.1.2.7).
 *
 * @example
 * const readEpochs = new ReadEpochs();
 * const keysInstalled = new Subject<void>(); // next() it after installKeys(step, ...)
 * const plain$ = datagrams$.pipe(decodeRecords(), decrypt({ epochs: readEpochs, keysInstalled$: keysInstalled, maxHeldRecords: 32 }));
 */
export function decrypt(options: DecryptOptions): OperatorFunction<RawRecord, PlainRecord> {
  const { epochs, keysInstalled$, maxHeldRecords, budget, onDropped } = options;
  return operate((subscriber, alsoSubscribe) => {
    let held: RawRecord[] = [];
    const release = (records: readonly RawRecord[]): void => budget?.release(records.reduce((n, r) => n + r.fragment.length, 0));
    const open = (record: RawRecord): void => {
      const result = epochs.open(record);
      if (result === 'future') {
        // A copy of the fragment (and of a CID), so a held record does not pin its whole datagram.
        if (held.length < maxHeldRecords && (budget?.charge(record.fragment.length) ?? true)) {
          const { header } = record;
          held.push({ header: header.cid === undefined ? header : { ...header, cid: header.cid.slice() }, fragment: record.fragment.slice() });
        } else {
          onDropped?.(record);
        }
      } else if (result === undefined) {
        onDropped?.(record);
      } else {
        subscriber.next(result);
      }
    };
    alsoSubscribe(keysInstalled$, {
      next() {
        const retry = held;
        held = [];
        release(retry);
        retry.forEach(open);
      },
    });
    return {
      next: open,
      teardown() {
        release(held);
        held = [];
      },
    };
  });
}
