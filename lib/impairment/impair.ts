import { Subscription, asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import type { Datagram } from '../transport/datagram.js';
import { operate } from '../operators/operate.js';
import { seededRandom } from './seeded-random.js';

/** What the impairment did to a datagram. */
export type ImpairmentKind = 'loss' | 'oversize' | 'corrupt' | 'duplicate' | 'reorder';

/** What impair does to the datagrams it passes, seeded so a run can be repeated. */
export interface ImpairOptions {
  /** The same seed and the same input give the same impairments. */
  readonly seed: number;
  /** Probability that a datagram is dropped. */
  readonly loss?: number;
  /** Probability that a datagram is delivered twice. */
  readonly duplicate?: number;
  /** Probability that a datagram is held back and delivered after the next one. */
  readonly reorder?: number;
  /** Probability that one bit of a datagram is flipped. */
  readonly corrupt?: number;
  /** Datagrams larger than this are dropped, as on a path with a smaller MTU than the sender assumes. */
  readonly maxDatagramSize?: number;
  /** Fixed one-way delay in ms. */
  readonly delay?: number;
  /** Extra delay drawn uniformly from [0, jitter) ms for each datagram; it reorders too. */
  readonly jitter?: number;
  /** A datagram held back for reordering goes out after this many ms if no other comes first (default 100). */
  readonly holdTime?: number;
  /** Delays and hold times run on this scheduler (a TestScheduler for virtual time). */
  readonly scheduler?: SchedulerLike;
  /** Told of each impairment, for specs and statistics. */
  readonly onImpairment?: (kind: ImpairmentKind, datagram: Datagram) => void;
}

/** Random numbers drawn per datagram, whatever the options, so one option does not shift the fates of others. */
const DRAWS_PER_DATAGRAM = 7;

/**
 * A seeded, deterministic simulation of a bad network for datagrams: loss,
 * duplication, reordering, bit corruption, an MTU, delay and jitter. Put it
 * between two endpoints (memoryLink's `link`) to check that DTLS copes with
 * what RFC 6347 §4.1.2.7 and §4.2.4 say datagram networks do.
 *
 * @example
 * // 10% loss and 50 ms each way, the same losses every run of seed 7.
 * const [a, b] = memoryLink(addressA, addressB, { scheduler, link: impair({ seed: 7, loss: 0.1, delay: 50, scheduler }) });
 */
export function impair(options: ImpairOptions): MonoTypeOperatorFunction<Datagram> {
  const loss = probability('loss', options.loss);
  const duplicate = probability('duplicate', options.duplicate);
  const reorder = probability('reorder', options.reorder);
  const corrupt = probability('corrupt', options.corrupt);
  const delay = milliseconds('delay', options.delay);
  const jitter = milliseconds('jitter', options.jitter);
  const holdTime = milliseconds('holdTime', options.holdTime ?? 100);
  const { maxDatagramSize = Infinity, scheduler = asyncScheduler, onImpairment } = options;

  return operate((subscriber) => {
    const random = seededRandom(options.seed);
    const timers = new Subscription();
    let pending = 0;
    let sourceDone = false;
    let held: { datagram: Datagram; timer: Subscription } | undefined;

    const completeIfDone = (): void => {
      if (sourceDone && pending === 0 && held === undefined) subscriber.complete();
    };
    const emit = (datagram: Datagram, extra: number): void => {
      const wait = delay + extra;
      if (wait === 0) {
        subscriber.next(datagram);
        return;
      }
      pending++;
      const action = scheduler.schedule(() => {
        timers.remove(action);
        pending--;
        subscriber.next(datagram);
        completeIfDone();
      }, wait);
      timers.add(action);
    };
    const release = (): void => {
      if (held === undefined) return;
      const { datagram, timer } = held;
      held = undefined;
      timer.unsubscribe();
      timers.remove(timer);
      emit(datagram, 0);
    };
    const hold = (datagram: Datagram): void => {
      const timer = scheduler.schedule(() => {
        release();
        completeIfDone();
      }, holdTime);
      timers.add(timer);
      held = { datagram, timer };
    };

    return {
      next(datagram) {
        const [lossDraw, corruptDraw, position, duplicateDraw, reorderDraw, jitter1, jitter2] = Array.from({ length: DRAWS_PER_DATAGRAM }, () => random());
        if (datagram.data.length > maxDatagramSize) {
          onImpairment?.('oversize', datagram);
          return;
        }
        if (lossDraw < loss) {
          onImpairment?.('loss', datagram);
          return;
        }
        let out = datagram;
        if (corruptDraw < corrupt && datagram.data.length > 0) {
          const bit = Math.floor(position * datagram.data.length * 8);
          const data = datagram.data.slice();
          data[bit >>> 3] ^= 1 << (bit & 7);
          out = { data, peer: datagram.peer };
          onImpairment?.('corrupt', out);
        }
        const copies = [out];
        if (duplicateDraw < duplicate) {
          copies.push({ data: out.data.slice(), peer: out.peer });
          onImpairment?.('duplicate', out);
        }
        const jitters = [jitter1, jitter2];
        if (reorderDraw < reorder && held === undefined) {
          onImpairment?.('reorder', out);
          hold(copies.shift()!);
          // A duplicate of the held datagram goes out now; the original follows later.
          copies.forEach((copy) => emit(copy, jitter2 * jitter));
          return;
        }
        copies.forEach((copy, i) => emit(copy, jitters[i] * jitter));
        // This datagram overtook the one held back, which goes out right after it.
        release();
      },
      complete() {
        sourceDone = true;
        release();
        completeIfDone();
      },
      teardown() {
        timers.unsubscribe();
        held = undefined;
      },
    };
  });
}

function probability(name: string, value = 0): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be a probability from 0 to 1, got ${value}`);
  return value;
}

function milliseconds(name: string, value = 0): number {
  if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`${name} must be a non-negative number of milliseconds, got ${value}`);
  return value;
}
