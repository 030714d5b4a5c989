import type { RecordNumber } from '../wire/ack.js';

function key({ epoch, sequenceNumber }: RecordNumber): string {
  return `${epoch}/${sequenceNumber}`;
}

/**
 * Which of our flight's records the peer acknowledged (RFC 9147 §7, §5.8): a flight is cut
 * into records, one handshake fragment each; every sending gives a fragment a new record
 * number, and an ACK naming any of them means the fragment arrived. What is left to send
 * again on a timer is only what no ACK named (RFC 9147 §7 has a sender retransmit only the
 * records not acknowledged); once nothing is left, the flight needs no timer.
 */
export class FlightAcknowledgements {
  private readonly fragmentOf = new Map<string, number>();
  private readonly acknowledged: boolean[];
  private remaining: number;

  constructor(fragments: number) {
    this.acknowledged = new Array<boolean>(fragments).fill(false);
    this.remaining = fragments;
  }

  /** Fragment `index` went out in record `number`. */
  sent(index: number, number: RecordNumber): void {
    if (index < 0 || index >= this.acknowledged.length) throw new RangeError(`no fragment ${index} in this flight`);
    this.fragmentOf.set(key(number), index);
  }

  /** Takes an ACK; whether it acknowledged anything not acknowledged before. Numbers of records we never sent are ignored. */
  acknowledge(numbers: readonly RecordNumber[]): boolean {
    let progress = false;
    for (const number of numbers) {
      const index = this.fragmentOf.get(key(number));
      if (index === undefined || this.acknowledged[index]) continue;
      this.acknowledged[index] = true;
      this.remaining--;
      progress = true;
    }
    return progress;
  }

  /** Every fragment acknowledged. */
  get complete(): boolean {
    return this.remaining === 0;
  }

  /** The fragments a retransmission sends, in flight order. */
  pending(): number[] {
    return this.acknowledged.flatMap((done, index) => (done ? [] : [index]));
  }
}

/** Most record numbers one ACK names: a real flight is a handful of records; RFC 9147 §7 lets an ACK leave some out. */
export const MAX_ACKED_RECORDS = 64;

/**
 * The peer's handshake records received since our last ACK, to name in the next one
 * (RFC 9147 §7): each once, at most MAX_ACKED_RECORDS (the newest kept), in
 * (epoch, sequence) order.
 */
export class ReceivedRecords {
  private readonly numbers = new Map<string, RecordNumber>();

  /** A record holding handshake data arrived (opened and authenticated). */
  add(number: RecordNumber): void {
    const k = key(number);
    if (this.numbers.has(k)) return;
    if (this.numbers.size >= MAX_ACKED_RECORDS) this.numbers.delete(this.numbers.keys().next().value as string);
    this.numbers.set(k, number);
  }

  /** Whether any record waits to be acknowledged. */
  get pending(): boolean {
    return this.numbers.size > 0;
  }

  /** The record numbers for an ACK, sorted; the list starts empty again. */
  take(): RecordNumber[] {
    const taken = [...this.numbers.values()].sort((a, b) => a.epoch - b.epoch || a.sequenceNumber - b.sequenceNumber);
    this.numbers.clear();
    return taken;
  }
}
