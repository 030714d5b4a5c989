import { Subject, Subscription, filter, tap, timer } from 'rxjs';
import { DtlsError, alertInfo } from '../dtls-error.js';
import type { ClientHandshake } from '../handshake/client-handshake.js';
import type { Flight } from '../handshake/flight.js';
import { HandshakeBudget } from '../handshake/handshake-budget.js';
import { NOTHING, type HandshakeStep } from '../handshake/handshake-step.js';
import { flightMessageNames } from '../handshake/message-names.js';
import { plaintextLimit, type RecordLimit } from '../handshake/record-size-negotiation.js';
import type { ServerHandshake } from '../handshake/server-handshake.js';
import { decodeHandshake } from '../operators/decode-handshake.js';
import { decodeRecords } from '../operators/decode-records.js';
import { decrypt } from '../operators/decrypt.js';
import { encrypt } from '../operators/encrypt.js';
import { fragment } from '../operators/fragment.js';
import { installKeys } from '../operators/install-keys.js';
import { pack } from '../operators/pack.js';
import { reassemble } from '../operators/reassemble.js';
import { retransmit, type Transmission } from '../operators/retransmit.js';
import { sequence, type SequencedEpochMessage } from '../operators/sequence.js';
import type { PlainRecord, ReadEpochs } from '../record/read-epochs.js';
import type { WriteEpochs } from '../record/write-epochs.js';
import { AlertDescription, AlertLevel } from '../wire/alert.js';
import { decodeChangeCipherSpec } from '../wire/change-cipher-spec.js';
import { ContentType, HandshakeType } from '../wire/constants.js';
import type { HandshakeOutcome } from './handshake-outcome.js';
import { PeerFlights } from './peer-flights.js';
import { StepDriver } from './step-driver.js';
import { PeerSilence } from './peer-silence.js';
import type { SessionEvent } from './session-event.js';
import type { SessionOptions } from './session-options.js';

export type Handshake = ClientHandshake | ServerHandshake;

/** The session's side of the handshake as the driver reads it: who we are, the options, and the record state the stages work on. */
export interface HandshakeContext {
  readonly role: 'client' | 'server';
  readonly peerName: string;
  readonly options: SessionOptions;
  readonly readEpochs: ReadEpochs;
  readonly writeEpochs: WriteEpochs;
}

/**
 * The part of a session that lives only while it handshakes. Datagrams flow
 * through decodeRecords -> decrypt -> decodeHandshake -> reassemble -> sequence
 * into the flight state machine; its flights flow through retransmit ->
 * fragment -> encrypt -> pack to the peer. The driver never calls into its
 * session: `start()` and `receive()` return a HandshakeOutcome, and what happens
 * between calls (a retransmission timer, the handshake timeout, an async step
 * settling) is handed to `onLater` as one. The session drops the whole driver
 * once established, so an idle session keeps only its record state.
 */
export class HandshakeDriver extends StepDriver {
  private changeCipherSpecSent = false;
  private fragmentsSent = false;

  private readonly input = new Subject<Uint8Array>();
  private readonly flights = new Subject<Flight | null>();
  private readonly resendNow = new Subject<void>();
  private readonly keysInstalled = new Subject<void>();
  private readonly handshakeRecords = new Subject<PlainRecord>();
  private readonly subscriptions = new Subscription();
  private readonly peerFlights: PeerFlights;
  private lastFlight?: Flight;
  /** The peer's limit on our records, once the hellos settled one. */
  private recordLimit?: RecordLimit;
  private established = false;
  /** Protected records that failed to authenticate: during a handshake, the sign of a wrong key. */
  private unauthenticated = 0;
  /** Records heard from the peer (decoded, authenticated if protected): the evidence a timeout reports. */
  private readonly peerHeard = { total: 0, afterChangeCipherSpec: 0, last: 0 };
  /** Gives up early on a peer that answers nothing at all (options.maxSilentTimeouts). */
  private readonly silence: PeerSilence;

  constructor(
    /** The flight state machine; released once established, with its transcript and secrets. */
    private handshake: Handshake | undefined,
    private readonly context: HandshakeContext,
    firstReceiveSeq: number,
    onLater: (outcome: HandshakeOutcome) => void,
    budget = new HandshakeBudget(context.options.maxHandshakeBufferBytes),
  ) {
    super(onLater, budget);
    const { options } = context;
    this.peerFlights = new PeerFlights(firstReceiveSeq, context.role, options, budget, () => this.drop());
    this.silence = new PeerSilence(options.maxSilentTimeouts, () => options.scheduler.now(), context.role === 'server');
    this.wireReceive();
    this.wireSend();
  }

