import { BehaviorSubject, Subject, filter, takeUntil, tap, timer, type Observable, type SchedulerLike } from 'rxjs';
import { DtlsError, alertInfo } from '../dtls-error.js';
import type { ClientHandshake } from '../handshake/client-handshake.js';
import type { Flight } from '../handshake/flight.js';
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
import { pack } from '../operators/pack.js';
import { reassemble } from '../operators/reassemble.js';
import { retransmit } from '../operators/retransmit.js';
import { sequence, type SequencedEpochMessage } from '../operators/sequence.js';
import { ReadEpochs, type PlainRecord } from '../record/read-epochs.js';
import { WriteEpochs } from '../record/write-epochs.js';
import type { PeerAddress } from '../transport/datagram.js';
import { AlertDescription, AlertLevel, decodeAlert, encodeAlert } from '../wire/alert.js';
import { decodeChangeCipherSpec } from '../wire/change-cipher-spec.js';
import { ContentType, DTLS_1_2, HandshakeType, MAX_PLAINTEXT_LENGTH } from '../wire/constants.js';
import { decodeHandshakeFragments } from '../wire/handshake-header.js';
import { keyLogLine } from './key-log.js';
import { publicPeerIdentity, type HandshakeInfo } from './handshake-info.js';
import type { SessionEvent, SessionState } from './session-event.js';
import type { SessionOptions } from './session-options.js';

type Handshake = ClientHandshake | ServerHandshake;

/** Handshake inputs queued behind an async step (a PSK lookup, a trust callback) at most. */
const MAX_WAITING_INPUTS = 32;

/**
 * One DTLS association with one peer. Datagrams go in through `receive()` and
 * flow through the receive stages (decodeRecords -> decrypt -> decodeHandshake
 * -> reassemble -> sequence) into the flight state machine; flights flow out
 * through retransmit -> fragment -> encrypt -> pack to the transport.
 */
export class Session {
  readonly role: 'client' | 'server';
  readonly peer: PeerAddress;
  /** Application data from the peer, one emission per record. Completes when the session ends. */
  readonly data$: Observable<Uint8Array>;
  /** Handshake progress, retransmissions, alerts and the end of the session. */
  readonly events$: Observable<SessionEvent>;
  readonly state$: Observable<SessionState>;

  private readonly data = new Subject<Uint8Array>();
  private readonly events = new Subject<SessionEvent>();
  private readonly stateSubject = new BehaviorSubject<SessionState>('handshaking');
  private readonly input = new Subject<Uint8Array>();
  private readonly flights = new Subject<Flight | null>();
  private readonly resendNow = new Subject<void>();
  private readonly keysInstalled = new Subject<void>();
  /** Handshake records on their way to the reassembler and sequencer, until the handshake is done. */
  private readonly handshakeRecords = new Subject<PlainRecord>();
  /**
   * Set once no flight of ours can be needed again: the handshake stages and the
   * retransmitter are torn down, so an idle session keeps only its record state.
   */
  private handshakeDone = false;
  private readonly ended = new Subject<void>();
  private readonly readEpochs: ReadEpochs;
  private readonly writeEpochs: WriteEpochs;
  private readonly sequencer: Sequencer;
  private readonly reassembler: Reassembler;
  private readonly scheduler: SchedulerLike;

  /** The first message_seq of the peer's flight we are waiting for. */
  private peerFlightStart = 0;
  /**
   * The first message_seq of the peer's previous flight. When it shows up again the
   * peer is retransmitting that flight, which means ours was lost (RFC 6347 §4.2.4).
   * Only that one message triggers a resend, so a flight spread over several
   * datagrams draws one resend, not one per datagram.
   */
  private peerPreviousFlightStart = 0;
  private staleSeen = false;
  private sentChangeCipherSpec = false;
  private busy = false;
  private readonly waiting: Array<() => MaybePromise<HandshakeStep>> = [];
  private handshakeInfo?: HandshakeInfo;
  private closeError?: DtlsError;
  /** Records dropped: malformed, unauthenticated, replayed, or out of place. */
  droppedRecords = 0;
  /**
   * When the peer was last heard from (scheduler time): any record during the
   * handshake, only authenticated ones after it, so a spoofer cannot keep an idle
   * session alive.
   */
  lastActivity: number;
  /** Protected records that failed to authenticate: during a handshake, the sign of a wrong key. */
  private unauthenticated = 0;

