import type { OperatorFunction } from 'rxjs';
import type { PlainRecord } from '../record/read-epochs.js';
import { decodeHandshakeFragments, type HandshakeFragment } from '../wire/handshake-header.js';
import { operate } from './operate.js';

/** A handshake fragment with the epoch of the record that carried it. */
export interface EpochFragment {
  /** The epoch of the record it came in. */
  readonly epoch: number;
  /** The fragment and its header. */
  readonly fragment: HandshakeFragment;
}

/**
 * Handshake records in, handshake fragments out (RFC 6347 §4.2.3: a record may
 * carry several). A record that does not decode is dropped whole.
 *
 * @example
 * const fragments$ = plain$.pipe(filter((r) => r.contentType === ContentType.handshake), decodeHandshake());
 */
export function decodeHandshake(onMalformed?: () => void): OperatorFunction<PlainRecord, EpochFragment> {
  return operate((subscriber) => ({
    next(record) {
      const decoded = decodeHandshakeFragments(record.payload);
      if (!decoded.ok) {
        onMalformed?.();
        return;
      }
      for (const fragment of decoded.value) subscriber.next({ epoch: record.epoch, fragment });
    },
  }));
}
