import { Subject, Subscription, filter, tap, timer } from 'rxjs';
import { DtlsError, alertInfo } from '../dtls-error.js';
import type { ClientHandshake } from '../handshake/client-handshake.js';
import type { Flight } from '../handshake/flight.js';
import { HandshakeBudget } from '../handshake/handshake-budget.js';
import type { HandshakeMessage } from '../handshake/handshake-message.js';
import { NOTHING, type HandshakeStep, type HandshakeSummary, type MaybePromise } from '../handshake/handshake-step.js';
import { flightMessageNames } from '../handshake/message-names.js';
import { Reassembler } from '../handshake/reassembler.js';
import { Sequencer } from '../handshake/sequencer.js';
import type { ServerHandshake } from '../handshake/server-handshake.js';
import { decodeHandshake } from '../operators/decode-handshake.js';
import { decodeRecords } from '../operators/decode-records.js';
import { decrypt } from '../operators/decrypt.js';
import { encrypt } from '../operators/encrypt.js';
import { fragment } from '../operators/fragment.js';
import { installKeys } from '../operators/install-keys.js';
import { pack } from '../operators/pack.js';
import { reassemble } from '../operators/reassemble.js';
import { retransmit } from '../operators/retransmit.js';
import { sequence, type SequencedEpochMessage } from '../operators/sequence.js';
import type { PlainRecord, ReadEpochs } from '../record/read-epochs.js';
import type { WriteEpochs } from '../record/write-epochs.js';
import { AlertDescription, AlertLevel } from '../wire/alert.js';
import { decodeChangeCipherSpec } from '../wire/change-cipher-spec.js';
import { ContentType, HANDSHAKE_HEADER_LENGTH, HandshakeType } from '../wire/constants.js';
import type { SessionEvent } from './session-event.js';
import type { SessionOptions } from './session-options.js';

export type Handshake = ClientHandshake | ServerHandshake;

/** Handshake inputs queued behind an async step (a PSK lookup, a trust callback) at most. */
const MAX_WAITING_INPUTS = 32;

/** What the driver needs from its session. */
export interface HandshakeHost {
  readonly role: 'client' | 'server';
  readonly peerName: string;
  readonly options: SessionOptions;
  readonly readEpochs: ReadEpochs;
  readonly writeEpochs: WriteEpochs;
  transmit(datagram: Uint8Array): void;
  /** A record that is not the handshake's: an alert or application data. */
  onRecord(record: PlainRecord): void;
  /** A record from the peer decoded and, if protected, authenticated. */
  onHeard(): void;
  /** `count` records (default 1) were dropped. */
  onDropped(count?: number): void;
  emit(event: SessionEvent): void;
  sendAlert(level: number, description: number): void;
  /** Both Finished verified. `finalFlight` is the server's last flight, which it must still resend when asked (RFC 6347 §4.2.4). */
  onEstablished(summary: HandshakeSummary, finalFlight: Flight | undefined): void;
  fail(error: DtlsError): void;
}

/**
 * The part of a session that lives only while it handshakes. Datagrams flow
 * through decodeRecords -> decrypt -> decodeHandshake -> reassemble -> sequence
 * into the flight state machine; its flights flow through retransmit ->
 * fragment -> encrypt -> pack to the peer. The session drops the whole driver
 * once established, so an idle session keeps only its record state.
 */
export class HandshakeDriver {
  /** Whether our ChangeCipherSpec went out: before it, the peer can read only epoch 0. */
  sentChangeCipherSpec = false;
  /** Whether a handshake message of ours went out in fragments (RFC 6347 §4.2.3) to fit the mtu. */
  sentFragments = false;