  constructor(
    /** The flight state machine; released once established, with its transcript and secrets. */
    private handshake: Handshake | undefined,
    private readonly options: SessionOptions,
    private readonly transmit: (datagram: Uint8Array) => void,
    init: { role: 'client' | 'server'; peer: PeerAddress; firstReceiveSeq: number; firstRecordSeq?: number },
  ) {
    this.role = init.role;
    this.peer = init.peer;
    this.scheduler = options.scheduler;
    this.lastActivity = options.scheduler.now();
    this.data$ = this.data.asObservable();
    this.events$ = this.events.asObservable();
    this.state$ = this.stateSubject.asObservable();
    this.readEpochs = new ReadEpochs(options.replayWindow);
    this.writeEpochs = new WriteEpochs(init.firstRecordSeq);
    // Partial messages and messages held for later share the per-peer byte budget.
    const budget = options.maxHandshakeBufferBytes;
    this.reassembler = new Reassembler({
      maxBufferedBytes: budget / 2,
      maxMessageLength: budget / 2,
      // From the peer's previous flight (whose retransmission tells us ours was lost) up to the sequencer's window.
      window: () => ({ min: this.peerPreviousFlightStart, max: this.sequencer.expected + options.maxFutureHandshakeMessages }),
    });
    this.sequencer = new Sequencer(init.firstReceiveSeq, options.maxFutureHandshakeMessages, budget / 2);
    // A server's first flight answers the ClientHello that passed the cookie gate.
    this.peerFlightStart = init.role === 'server' ? init.firstReceiveSeq - 1 : 0;
    this.wireReceive();
    this.wireSend();
  }

  get state(): SessionState {
    return this.stateSubject.value;
  }

  /** What the handshake agreed, once established. */
  get info(): HandshakeInfo | undefined {
    return this.handshakeInfo;
  }

  /** The error that ended the session, if it did not end cleanly. */
  get error(): DtlsError | undefined {
    return this.closeError;
  }

  /** Starts the handshake: the client's first flight, or the server's answer to the verified ClientHello. */
  start(): void {
    this.events.next({ type: 'handshake-start', role: this.role });
    timer(this.options.handshakeTimeout, this.scheduler)
      .pipe(takeUntil(this.ended), takeUntil(this.stateSubject.pipe(filter((s) => s !== 'handshaking'))))
      .subscribe(() => this.onHandshakeTimeout());
    this.run(() => this.handshake?.start() ?? NOTHING);
  }

  /** Feeds one datagram from the peer. */
  receive(datagram: Uint8Array): void {
    if (this.state === 'closed') return;
    this.staleSeen = false;
    this.input.next(datagram);
    // RFC 6347 §4.2.4: the peer retransmitting its previous flight means ours was lost.
    if (this.staleSeen) this.resendNow.next();
  }

  /** Sends one application data record. */
  send(data: Uint8Array): void {
    if (this.state !== 'established') throw new DtlsError('ENOTCONN', `session with ${this.peerName} is ${this.state}`);
    if (data.length > MAX_PLAINTEXT_LENGTH) {
      throw new DtlsError('EMSGSIZE', `${data.length} bytes do not fit one record (at most ${MAX_PLAINTEXT_LENGTH})`);
    }
    this.transmit(this.writeEpochs.seal(this.writeEpochs.current, ContentType.application_data, DTLS_1_2, data));
  }

  /** Sends close_notify and ends the session (RFC 5246 §7.2.1). */
  close(): void {
    if (this.state === 'closed') return;
    this.sendAlert(AlertLevel.warning, AlertDescription.close_notify);
    this.terminate();
  }

  /** Ends the session without telling the peer (the endpoint is going away, or the peer started over). */
  abandon(reason: DtlsError): void {
    this.terminate(reason);
  }

  private get peerName(): string {
    return `${this.peer.address}:${this.peer.port}`;
  }

  private onHandshakeTimeout(): void {
    // RFC 6347 §4.1.2.7 drops records that fail to authenticate without an alert, so a
    // wrong pre-shared key shows only as a timeout; say so when that is what we saw.
    const hint =
      this.unauthenticated > 0
        ? ` (${this.unauthenticated} protected records from the peer did not authenticate: a wrong pre-shared key?)`
        : this.sentChangeCipherSpec && this.role === 'client'
          ? ' (the server never answered our Finished: a wrong pre-shared key?)'
          : '';
    // §4.1.2.7 also lets us say bad_record_mac about them; the peer would otherwise
    // retransmit to a session that is gone.
    if (this.unauthenticated > 0) this.sendAlert(AlertLevel.fatal, AlertDescription.bad_record_mac);
    this.terminate(new DtlsError('ETIMEDOUT', `handshake with ${this.peerName} did not complete in ${this.options.handshakeTimeout} ms${hint}`));
  }

