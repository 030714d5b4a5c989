import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { DtlsError, alertInfo } from '../dtls-error.js';
import type { Flight } from '../handshake/flight.js';
import type { HandshakeBudget } from '../handshake/handshake-budget.js';
import type { HandshakeSummary } from '../handshake/handshake-step.js';
import { ReadEpochs, type PlainRecord } from '../record/read-epochs.js';
import { splitRecords } from '../record/split-records.js';
import { WriteEpochs } from '../record/write-epochs.js';
import type { PeerAddress } from '../transport/datagram.js';
import { AlertDescription, AlertLevel, decodeAlert, encodeAlert } from '../wire/alert.js';
import { ContentType, DTLS_1_2, HandshakeType, MAX_PLAINTEXT_LENGTH } from '../wire/constants.js';
import { decodeHandshakeFragments } from '../wire/handshake-header.js';
import { FinalFlight } from './final-flight.js';
import { HandshakeDriver, fragmentsHint, type Handshake, type HandshakeHost } from './handshake-driver.js';
import { keyLogLine } from './key-log.js';
import { publicPeerIdentity, type HandshakeInfo } from './handshake-info.js';
import type { SessionEvent, SessionState } from './session-event.js';
import type { SessionOptions } from './session-options.js';

export interface SessionInit {
  readonly role: 'client' | 'server';
  readonly peer: PeerAddress;
  /** The message_seq expected first from the peer (a server's follows the verified ClientHello's). */
  readonly firstReceiveSeq: number;
  /** Where our epoch-0 record numbers start. */
  readonly firstRecordSeq?: number;
  /** The endpoint's bookkeeping, told of each state change before `state$` is (cheaper than a subscription per session). */
  readonly onStateChange?: (state: SessionState) => void;
  /** The handshake's byte budget, when the endpoint made it (a server's is in its pool); otherwise one of maxHandshakeBufferBytes. */
  readonly handshakeBudget?: HandshakeBudget;
}

/**
 * One DTLS association with one peer. While it handshakes, a HandshakeDriver runs the
 * RxJS stages (decodeRecords -> decrypt -> decodeHandshake -> reassemble -> sequence
 * into the flight state machine; retransmit -> fragment -> encrypt -> pack out). Once
 * established the driver is dropped, and records take a plain path: split, open with
 * the epoch's keys and replay window, deliver. An idle session is its record state.
 */
export class Session {
  /** Which side of the handshake we are. */
  readonly role: 'client' | 'server';
  /** The peer's address and port. */
  readonly peer: PeerAddress;

  private readonly data = new Subject<Uint8Array>();
  /** Made on the first subscription to events$: a session nobody watches keeps no Subject for them. */
  private events?: Subject<SessionEvent>;
  private readonly stateSubject = new BehaviorSubject<SessionState>('handshaking');
  private readonly readEpochs: ReadEpochs;
  private readonly writeEpochs: WriteEpochs;
  /** The handshake stages, until established (or closed). */
  private driver?: HandshakeDriver;
  /** Inside `receive()`: a driver whose handshake completed is dropped when the datagram is done. */
  private receiving = false;
  /** The server's last flight, until the client's first application data shows it arrived. */
  private finalFlight?: FinalFlight;
  private handshakeInfo?: HandshakeInfo;
  private readonly onStateChange?: (state: SessionState) => void;
  private closeError?: DtlsError;
  private dropped = 0;
  /**
   * When the peer was last heard from (scheduler time): any record during the
   * handshake, only authenticated ones after it, so a spoofer cannot keep an idle
   * session alive.
   * @internal the server's idle eviction reads it
   */
  lastActivity: number;

  /** @internal sessions are made by the server and client endpoints */
  constructor(
    handshake: Handshake | undefined,
    private readonly options: SessionOptions,
    private readonly transmit: (datagram: Uint8Array) => void,
    init: SessionInit,
  ) {
    this.role = init.role;
    this.onStateChange = init.onStateChange;
    this.peer = init.peer;
    this.lastActivity = options.scheduler.now();
    this.readEpochs = new ReadEpochs(options.replayWindow);
    this.writeEpochs = new WriteEpochs(init.firstRecordSeq);
    this.driver = new HandshakeDriver(handshake, this.driverHost(), init.firstReceiveSeq, init.handshakeBudget);
  }