  private readonly input = new Subject<Uint8Array>();
  private readonly flights = new Subject<Flight | null>();
  private readonly resendNow = new Subject<void>();
  private readonly keysInstalled = new Subject<void>();
  private readonly handshakeRecords = new Subject<PlainRecord>();
  private readonly subscriptions = new Subscription();
  private readonly sequencer: Sequencer;
  private readonly reassembler: Reassembler;
  /** The first message_seq of the peer's flight we are waiting for. */
  private peerFlightStart: number;
  /**
   * The first message_seq of the peer's previous flight: the one our last flight
   * answered. When it shows up again the peer is retransmitting that flight, which
   * means ours was lost (RFC 6347 §4.2.4). Only that one message triggers a resend,
   * so a flight spread over several datagrams draws one resend, not one per datagram.
   * Undefined while our last flight answered nothing (the client's first ClientHello):
   * a copy of a message of the flight still arriving is no sign of loss.
   */
  private peerPreviousFlightStart?: number;
  private staleSeen = false;
  private lastFlight?: Flight;
  private busy = false;
  private stopped = false;
  private established = false;
  private readonly waiting: Array<() => MaybePromise<HandshakeStep>> = [];
  /** Protected records that failed to authenticate: during a handshake, the sign of a wrong key. */
  private unauthenticated = 0;

  constructor(
    /** The flight state machine; released once established, with its transcript and secrets. */
    private handshake: Handshake | undefined,
    private readonly host: HandshakeHost,
    firstReceiveSeq: number,
    /**
     * What every stage that holds the peer's bytes charges (maxHandshakeBufferBytes): partial
     * messages, messages held for later, next-epoch records, messages handed to the state
     * machine. Closed when the driver stops.
     */
    readonly budget = new HandshakeBudget(host.options.maxHandshakeBufferBytes),
  ) {
    const { options } = host;
    // Half of the budget at most for messages being reassembled: the largest message accepted.
    const half = options.maxHandshakeBufferBytes / 2;
    this.reassembler = new Reassembler({
      maxBufferedBytes: half,
      maxMessageLength: half,
      // From the peer's previous flight (whose retransmission tells us ours was lost) up to the sequencer's window.
      window: () => ({ min: this.oldestWantedSeq, max: this.sequencer.expected + options.maxFutureHandshakeMessages }),
      onDropped: () => host.onDropped(),
      budget,
    });
    this.sequencer = new Sequencer(firstReceiveSeq, options.maxFutureHandshakeMessages, budget);
    // A server's first flight answers the ClientHello that passed the cookie gate.
    this.peerFlightStart = host.role === 'server' ? firstReceiveSeq - 1 : 0;
    this.wireReceive();
    this.wireSend();
  }

  /** The oldest message_seq worth reassembling: the peer's previous flight, whose retransmission tells us ours was lost. */
  private get oldestWantedSeq(): number {
    return this.peerPreviousFlightStart ?? this.peerFlightStart;
  }

  /** Starts the handshake timer and the state machine: the client's first flight, or the server's answer to the verified ClientHello. */
  start(): void {
    this.subscriptions.add(timer(this.host.options.handshakeTimeout, this.host.options.scheduler).subscribe(() => this.onTimeout()));
    this.run(() => this.handshake?.start() ?? NOTHING);
  }

  /** Feeds one datagram from the peer. */
  receive(datagram: Uint8Array): void {
    this.staleSeen = false;
    this.input.next(datagram);
    // RFC 6347 §4.2.4: the peer retransmitting its previous flight means ours was lost.
    if (this.staleSeen) this.resendNow.next();
  }

