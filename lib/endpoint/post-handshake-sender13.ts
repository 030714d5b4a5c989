import { Subject, type Subscription } from 'rxjs';
import { DtlsError } from '../dtls-error.js';
import { retransmit } from '../operators/retransmit.js';
import type { RecordNumber } from '../wire/ack.js';
import { ContentType } from '../wire/constants.js';
import { PeerSilence } from './peer-silence.js';
import type { RecordLayer13 } from './record-layer13.js';
import type { SessionOptions } from './session-options.js';

/** A post-handshake message of ours (a KeyUpdate, a NewSessionTicket) to be delivered. */
export interface PostHandshakeMessage {
  /** What it is, for an error ("our KeyUpdate"). */
  readonly name: string;
  /** The handshake message, header included: its message_seq stays the same in every copy. */
  readonly message: Uint8Array;
  /** Runs once the peer acknowledged a record that carried it. */
  readonly acknowledged: () => void;
}

/** What the sender needs of its session. */
export interface PostHandshakeSenderContext {
  readonly records: RecordLayer13;
  readonly options: SessionOptions;
  readonly peerName: string;
  readonly transmit: (datagram: Uint8Array) => void;
  /** Ends the session: the peer never acknowledged. */
  readonly fail: (error: DtlsError) => void;
}

interface Sending {
  readonly item: PostHandshakeMessage;
  /** Every record that carried it: an ACK of any one is an ACK of the message (RFC 9147 §7). */
  readonly numbers: RecordNumber[];
  readonly since: number;
  /** What the retransmission timer runs on; never final, so it is resent on the timer. */
  readonly flight: { readonly final: false };
}

/**
 * Delivers an established DTLS 1.3 session's post-handshake messages (RFC 9147 §5.8.4): each
 * goes out in a record of our current epoch and is retransmitted, each copy in a new record,
 * on the RFC 6347 timers (the handshake's `retransmit` settings, on the session's scheduler)
 * until the peer acknowledges one of its records (§7); no timer runs while nothing is
 * pending. One at a time, in order: a KeyUpdate (at most one outstanding, §8) changes our
 * epoch only once acknowledged, so what waits behind it goes out in the new epoch.
 *
 * A peer that never acknowledges is given up on by the handshake's rules: `maxSilentTimeouts`
 * expiries in a row with nothing heard from it, or `handshakeTimeout` after the message first
 * went out; the session then fails with ETIMEDOUT.
 */
export class PostHandshakeSender13 {
  private readonly queue: PostHandshakeMessage[] = [];
  private sending?: Sending;
  private readonly flights = new Subject<Sending['flight'] | null>();
  private readonly subscription: Subscription;
  private readonly silence: PeerSilence;

  constructor(private readonly context: PostHandshakeSenderContext) {
    const { options } = context;
    this.silence = new PeerSilence(options.maxSilentTimeouts, () => options.scheduler.now(), true);
    this.subscription = this.flights.pipe(retransmit({ ...options.retransmit, scheduler: options.scheduler })).subscribe((t) => this.transmit(t.reason === 'timeout'));
  }

  /** Whether a message is waiting for its ACK (or behind one that is). */
  get pending(): boolean {
    return this.sending !== undefined;
  }

  /** Sends `item` once those before it are acknowledged. */
  send(item: PostHandshakeMessage): void {
    this.queue.push(item);
    if (this.sending === undefined) this.next();
  }

  /** A record from the peer authenticated: it is not silent. */
  heard(): void {
    this.silence.heard();
  }

  /** The record numbers of an ACK from the peer. */
  onAck(numbers: readonly RecordNumber[]): void {
    const sending = this.sending;
    if (!sending || !numbers.some((n) => sending.numbers.some((m) => m.epoch === n.epoch && m.sequenceNumber === n.sequenceNumber))) return;
    this.sending = undefined;
    this.flights.next(null);
    sending.item.acknowledged();
    this.next();
  }

  /** Stops the timer; nothing more is sent. */
  stop(): void {
    this.queue.length = 0;
    this.sending = undefined;
    this.subscription.unsubscribe();
  }

  private next(): void {
    const item = this.queue.shift();
    if (item === undefined || this.subscription.closed) return;
    this.sending = { item, numbers: [], since: this.context.options.scheduler.now(), flight: { final: false } };
    this.flights.next(this.sending.flight);
  }

  private transmit(onTimeout: boolean): void {
    const { sending, context } = this;
    if (!sending) return;
    if (onTimeout) {
      const { handshakeTimeout, scheduler } = context.options;
      const error =
        this.silence.timedOut(context.peerName, sending.item.name) ??
        (scheduler.now() - sending.since >= handshakeTimeout
          ? new DtlsError('ETIMEDOUT', `${context.peerName} did not acknowledge ${sending.item.name} in ${handshakeTimeout} ms`)
          : undefined);
      if (error) {
        this.stop();
        context.fail(error);
        return;
      }
    }
    const { records } = context;
    // RFC 9147 §4.5.3: a key at its AEAD limit seals nothing more (the peer let our KeyUpdate go unacknowledged that long).
    if (records.usage('write') === 'exhausted') {
      this.stop();
      context.fail(new DtlsError('ENOBUFS', `our key reached its AEAD limit before ${context.peerName} acknowledged ${sending.item.name}`));
      return;
    }
    const { record, number } = records.seal(records.writeEpoch, ContentType.handshake, sending.item.message);
    sending.numbers.push(number);
    context.transmit(record);
  }
}