  /** Bytes from the peer the handshake holds now (at most maxHandshakeBufferBytes); 0 once it is over. */
  get handshakeBufferBytes(): number {
    return this.driver?.budget.held ?? 0;
  }

  /** Application data from the peer, one emission per record. Completes when the session ends. */
  get data$(): Observable<Uint8Array> {
    return this.data.asObservable();
  }

  /** Handshake progress, retransmissions, alerts and the end of the session; like any Subject, only what happens after subscribing. */
  get events$(): Observable<SessionEvent> {
    if (this.events === undefined) {
      this.events = new Subject<SessionEvent>();
      if (this.state === 'closed') this.events?.complete();
    }
    return this.events.asObservable();
  }

  /** The state now and each change: handshaking, then established, then closed (completes then). */
  get state$(): Observable<SessionState> {
    return this.stateSubject.asObservable();
  }

  /** The state now. */
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

  /** Records dropped so far: malformed, unauthenticated, replayed, or out of place (RFC 6347 §4.1.2.7 drops them silently). */
  get droppedRecords(): number {
    return this.dropped;
  }

  /**
   * Starts the handshake: the client's first flight, or the server's answer to the verified ClientHello.
   * @internal the endpoint that made the session starts it
   */
  start(): void {
    this.events?.next({ type: 'handshake-start', role: this.role });
    this.driver?.start();
  }