  /**
   * Tears down every stage and timer and lets go of everything the handshake held:
   * inputs still queued, messages and fragments waiting for their turn, the last
   * flight. A pending async step (a lookup that never answers) may keep the stopped
   * driver itself reachable, but then it holds nothing of the peer's.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.handshake = undefined;
    this.lastFlight = undefined;
    this.waiting.length = 0;
    // Unsubscribing also drops the records decrypt held for the next epoch.
    this.subscriptions.unsubscribe();
    this.sequencer.expect(Number.POSITIVE_INFINITY);
    this.reassembler.discardBelow(Number.POSITIVE_INFINITY);
    this.budget.close();
  }

  private onTimeout(): void {
    // RFC 6347 §4.1.2.7 drops records that fail to authenticate without an alert, so a
    // wrong pre-shared key shows only as a timeout; say so when that is what we saw.
    const hint =
      this.unauthenticated > 0
        ? ` (${this.unauthenticated} protected records from the peer did not authenticate: a wrong pre-shared key?)`
        : this.sentChangeCipherSpec && this.host.role === 'client'
          ? ' (the server never answered our Finished: a wrong pre-shared key?)'
          : this.sentFragments
            ? ` (${fragmentsHint(this.host.options.mtu)})`
            : '';
    // §4.1.2.7 also lets us say bad_record_mac about them; the peer would otherwise
    // retransmit to a session that is gone.
    if (this.unauthenticated > 0) this.host.sendAlert(AlertLevel.fatal, AlertDescription.bad_record_mac);
    const { handshakeTimeout } = this.host.options;
    this.host.fail(new DtlsError('ETIMEDOUT', `handshake with ${this.host.peerName} did not complete in ${handshakeTimeout} ms${hint}`));
  }

  private wireReceive(): void {
    const { host } = this;
    const records$ = this.input.pipe(
      decodeRecords((count) => host.onDropped(count)),
      decrypt({
        epochs: host.readEpochs,
        keysInstalled$: this.keysInstalled,
        maxHeldRecords: host.options.maxHeldRecords,
        budget: this.budget,
        onDropped: (record) => {
          host.onDropped();
          if (record.header.epoch > 0) this.unauthenticated++;
        },
      }),
    );
    this.subscriptions.add(
      records$.subscribe((record) => {
        host.onHeard();
        if (this.established) host.onRecord(record);
        else if (record.contentType === ContentType.handshake) this.handshakeRecords.next(record);
        else if (record.contentType === ContentType.change_cipher_spec) this.onChangeCipherSpec(record);
        else host.onRecord(record);
      }),
    );
    this.subscriptions.add(
      this.handshakeRecords
        .pipe(
          decodeHandshake(() => host.onDropped()),
          reassemble(this.reassembler),
          // RFC 5246 §7.4.9: a Finished is protected with the new keys; an unprotected one is
          // a forgery, dropped before it can take the Finished's place in the sequence.
          filter(({ epoch, message }) => {
            const forged = epoch === 0 && message.msgType === HandshakeType.finished;
            if (forged) host.onDropped();
            return !forged;
          }),
          sequence(this.sequencer),
        )
        .subscribe((m) => this.onHandshakeMessage(m)),
    );
  }

  private wireSend(): void {
    const { host } = this;
    let messages = 0;
    this.subscriptions.add(
      this.flights
        .pipe(
          retransmit({ ...host.options.retransmit, resendNow$: this.resendNow, scheduler: host.options.scheduler }),
          tap((t) => {
            messages = t.flight.entries.filter((e) => e.kind === 'handshake').length;
            const names = flightMessageNames(t.flight);
            host.emit(
              t.attempt === 0
                ? { type: 'flight-sent', flight: t.flight.number, messages: names }
                : { type: 'retransmit', flight: t.flight.number, messages: names, attempt: t.attempt, reason: t.reason === 'peer' ? 'peer' : 'timeout' },
            );
          }),
          fragment({ maxDatagramSize: host.options.mtu, overhead: (epoch) => host.writeEpochs.overhead(epoch) }),
          tap((records) => {
            // More handshake records than messages: one went out in fragments.
            if (records.filter((r) => r.contentType === ContentType.handshake).length > messages) this.sentFragments = true;
          }),
          encrypt(host.writeEpochs),
          pack(host.options.mtu),
        )
        .subscribe((datagrams) => datagrams.forEach((d) => host.transmit(d))),
    );
  }

  private onChangeCipherSpec(record: PlainRecord): void {
    if (record.epoch !== 0 || !decodeChangeCipherSpec(record.payload).ok) {
      this.host.onDropped();
      return;
    }
    this.run(() => this.handshake?.onChangeCipherSpec() ?? NOTHING);
  }

  private onHandshakeMessage({ kind, message }: SequencedEpochMessage): void {
    if (kind === 'stale') {
      if (message.messageSeq === this.peerPreviousFlightStart) this.staleSeen = true;
      return;
    }
    const kept = this.keep(message);
    if (kept === undefined) {
      this.host.onDropped();
      return;
    }
    this.run(() => this.handshake?.onMessage(kept) ?? NOTHING);
  }

  /**
   * A message for the state machine, charged to the budget for as long as the handshake
   * lives: the state machine copies it into its transcript and may keep fields of it (a PSK
   * identity, a certificate), and it may wait in the queue behind an async step. So it is
   * charged twice, and is a copy when its body is a view into a larger buffer (a datagram).
   * Undefined when the budget has no room.
   */
  private keep(message: HandshakeMessage): HandshakeMessage | undefined {
    if (!this.budget.charge(2 * message.body.length + HANDSHAKE_HEADER_LENGTH)) return undefined;
    const { body } = message;
    return body.byteLength === body.buffer.byteLength ? message : { ...message, body: body.slice() };
  }