  private wireReceive(): void {
    const records$ = this.input.pipe(
      decodeRecords((count) => (this.droppedRecords += count)),
      decrypt({
        epochs: this.readEpochs,
        keysInstalled$: this.keysInstalled,
        maxHeldRecords: this.options.maxHeldRecords,
        onDropped: (record) => {
          this.droppedRecords++;
          if (record.header.epoch > 0) this.unauthenticated++;
        },
      }),
    );
    records$.subscribe((record) => {
      if (record.epoch > 0 || this.state === 'handshaking') this.lastActivity = this.scheduler.now();
      if (record.contentType !== ContentType.handshake) this.onRecord(record);
      else if (this.handshakeDone) this.refuseRenegotiation(record);
      else this.handshakeRecords.next(record);
    });
    this.handshakeRecords
      .pipe(
        decodeHandshake(() => this.droppedRecords++),
        reassemble(this.reassembler),
        // RFC 5246 §7.4.9: a Finished is protected with the new keys; an unprotected one is
        // a forgery, dropped before it can take the Finished's place in the sequence.
        filter(({ epoch, message }) => {
          const forged = epoch === 0 && message.msgType === HandshakeType.finished;
          if (forged) this.droppedRecords++;
          return !forged;
        }),
        sequence(this.sequencer),
      )
      .subscribe((m) => this.onHandshakeMessage(m));
  }

  private wireSend(): void {
    this.flights
      .pipe(
        retransmit({ ...this.options.retransmit, resendNow$: this.resendNow, scheduler: this.scheduler }),
        tap((t) => {
          const messages = flightMessageNames(t.flight);
          this.events.next(
            t.attempt === 0
              ? { type: 'flight-sent', flight: t.flight.number, messages }
              : { type: 'retransmit', flight: t.flight.number, messages, attempt: t.attempt, reason: t.reason === 'peer' ? 'peer' : 'timeout' },
          );
        }),
        fragment({ maxDatagramSize: this.options.mtu, overhead: (epoch) => this.writeEpochs.overhead(epoch) }),
        encrypt(this.writeEpochs),
        pack(this.options.mtu),
        takeUntil(this.ended),
      )
      .subscribe((datagrams) => datagrams.forEach((d) => this.transmit(d)));
  }

  private onRecord(record: PlainRecord): void {
    switch (record.contentType) {
      case ContentType.change_cipher_spec:
        if (record.epoch !== 0 || !decodeChangeCipherSpec(record.payload).ok) {
          this.droppedRecords++;
          return;
        }
        this.run(() => this.handshake?.onChangeCipherSpec() ?? NOTHING);
        return;
      case ContentType.alert:
        this.onAlert(record);
        return;
      case ContentType.application_data:
        // Application data is only ever protected, and only after both Finished verified.
        if (record.epoch === 0 || this.state !== 'established') {
          this.droppedRecords++;
          return;
        }
        // The client sends data only after our final flight reached it.
        this.finishHandshake();
        this.data.next(record.payload);
        return;
      default:
        this.droppedRecords++;
    }
  }

  private onAlert(record: PlainRecord): void {
    const decoded = decodeAlert(record.payload);
    // After the handshake, an unprotected alert is anybody's forgery.
    if (!decoded.ok || (record.epoch === 0 && this.state === 'established')) {
      this.droppedRecords++;
      return;
    }
    const alert = alertInfo(decoded.value.level, decoded.value.description);
    this.events.next({ type: 'alert', direction: 'received', ...alert });
    if (alert.description === AlertDescription.close_notify) {
      // RFC 5246 §7.2.1: answer close_notify with close_notify.
      this.sendAlert(AlertLevel.warning, AlertDescription.close_notify);
      this.terminate(this.state === 'handshaking' ? new DtlsError('ECLOSED', `${this.peerName} closed during the handshake`) : undefined);
    } else if (alert.level === 'fatal') {
      this.terminate(new DtlsError('EALERT', `${this.peerName} sent fatal alert ${alert.name}`, alert));
    }
  }

  /**
   * Tears down the handshake stages once no flight of ours can be needed again:
   * the client at once (its last flight is answered), the server when the client's
   * first application data shows that our final flight arrived (RFC 6347 §4.2.4).
   */
  private finishHandshake(): void {
    if (this.handshakeDone) return;
    this.handshakeDone = true;
    this.handshakeRecords.complete();
    this.flights.next(null); // stops the retransmission timers of the last flight
    this.flights.complete();
    this.resendNow.complete();
  }