  /**
   * Feeds one datagram from the peer.
   * @internal the endpoint routes the peer's datagrams here
   */
  receive(datagram: Uint8Array): void {
    if (this.state === 'closed') return;
    const { driver } = this;
    if (driver === undefined) {
      this.receiveEstablished(datagram);
      return;
    }
    this.receiving = true;
    driver.receive(datagram);
    this.receiving = false;
    if (this.state !== 'handshaking') this.dropDriver();
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

  /** The session as its driver sees it; the closures go when the driver does. */
  private driverHost(): HandshakeHost {
    return {
      role: this.role,
      peerName: this.peerName,
      options: this.options,
      readEpochs: this.readEpochs,
      writeEpochs: this.writeEpochs,
      transmit: this.transmit,
      onRecord: (record) => this.onRecord(record),
      onHeard: () => (this.lastActivity = this.options.scheduler.now()),
      onDropped: (count = 1) => (this.dropped += count),
      emit: (event) => this.events?.next(event),
      sendAlert: (level, description) => this.sendAlert(level, description),
      onEstablished: (summary, finalFlight) => this.onEstablished(summary, finalFlight),
      fail: (error) => this.terminate(error),
    };
  }

  /** The established path: no operators, one pass over the datagram's records. */
  private receiveEstablished(datagram: Uint8Array): void {
    const { records, malformed } = splitRecords(datagram);
    this.dropped += malformed;
    for (const raw of records) {
      if (this.state === 'closed') return;
      const record = this.readEpochs.open(raw);
      if (record === undefined || record === 'future') {
        this.dropped++;
        continue;
      }
      if (record.epoch > 0) this.lastActivity = this.options.scheduler.now();
      this.onRecord(record);
    }
  }

  /** Records outside the handshake's stages: alerts, application data, and handshake records after it. */
  private onRecord(record: PlainRecord): void {
    switch (record.contentType) {
      case ContentType.alert:
        this.onAlert(record);
        return;
      case ContentType.application_data:
        // Application data is only ever protected, and only after both Finished verified.
        if (record.epoch === 0 || this.state !== 'established') {
          this.dropped++;
          return;
        }
        // The client sends data only after our final flight reached it.
        this.finalFlight = undefined;
        this.data.next(record.payload);
        return;
      case ContentType.handshake:
        this.onHandshakeAfterEstablished(record);
        return;
      default:
        // A ChangeCipherSpec after the handshake, or an unknown content type.
        this.dropped++;
    }
  }

  private onAlert(record: PlainRecord): void {
    const decoded = decodeAlert(record.payload);
    // After the handshake, an unprotected alert is anybody's forgery.
    if (!decoded.ok || (record.epoch === 0 && this.state === 'established')) {
      this.dropped++;
      return;
    }
    const alert = alertInfo(decoded.value.level, decoded.value.description);
    this.events?.next({ type: 'alert', direction: 'received', ...alert });
    if (alert.description === AlertDescription.close_notify) {
      // RFC 5246 §7.2.1: answer close_notify with close_notify.
      this.sendAlert(AlertLevel.warning, AlertDescription.close_notify);
      this.terminate(this.state === 'handshaking' ? new DtlsError('ECLOSED', `${this.peerName} closed during the handshake`) : undefined);
    } else if (alert.level === 'fatal') {
      const fragmented = this.driver?.sentFragments && alert.description === AlertDescription.handshake_failure;
      const hint = fragmented ? ` (${fragmentsHint(this.options.mtu)})` : '';
      this.terminate(new DtlsError('EALERT', `${this.peerName} sent fatal alert ${alert.name}${hint}`, alert));
    }
  }

  /**
   * A handshake record once established. Only a protected one can be the peer's: a
   * retransmitted Finished means our final flight was lost (RFC 6347 §4.2.4), and a new
   * ClientHello (or HelloRequest) asks to renegotiate, which we refuse
   * (RFC 5746 §4.5 / RFC 5246 §7.2.2).
   */
  private onHandshakeAfterEstablished(record: PlainRecord): void {
    const fragments = decodeHandshakeFragments(record.payload);
    if (record.epoch === 0 || !fragments.ok) {
      this.dropped++;
      return;
    }
    const asked = this.role === 'server' ? HandshakeType.client_hello : HandshakeType.hello_request;
    if (fragments.value.some((f) => f.msgType === asked)) {
      this.sendAlert(AlertLevel.warning, AlertDescription.no_renegotiation);
    } else if (this.finalFlight && fragments.value.some((f) => f.msgType === HandshakeType.finished)) {
      const { datagrams, event } = this.finalFlight.resend();
      this.events?.next(event);
      datagrams.forEach((d) => this.transmit(d));
    } else {
      this.dropped++;
    }
  }

  private onEstablished(summary: HandshakeSummary, finalFlight: Flight | undefined): void {
    this.handshakeInfo = {
      cipherSuite: summary.cipherSuite.name,
      peer: publicPeerIdentity(summary.peer),
      extendedMasterSecret: summary.extendedMasterSecret,
    };
    if (finalFlight) this.finalFlight = new FinalFlight(finalFlight, this.writeEpochs, this.options.mtu);
    // Outside a receive (after an async step) the driver can go now; inside one, it
    // still carries the rest of the datagram.
    if (!this.receiving) this.dropDriver();
    try {
      this.options.keyLog?.(keyLogLine(summary));
    } catch (cause) {
      // A failing key log (a full disk) must not take the session or the process down.
      this.events?.next({ type: 'key-log-error', error: new DtlsError('EINVAL', `could not write the key log: ${String(cause)}`, undefined, { cause }) });
    }
    this.setState('established');
    this.events?.next({ type: 'handshake-complete', ...this.info! });
  }

  private dropDriver(): void {
    this.driver?.stop();
    this.driver = undefined;
  }

  private setState(state: SessionState): void {
    this.onStateChange?.(state);
    this.stateSubject.next(state);
  }

  private sendAlert(level: number, description: number): void {
    // During the handshake the peer can read our new epoch only after our ChangeCipherSpec.
    const epoch = this.driver === undefined || this.driver.sentChangeCipherSpec ? this.writeEpochs.current : 0;
    this.transmit(this.writeEpochs.seal(epoch, ContentType.alert, DTLS_1_2, encodeAlert({ level, description })));
    this.events?.next({ type: 'alert', direction: 'sent', ...alertInfo(level, description) });
  }

  private terminate(error?: DtlsError): void {
    if (this.state === 'closed') return;
    this.closeError = error;
    this.dropDriver();
    this.finalFlight = undefined;
    this.setState('closed');
    this.events?.next({ type: 'closed', error });
    this.events?.complete();
    this.data.complete();
    this.stateSubject.complete();
  }
}