  /**
   * Runs state machine inputs strictly in arrival order, one at a time, waiting
   * for async steps (a PSK looked up in a database, a trust callback). Inputs that
   * arrive meanwhile, including records released by newly installed keys, queue
   * behind the ones already waiting.
   */
  private run(input: () => MaybePromise<HandshakeStep>): void {
    // While an async step is pending, a peer (or a spoofer) could queue without end: a
    // genuine flight is a handful of inputs, so beyond a bound they are dropped.
    if (this.waiting.length >= MAX_WAITING_INPUTS) {
      this.host.onDropped();
      return;
    }
    this.waiting.push(input);
    if (!this.busy) this.drain();
  }

  private drain(): void {
    this.busy = true;
    while (this.waiting.length > 0 && !this.stopped) {
      const step = this.waiting.shift()!();
      if (step instanceof Promise) {
        step.then(
          (s) => this.afterAsync(s),
          (err) => this.afterAsync({ failure: { alert: AlertDescription.internal_error, reason: String(err) } }),
        );
        return;
      }
      this.apply(step);
    }
    this.busy = false;
  }

  private afterAsync(step: HandshakeStep): void {
    if (this.stopped) return;
    this.apply(step);
    this.drain();
  }

  private apply(step: HandshakeStep): void {
    const { host } = this;
    installKeys(step, { readEpochs: host.readEpochs, writeEpochs: host.writeEpochs, keysInstalled: this.keysInstalled });
    if (step.flight) {
      if (step.flight.entries.some((e) => e.kind === 'change_cipher_spec')) this.sentChangeCipherSpec = true;
      // This flight answers the peer's current one only if some of it arrived.
      this.peerPreviousFlightStart = this.sequencer.expected > this.peerFlightStart ? this.peerFlightStart : undefined;
      this.peerFlightStart = this.sequencer.expected;
      // Leftover fragments of older messages will never be needed.
      this.reassembler.discardBelow(this.oldestWantedSeq);
      this.lastFlight = step.flight;
      this.flights.next(step.flight);
    }
    if (step.established) {
      this.established = true;
      this.handshake = undefined;
      host.readEpochs.expectNoNextEpoch();
      // The client's flight 5 is answered; the server's final flight may still be asked for.
      host.onEstablished(step.established, host.role === 'server' ? this.lastFlight : undefined);
    }
    if (step.failure) {
      const { alert, reason } = step.failure;
      host.sendAlert(AlertLevel.fatal, alert);
      const code = alert === AlertDescription.unknown_psk_identity ? 'ECREDENTIALS' : 'EHANDSHAKE';
      host.fail(new DtlsError(code, `handshake with ${host.peerName} failed: ${reason}`, alertInfo(AlertLevel.fatal, alert)));
    }
  }
}

/**
 * What a failed handshake after fragmented flights may mean: some peers (tinydtls, for
 * one) cannot reassemble a handshake message sent in fragments (RFC 6347 §4.2.3) and
 * drop it or answer handshake_failure.
 */
export function fragmentsHint(mtu: number): string {
  return (
    `our flights went out in fragments to fit mtu ${mtu}; a peer that cannot reassemble ` +
    'fragmented handshake messages (tinydtls, for one) fails this way: a larger mtu sends them whole'
  );
}