  /** After the handshake: RFC 5746 §4.5 / RFC 5246 §7.2.2, we never renegotiate; a new handshake is refused. */
  private refuseRenegotiation(record: PlainRecord): void {
    const fragments = decodeHandshakeFragments(record.payload);
    const asked = this.role === 'server' ? HandshakeType.client_hello : HandshakeType.hello_request;
    if (record.epoch > 0 && fragments.ok && fragments.value.some((f) => f.msgType === asked)) {
      this.sendAlert(AlertLevel.warning, AlertDescription.no_renegotiation);
    } else {
      this.droppedRecords++;
    }
  }

  private onHandshakeMessage({ kind, epoch, message }: SequencedEpochMessage): void {
    if (kind === 'stale') {
      if (message.messageSeq === this.peerPreviousFlightStart) this.staleSeen = true;
      return;
    }
    if (this.state === 'established') {
      // The server, until its final flight is known to have arrived: see refuseRenegotiation.
      if (epoch > 0 && message.msgType === HandshakeType.client_hello) this.sendAlert(AlertLevel.warning, AlertDescription.no_renegotiation);
      return;
    }
    this.run(() => this.handshake?.onMessage(message) ?? NOTHING);
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
      this.droppedRecords++;
      return;
    }
    this.waiting.push(input);
    if (!this.busy) this.drain();
  }

  private drain(): void {
    this.busy = true;
    while (this.waiting.length > 0 && this.state !== 'closed') {
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
    if (this.state === 'closed') return;
    this.apply(step);
    this.drain();
  }

  private apply(step: HandshakeStep): void {
    if (step.keys) {
      this.writeEpochs.install(step.keys.write, step.keys.suite);
      this.readEpochs.install(step.keys.read);
      this.keysInstalled.next();
    }
    if (step.flight) {
      if (step.flight.entries.some((e) => e.kind === 'change_cipher_spec')) this.sentChangeCipherSpec = true;
      this.peerPreviousFlightStart = this.peerFlightStart;
      this.peerFlightStart = this.sequencer.expected;
      // Leftover fragments of older messages will never be needed.
      this.reassembler.discardBelow(this.peerPreviousFlightStart);
      this.flights.next(step.flight);
    }
    if (step.established) this.onEstablished(step.established);
    if (step.failure) {
      const { alert, reason } = step.failure;
      this.sendAlert(AlertLevel.fatal, alert);
      const code = alert === AlertDescription.unknown_psk_identity ? 'ECREDENTIALS' : 'EHANDSHAKE';
      this.terminate(new DtlsError(code, `handshake with ${this.peerName} failed: ${reason}`, alertInfo(AlertLevel.fatal, alert)));
    }
  }

  private onEstablished(summary: HandshakeSummary): void {
    this.handshakeInfo = {
      cipherSuite: summary.cipherSuite.name,
      peer: publicPeerIdentity(summary.peer),
      extendedMasterSecret: summary.extendedMasterSecret,
    };
    this.handshake = undefined;
    this.readEpochs.expectNoNextEpoch();
    // The client's flight 5 is answered; the server keeps its final flight for the peer's retransmissions.
    if (this.role === 'client') this.finishHandshake();
    try {
      this.options.keyLog?.(keyLogLine(summary));
    } catch (cause) {
      // A failing key log (a full disk) must not take the session or the process down.
      this.events.next({ type: 'key-log-error', error: new DtlsError('EINVAL', `could not write the key log: ${String(cause)}`, undefined, { cause }) });
    }
    this.stateSubject.next('established');
    this.events.next({ type: 'handshake-complete', ...this.info! });
  }

  private sendAlert(level: number, description: number): void {
    // During the handshake the peer can read our new epoch only after our ChangeCipherSpec.
    const epoch = this.sentChangeCipherSpec ? this.writeEpochs.current : 0;
    this.transmit(this.writeEpochs.seal(epoch, ContentType.alert, DTLS_1_2, encodeAlert({ level, description })));
    this.events.next({ type: 'alert', direction: 'sent', ...alertInfo(level, description) });
  }

  private terminate(error?: DtlsError): void {
    if (this.state === 'closed') return;
    this.closeError = error;
    this.ended.next();
    this.ended.complete();
    this.flights.complete();
    this.input.complete();
    this.stateSubject.next('closed');
    this.events.next({ type: 'closed', error });
    this.events.complete();
    this.data.complete();
    this.stateSubject.complete();
  }
}