  /** Whether our ChangeCipherSpec went out: before it, the peer can read only epoch 0. */
  get sentChangeCipherSpec(): boolean {
    return this.changeCipherSpecSent;
  }

  /** Whether a handshake message of ours went out in fragments (RFC 6347 §4.2.3) to fit the mtu. */
  get sentFragments(): boolean {
    return this.fragmentsSent;
  }

  /** Starts the handshake timer and the state machine: the client's first flight, or the server's answer to the verified ClientHello. */
  start(): HandshakeOutcome {
    return this.collect(() => {
      const { handshakeTimeout, scheduler } = this.context.options;
      this.subscriptions.add(timer(handshakeTimeout, scheduler).subscribe(() => this.report(() => this.onTimeout())));
      this.run(() => this.handshake?.start() ?? NOTHING);
    });
  }

  /** Feeds one datagram from the peer. */
  receive(datagram: Uint8Array): HandshakeOutcome {
    this.silence.heard();
    return this.collect(() => this.input.next(datagram));
  }

  /**
   * Tears down every stage and timer and lets go of everything the handshake held:
   * inputs still queued, messages and fragments waiting for their turn, the last
   * flight. A pending async step (a lookup that never answers) may keep the stopped
   * driver itself reachable, but then it holds nothing of the peer's.
   */
  stop(): void {
    if (!this.stopSteps()) return;
    this.handshake = undefined;
    this.lastFlight = undefined;
    // Unsubscribing also drops the records decrypt held for the next epoch.
    this.subscriptions.unsubscribe();
    this.peerFlights.close();
    this.budget.close();
  }

  private onTimeout(): void {
    const { handshakeTimeout } = this.context.options;
    const fragments = this.fragmentsSent ? `; ${fragmentsHint(this.context.options.mtu)}` : '';
    const error = new DtlsError('ETIMEDOUT', `handshake with ${this.context.peerName} did not complete in ${handshakeTimeout} ms (${this.timeoutEvidence()}${fragments})`);
    // §4.1.2.7 lets us say bad_record_mac about records that did not authenticate; the
    // peer would otherwise retransmit to a session that is gone.
    this.fail(error, this.unauthenticated > 0 ? AlertDescription.bad_record_mac : undefined);
  }

  /**
   * What the peer did before the handshake timed out. RFC 6347 §4.1.2.7 drops records
   * that fail to authenticate without an alert, so a wrong pre-shared key shows only as a
   * timeout: we name it only when the evidence points there (records that did not
   * authenticate, or a server that kept resending its flight instead of taking our
   * Finished), not for a server that went silent (stopped, restarted, or dropped us).
   */
  private timeoutEvidence(): string {
    if (this.unauthenticated > 0) return `${this.unauthenticated} protected records from the peer did not authenticate: a wrong pre-shared key?`;
    if (this.peerHeard.total === 0) return 'nothing came back from the peer';
    const silence = `nothing from the peer for the last ${this.context.options.scheduler.now() - this.peerHeard.last} ms`;
    if (!this.changeCipherSpecSent) return `the peer answered, then went silent: ${silence}`;
    if (this.context.role === 'client' && this.peerHeard.afterChangeCipherSpec > 0) {
      return 'the server kept resending its flight instead of answering our Finished: a wrong pre-shared key?';
    }
    return `the peer went silent after our Finished: ${silence}`;
  }

  private wireReceive(): void {
    const { context } = this;
    const records$ = this.input.pipe(
      decodeRecords((count) => this.drop(count), context.readEpochs.cidLength),
      decrypt({
        epochs: context.readEpochs,
        keysInstalled$: this.keysInstalled,
        maxHeldRecords: context.options.maxHeldRecords,
        budget: this.budget,
        onDropped: (record) => {
          this.drop();
          if (record.header.epoch > 0) this.unauthenticated++;
        },
      }),
    );
    this.subscriptions.add(
      records$.subscribe((record) => {
        this.heard();
        this.peerHeard.total++;
        if (this.changeCipherSpecSent) this.peerHeard.afterChangeCipherSpec++;
        this.peerHeard.last = context.options.scheduler.now();
        if (this.established) this.effect({ kind: 'record', record });
        else if (record.contentType === ContentType.handshake) this.handshakeRecords.next(record);
        else if (record.contentType === ContentType.change_cipher_spec) this.onChangeCipherSpec(record);
        else this.effect({ kind: 'record', record });
      }),
    );
    this.subscriptions.add(
      this.handshakeRecords
        .pipe(
          decodeHandshake(() => this.drop()),
          reassemble(this.peerFlights.reassembler),
          // RFC 5246 §7.4.9: a Finished is protected with the new keys; an unprotected one is
          // a forgery, dropped before it can take the Finished's place in the sequence.
          filter(({ epoch, message }) => {
            const forged = epoch === 0 && message.msgType === HandshakeType.finished;
            if (forged) this.drop();
            return !forged;
          }),
          sequence(this.peerFlights.sequencer),
        )
        .subscribe((m) => this.onHandshakeMessage(m)),
    );
  }

