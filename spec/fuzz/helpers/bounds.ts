import { HandshakeBudget } from '../../../lib/handshake/handshake-budget.js';
import { Reassembler } from '../../../lib/handshake/reassembler.js';
import { Sequencer } from '../../../lib/handshake/sequencer.js';
import type { HandshakeFragment } from '../../../lib/wire/handshake-header.js';
import type { HandshakeMessage } from '../../../lib/handshake/handshake-message.js';

/** What the probes saw since they were installed or last reset. */
export interface BoundsReport {
  /** Largest bytes a reassembler held, and its configured bound at that moment. */
  maxReassemblerBytes: number;
  /** Largest number of byte ranges one partial message was tracked in. */
  maxRanges: number;
  /** Largest number and total bytes of future messages one sequencer held. */
  maxSequencerMessages: number;
  maxSequencerBytes: number;
  /** Largest bytes one handshake's budget held (everything it keeps from the peer). */
  maxHandshakeBytes: number;
  violations: string[];
}

interface ReassemblerInternals {
  readonly options: { readonly maxBufferedBytes: number };
  readonly partials: Map<number, { ranges: unknown[] }>;
}

interface SequencerInternals {
  readonly maxFutureMessages: number;
  readonly future: Map<number, { readonly message: HandshakeMessage }>;
}

/**
 * Watches every Reassembler, Sequencer and HandshakeBudget the endpoints create (the
 * pieces that hold handshake bytes per peer) by wrapping their input methods, and checks
 * after each input that they stay within their bounds: buffered bytes at most
 * maxBufferedBytes, future messages at most maxFutureMessages, a budget's bytes at most
 * its limit. Test instrumentation only: lib is unchanged, the prototypes are restored on dispose.
 */
export class BoundsProbe {
  readonly report: BoundsReport = emptyReport();
  private readonly originalAdd = Reassembler.prototype.add;
  private readonly originalPush = Sequencer.prototype.push;
  private readonly originalCharge = HandshakeBudget.prototype.charge;

  constructor() {
    const probe = this;
    const { originalAdd, originalPush, originalCharge } = this;
    Reassembler.prototype.add = function (this: Reassembler, fragment: HandshakeFragment) {
      const result = originalAdd.call(this, fragment);
      probe.checkReassembler(this);
      return result;
    };
    Sequencer.prototype.push = function (this: Sequencer, message: HandshakeMessage, epoch?: number) {
      const result = originalPush.call(this, message, epoch);
      probe.checkSequencer(this);
      return result;
    };
    HandshakeBudget.prototype.charge = function (this: HandshakeBudget, bytes: number) {
      const result = originalCharge.call(this, bytes);
      probe.checkBudget(this);
      return result;
    };
  }

  reset(): void {
    Object.assign(this.report, emptyReport());
  }

  dispose(): void {
    Reassembler.prototype.add = this.originalAdd;
    Sequencer.prototype.push = this.originalPush;
    HandshakeBudget.prototype.charge = this.originalCharge;
  }

  private checkReassembler(reassembler: Reassembler): void {
    const internals = reassembler as unknown as ReassemblerInternals;
    const bytes = reassembler.bufferedBytes;
    const report = this.report;
    report.maxReassemblerBytes = Math.max(report.maxReassemblerBytes, bytes);
    for (const partial of internals.partials.values()) report.maxRanges = Math.max(report.maxRanges, partial.ranges.length);
    if (bytes > internals.options.maxBufferedBytes || bytes < 0) {
      this.violation(`reassembler holds ${bytes} bytes, bound ${internals.options.maxBufferedBytes}`);
    }
  }

  private checkSequencer(sequencer: Sequencer): void {
    const internals = sequencer as unknown as SequencerInternals;
    const report = this.report;
    let bytes = 0;
    for (const { message } of internals.future.values()) bytes += message.body.length;
    report.maxSequencerMessages = Math.max(report.maxSequencerMessages, internals.future.size);
    report.maxSequencerBytes = Math.max(report.maxSequencerBytes, bytes);
    if (internals.future.size > internals.maxFutureMessages) {
      this.violation(`sequencer holds ${internals.future.size} future messages, bound ${internals.maxFutureMessages}`);
    }
  }

  private checkBudget(budget: HandshakeBudget): void {
    this.report.maxHandshakeBytes = Math.max(this.report.maxHandshakeBytes, budget.held);
    if (budget.held > budget.limit || budget.held < 0) this.violation(`a handshake holds ${budget.held} bytes, bound ${budget.limit}`);
  }

  private violation(text: string): void {
    if (this.report.violations.length < 10) this.report.violations.push(text);
  }
}

function emptyReport(): BoundsReport {
  return { maxReassemblerBytes: 0, maxRanges: 0, maxSequencerMessages: 0, maxSequencerBytes: 0, maxHandshakeBytes: 0, violations: [] };
}