  private wireSend(): void {
    const { context } = this;
    let messages = 0;
    let sent: SessionEvent | undefined;
    this.subscriptions.add(
      this.flights
        .pipe(
          retransmit({ ...context.options.retransmit, resendNow$: this.resendNow, scheduler: context.options.scheduler }),
          filter((t) => !this.givesUp(t)),
          tap((t) => {
            messages = t.flight.entries.filter((e) => e.kind === 'handshake').length;
            const names = flightMessageNames(t.flight);
            sent =
              t.attempt === 0
                ? { type: 'flight-sent', flight: t.flight.number, messages: names }
                : { type: 'retransmit', flight: t.flight.number, messages: names, attempt: t.attempt, reason: t.reason === 'peer' ? 'peer' : 'timeout' };
          }),
          fragment({
            maxDatagramSize: context.options.mtu,
            overhead: (epoch) => context.writeEpochs.overhead(epoch),
            maxPlaintext: (epoch) => plaintextLimit(this.recordLimit, epoch),
          }),
          tap((records) => {
            // More handshake records than messages: one went out in fragments.
            if (records.filter((r) => r.contentType === ContentType.handshake).length > messages) this.fragmentsSent = true;
          }),
          encrypt(context.writeEpochs),
          pack(context.options.mtu),
        )
        // A retransmission timer fires between calls: its event and datagrams make one outcome.
        .subscribe((datagrams) =>
          this.report(() => {
            if (sent) this.effect({ kind: 'event', event: sent });
            datagrams.forEach((datagram) => this.effect({ kind: 'send', datagram }));
          }),
        ),
    );
  }

  /** A timer expired with the peer silent for maxSilentTimeouts of them: the handshake fails instead of sending again. */
  private givesUp({ flight, reason }: Transmission<Flight>): boolean {
    if (reason !== 'timeout') return false;
    const error = this.silence.timedOut(this.context.peerName, flight.number);
    if (error) this.fail(error);
    return error !== undefined;
  }

  private onChangeCipherSpec(record: PlainRecord): void {
    if (record.epoch !== 0 || !decodeChangeCipherSpec(record.payload).ok) {
      this.drop();
      return;
    }
    this.run(() => this.handshake?.onChangeCipherSpec() ?? NOTHING);
  }

  private onHandshakeMessage({ kind, message }: SequencedEpochMessage): void {
    if (kind === 'stale') {
      // RFC 6347 §4.2.4: the peer retransmitting its previous flight means ours was lost.
      if (this.peerFlights.repeatsAnsweredFlight(message.messageSeq)) this.resendNow.next();
      return;
    }
    const kept = this.keep(message);
    if (kept === undefined) {
      this.drop();
      return;
    }
    this.run(() => this.handshake?.onMessage(kept) ?? NOTHING);
  }

  protected apply(step: HandshakeStep): void {
    const { context } = this;
    installKeys(step, { readEpochs: context.readEpochs, writeEpochs: context.writeEpochs, keysInstalled: this.keysInstalled });
    if (step.recordLimit) this.recordLimit = step.recordLimit;
    if (step.flight) {
      if (step.flight.entries.some((e) => e.kind === 'change_cipher_spec')) this.changeCipherSpecSent = true;
      this.peerFlights.answered();
      this.lastFlight = step.flight;
      this.flights.next(step.flight);
    }
    if (step.established) {
      this.established = true;
      this.handshake = undefined;
      context.readEpochs.expectNoNextEpoch();
      // A final flight (the server's flight 6, or the client's flight 5 of an abbreviated
      // handshake) may still be asked for; any other flight of ours is answered.
      this.effect({ kind: 'established', summary: step.established, finalFlight: this.lastFlight?.final ? this.lastFlight : undefined });
    }
    if (step.failure) {
      const { alert, reason } = step.failure;
      const code = alert === AlertDescription.unknown_psk_identity ? 'ECREDENTIALS' : 'EHANDSHAKE';
      this.fail(new DtlsError(code, `handshake with ${context.peerName} failed: ${reason}`, alertInfo(AlertLevel.fatal, alert)), alert);
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
