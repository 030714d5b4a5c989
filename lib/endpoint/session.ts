import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { DtlsError, alertInfo, type AlertInfo } from '../dtls-error.js';
import type { Flight } from '../handshake/flight.js';
import type { HandshakeBudget } from '../handshake/handshake-budget.js';
import type { HandshakeSummary, HandshakeSummary13 } from '../handshake/handshake-step.js';
import type { ClientHandshake } from '../handshake/client-handshake.js';
import { ClientHandshake13 } from '../handshake/client-handshake13.js';
import { ClientVersionProbe } from '../handshake/client-version-probe.js';
import { ServerHandshake13 } from '../handshake/server-handshake13.js';
import { ReadEpochs, type PlainRecord } from '../record/read-epochs.js';
import { openDatagram } from '../record/open-datagram.js';
import { WriteEpochs } from '../record/write-epochs.js';
import type { PeerAddress, SocketBufferSizes } from '../transport/datagram.js';
import { AlertDescription, AlertLevel, decodeAlert, encodeAlert } from '../wire/alert.js';
import { ContentType, DTLS_1_2, HandshakeType, MAX_PLAINTEXT_LENGTH } from '../wire/constants.js';
import { decodeHandshakeFragments, type HandshakeFragment } from '../wire/handshake-header.js';
import { FinalFlight } from './final-flight.js';
import { HandshakeDriver, fragmentsHint, type Handshake } from './handshake-driver.js';
import { HandshakeDriver13, type Handshake13 } from './handshake-driver13.js';
import { ConnectionIds13 } from './connection-ids13.js';
import { KeyUpdates13 } from './key-updates13.js';
import { recordLayer13, type RecordLayer13 } from './record-layer13.js';
import type { HandshakeOutcome } from './handshake-outcome.js';
import { Heartbeats } from './heartbeats.js';
import { Keepalive, type KeepaliveOptions } from './keepalive.js';
import { keyLogLine, keyLogLines13 } from './key-log.js';
import { negotiatedInfo, publicPeerIdentity, type HandshakeInfo } from './handshake-info.js';
import { PeerPath } from './peer-path.js';
import { SessionResumption } from './session-resumption.js';
import type { TicketState13 } from '../handshake/ticket-state13.js';
import type { NewSessionTicket13 } from '../wire/new-session-ticket13.js';
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
  /** Releases what the session owns beyond itself (a client's own UDP socket) when it ends; `close()` resolves once it settles. */
  readonly release?: () => void | Promise<void>;
  /** The length of the Connection ID we receive records with (RFC 9146), 0 for none. */
  readonly cidLength?: number;
  /** A fresh CID of ours for a 1.3 peer that asks for more (RFC 9147 §9), registered where the endpoint routes by CID. */
  readonly newConnectionId?: () => Uint8Array | undefined;
  /** The peer moved (RFC 9146 §6): the endpoint finds it at its new address from now on. */
  readonly onPeerMoved?: (previous: PeerAddress) => void;
  /** The kernel buffers of the UDP socket under the session, for `info`. */
  readonly socketBuffers?: SocketBufferSizes;
  /** Once established, end the session when the peer goes silent (a client's `keepalive`). */
  readonly keepalive?: KeepaliveOptions;
  /** A server's: drops a session ID from its resumption cache (a fatal alert ended the session, RFC 5246 §7.2.2). */
  readonly forgetSession?: (sessionId: Uint8Array) => void;
  /** A server's: the NewSessionTicket to send once a 1.3 handshake completed, when resumption by ticket is on (RFC 8446 §4.6.1). */
  readonly issueTicket13?: (summary: HandshakeSummary13) => NewSessionTicket13 | undefined;
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

  private readonly data = new Subject<Uint8Array>();
  /** Made on the first subscription to events$: a session nobody watches keeps no Subject for them. */
  private events?: Subject<SessionEvent>;
  private readonly stateSubject = new BehaviorSubject<SessionState>('handshaking');
  /** The state, kept apart from the subject: a BehaviorSubject that errored throws on reading its value. */
  private currentState: SessionState = 'handshaking';
  private readonly readEpochs: ReadEpochs;
  /** Replaced once, when a client that offered 1.3 too falls back to 1.2: epoch 0 goes on from the 1.3 record layer's numbers. */
  private writeEpochs: WriteEpochs;
  /** The handshake stages, until established (or closed). */
  private driver?: HandshakeDriver | HandshakeDriver13;
  /** A DTLS 1.3 session's record layer (RFC 9147 §4); 1.2 sessions use readEpochs and writeEpochs. */
  private records13?: RecordLayer13;
  /** When the handshake started (scheduler time): a fallback to 1.2 keeps the same handshakeTimeout. */
  private handshakeStartedAt = 0;
  /** A 1.3 session's post-handshake messages and KeyUpdates, once established. */
  private postHandshake13?: KeyUpdates13;
  /** A 1.3 session's: the most content a record from the peer may carry, when both sent record_size_limit (RFC 8449 §4). */
  private receiveLimit13?: number;
  /** The server's last flight, until the client's first application data shows it arrived. */
  private finalFlight?: FinalFlight;
  private handshakeInfo?: HandshakeInfo;
  /** The extension by which the peer limited our records, for the EMSGSIZE message. */
  private recordLimitSource?: string;
  private resumable?: SessionResumption;
  /** RFC 6520 heartbeats, once established, when the handshake negotiated them. */
  private heartbeats?: Heartbeats;
  private readonly keepaliveOptions?: KeepaliveOptions;
  /** Watches for a peer gone silent, while established (SessionInit.keepalive). */
  private keepalive?: Keepalive;
  private readonly onStateChange?: (state: SessionState) => void;
  private readonly release?: () => void | Promise<void>;
  private readonly socketBuffers?: SocketBufferSizes;
  /** Settles once what the session owns is released (set when it ends). */
  private released?: Promise<void>;
  /** Whether start() ran: before it the peer has heard nothing, so a close tells it nothing. */
  private started = false;
  private closeError?: DtlsError;
  private dropped = 0;
  /** Where the peer is; it moves with a NAT rebinding when Connection IDs are in use (RFC 9146 §6). */
  private readonly path: PeerPath;
  private readonly onPeerMoved?: (previous: PeerAddress) => void;
  private readonly forgetSession?: (sessionId: Uint8Array) => void;
  private readonly newConnectionId?: () => Uint8Array | undefined;
  private readonly issueTicket13?: (summary: HandshakeSummary13) => NewSessionTicket13 | undefined;
  /** A server's: the ID its cache keeps this session under, once established. */
  private cachedSessionId?: Uint8Array;
  private readonly transmit: (datagram: Uint8Array) => void;
  /**
   * When the peer was last heard from (scheduler time): any record during the
   * handshake, only authenticated ones after it, so a spoofer cannot keep an idle
   * session alive.
   * @internal the server's idle eviction reads it
   */
  lastActivity: number;

  /** @internal sessions are made by the server and client endpoints */
  constructor(
    handshake: Handshake | Handshake13 | undefined,
    private readonly options: SessionOptions,
    transmit: (datagram: Uint8Array) => void,
    init: SessionInit,
  ) {
    this.role = init.role;
    this.onStateChange = init.onStateChange;
    this.release = init.release;
    this.path = new PeerPath(init.peer);
    this.onPeerMoved = init.onPeerMoved;
    this.forgetSession = init.forgetSession;
    this.newConnectionId = init.newConnectionId;
    this.issueTicket13 = init.issueTicket13;
    // Until a new address is proven, no more bytes go there than came from it (RFC 9146 §6).
    this.transmit = (datagram) => {
      if (this.path.maySend(datagram.length)) transmit(datagram);
    };
    this.socketBuffers = init.socketBuffers;
    this.keepaliveOptions = init.keepalive;
    this.lastActivity = options.scheduler.now();
    this.readEpochs = new ReadEpochs(options.replayWindow, init.cidLength);
    this.writeEpochs = new WriteEpochs(init.firstRecordSeq);
    const onLater = (outcome: HandshakeOutcome) => this.act(outcome);
    if (handshake instanceof ClientHandshake13 || handshake instanceof ServerHandshake13 || handshake instanceof ClientVersionProbe) {
      this.records13 = recordLayer13({ replayWindow: options.replayWindow, firstRecordSeq: init.firstRecordSeq, cidLength: init.cidLength, aeadLimits: options.aeadLimits13 });
      const context = { role: this.role, peerName: this.peerName, options, records: this.records13 };
      this.driver = new HandshakeDriver13(handshake, context, init.firstReceiveSeq, onLater, init.handshakeBudget);
    } else {
      this.driver = this.driver12(handshake, options, init.firstReceiveSeq, init.handshakeBudget);
    }
  }

  private driver12(handshake: Handshake | undefined, options: SessionOptions, firstReceiveSeq: number, budget?: HandshakeBudget): HandshakeDriver {
    const context = { role: this.role, peerName: this.peerName, options, readEpochs: this.readEpochs, writeEpochs: this.writeEpochs };
    return new HandshakeDriver(handshake, context, firstReceiveSeq, (outcome) => this.act(outcome), budget);
  }

  /** The peer's address and port: where it was last proven to be by a record newer than any before (RFC 9146 §6). */
  get peer(): PeerAddress {
    return this.path.address;
  }

  /** Bytes from the peer the handshake holds now (at most maxHandshakeBufferBytes); 0 once it is over. */
  get handshakeBufferBytes(): number {
    return this.driver?.budget.held ?? 0;
  }

  /**
   * Application data from the peer, one emission per record. Completes when the session
   * ends cleanly (close_notify from either side, `close()`, the endpoint closing); errors
   * with the session's DtlsError when it fails (fatal alert, timeout, eviction, abandon).
   * A subscriber after the end gets the completion or the error at once.
   */
  get data$(): Observable<Uint8Array> {
    return this.data.asObservable();
  }

  /**
   * Handshake progress, retransmissions, alerts and the end of the session; like any
   * Subject, only what happens after subscribing. The last event is `closed`; then it
   * completes (clean end) or errors with the session's DtlsError, as `data$` does.
   */
  get events$(): Observable<SessionEvent> {
    if (this.events === undefined) {
      this.events = new Subject<SessionEvent>();
      if (this.state === 'closed') this.finish(this.events);
    }
    return this.events.asObservable();
  }

  /**
   * The current state, then each change. `closed` is the last value; then it completes
   * (clean end) or errors with the session's DtlsError, as `data$` does.
   */
  get state$(): Observable<SessionState> {
    return this.stateSubject.asObservable();
  }

  /** The state now. */
  get state(): SessionState {
    return this.currentState;
  }

  /** What the handshake agreed, once established. */
  get info(): HandshakeInfo | undefined {
    return this.handshakeInfo;
  }

  /**
   * A client's: what resumes this session later (`connect({ resume })`), once established,
   * when the server made it resumable (a session ID or a ticket). It holds the master secret.
   * Gone once a fatal alert ends the session (RFC 5246 §7.2.2); a copy taken before is the
   * application's to drop.
   */
  get resumption(): SessionResumption | undefined {
    return this.resumable;
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
    if (this.state === 'closed') return;
    this.started = true;
    this.handshakeStartedAt = this.options.scheduler.now();
    this.events?.next({ type: 'handshake-start', role: this.role });
    const outcome = this.driver?.start();
    if (outcome) this.act(outcome);
  }

  /**
   * Feeds one datagram from the peer; `from` is where it came from when the endpoint found
   * the session by its Connection ID, which may be a new address of the peer.
   * @internal the endpoint routes the peer's datagrams here
   */
  receive(datagram: Uint8Array, from?: PeerAddress): void {
    if (this.state === 'closed') return;
    if (this.driver === undefined) this.receiveEstablished(datagram, from);
    else this.act(this.driver.receive(datagram));
  }

  /** Sends one application data record. */
  send(data: Uint8Array): void {
    if (this.state !== 'established') throw new DtlsError('ENOTCONN', `session with ${this.peerName} is ${this.state}`);
    const limit = this.info?.peerRecordSizeLimit ?? MAX_PLAINTEXT_LENGTH;
    if (data.length > limit) {
      const why = limit < MAX_PLAINTEXT_LENGTH ? `, the limit ${this.peerName} set with ${this.recordLimitSource}` : '';
      throw new DtlsError('EMSGSIZE', `${data.length} bytes do not fit one record (at most ${limit}${why})`);
    }
    // RFC 9147 §4.5.3: a key at its AEAD limit seals nothing more; our KeyUpdate, sent at half of it, awaits its ACK.
    if (this.records13?.usage('write') === 'exhausted') {
      throw new DtlsError('ENOBUFS', `our key has protected as many records as its AEAD allows, and ${this.peerName} has not acknowledged our KeyUpdate yet`);
    }
    this.transmit(this.seal(ContentType.application_data, data));
    this.postHandshake13?.checkLimits();
  }

  /**
   * DTLS 1.3: replaces our traffic keys with the next ones (a KeyUpdate, RFC 9147 §8, RFC
   * 8446 §4.6.3); `requestPeerUpdate` asks the peer to replace its own too. The KeyUpdate is
   * retransmitted until the peer acknowledges it, and our records use the new keys from then
   * on; the promise resolves then. One at a time: a call while one is outstanding waits for
   * that one. The session also updates by itself when its keys near their AEAD usage limits
   * (RFC 9147 §4.5.3). Rejects with a DtlsError: EINVAL on a DTLS 1.2 session, ENOTCONN
   * before the handshake completed or after the end, the session's error if it ends first.
   */
  updateKeys(options: { readonly requestPeerUpdate?: boolean } = {}): Promise<void> {
    if (this.state === 'established' && this.records13 === undefined) {
      return Promise.reject(new DtlsError('EINVAL', `session with ${this.peerName} is DTLS 1.2, which has no KeyUpdate (RFC 9147 §8 is DTLS 1.3's)`));
    }
    if (this.state !== 'established' || this.postHandshake13 === undefined) return Promise.reject(new DtlsError('ENOTCONN', `session with ${this.peerName} is ${this.state}`));
    return this.postHandshake13.update(options.requestPeerUpdate === true);
  }

  /** One record in our current epoch. */
  private seal(contentType: number, data: Uint8Array, epoch?: number): Uint8Array {
    const { records13 } = this;
    if (records13) return records13.seal(epoch ?? records13.writeEpoch, contentType, data).record;
    return this.writeEpochs.seal(epoch ?? this.writeEpochs.current, contentType, DTLS_1_2, data);
  }

  /**
   * Ends the session cleanly and tells the peer: close_notify once established (RFC 5246
   * §7.2.1); during the handshake user_canceled, then close_notify (RFC 5246 §7.2.2: a
   * handshake canceled for a reason unrelated to a protocol failure), so the peer stops
   * retransmitting at once; nothing before the first flight went out. Resolves once the
   * alerts are handed to the network and what the session owns (a client's own UDP
   * socket) is released; there is no need to await it.
   */
  close(): Promise<void> {
    this.closeWithAlerts(undefined);
    return this.released ?? Promise.resolve();
  }

  /**
   * Gives up a handshake the user no longer wants (an AbortSignal fired): user_canceled
   * and close_notify as `close()` sends them, but the session fails with `reason`, so
   * whoever awaits the handshake learns why. Once established it is `close()`.
   */
  cancel(reason: DtlsError): Promise<void> {
    this.closeWithAlerts(this.state === 'handshaking' ? reason : undefined);
    return this.released ?? Promise.resolve();
  }

  /** Ends the session without telling the peer (the endpoint is going away, or the peer started over). */
  abandon(reason: DtlsError): void {
    this.terminate(reason);
  }

  /**
   * The network says the peer is unreachable (an ICMP error on a client's connected
   * socket): reported on events$, and the end of the session with `error` when the
   * endpoint's policy says so (ClientOptions.icmpErrors).
   * @internal
   */
  reportNetworkError(error: DtlsError, fatal: boolean): void {
    if (this.state === 'closed') return;
    this.events?.next({ type: 'network-error', error });
    if (fatal) this.terminate(error);
  }

  private closeWithAlerts(error: DtlsError | undefined): void {
    if (this.state === 'closed') return;
    if (this.started) {
      if (this.state === 'handshaking') this.sendAlert(AlertLevel.warning, AlertDescription.user_canceled);
      this.sendAlert(AlertLevel.warning, AlertDescription.close_notify);
    }
    this.terminate(error);
  }

  /**
   * Ends a handshake the server has no room for, telling the peer with a fatal
   * internal_error ("unrelated to the peer or the correctness of the protocol (such as a
   * memory allocation failure)", RFC 5246 §7.2.2), so that it fails now instead of
   * retransmitting until its handshake timeout. `reason` gets the alert attached.
   */
  refuse(reason: DtlsError): void {
    if (this.state === 'closed') return;
    this.sendAlert(AlertLevel.fatal, AlertDescription.internal_error);
    this.terminate(new DtlsError(reason.code, reason.message, alertInfo(AlertLevel.fatal, AlertDescription.internal_error)));
  }

  private get peerName(): string {
    return `${this.peer.address}:${this.peer.port}`;
  }

  /**
   * Does what a call into the handshake driver came to, in order, once the call has
   * returned: whatever a subscriber does from inside an emission here (close the
   * session, say) finds the driver at rest. An effect that ends the session ends
   * the outcome too.
   */
  private act(outcome: HandshakeOutcome): void {
    if (outcome.heard) this.lastActivity = this.options.scheduler.now();
    this.dropped += outcome.dropped;
    for (const effect of outcome.effects) {
      if (this.state === 'closed') return;
      switch (effect.kind) {
        case 'send':
          this.transmit(effect.datagram);
          break;
        case 'event':
          this.events?.next(effect.event);
          break;
        case 'record':
          this.onRecord(effect.record);
          break;
        case 'established':
          this.onEstablished(effect.summary, effect.finalFlight);
          break;
        case 'established13':
          this.onEstablished13(effect.summary);
          break;
        case 'fallback12':
          this.fallBackTo12(effect.handshake, effect.datagram);
          break;
        case 'failed':
          if (effect.alert !== undefined) this.sendAlert(AlertLevel.fatal, effect.alert);
          this.terminate(effect.error);
          break;
      }
    }
  }

  /**
   * A client that offered DTLS 1.3 and 1.2 heard a 1.2 server (ClientVersionProbe): the 1.2
   * driver takes over on the 1.2 record layer, epoch 0 going on from the record numbers the
   * 1.3 layer used (RFC 6347 §4.1: never one twice), within what is left of handshakeTimeout,
   * and reads the datagram that answered. Flight 1 is already out, so it sends nothing until
   * the answer asks for its next flight.
   */
  private fallBackTo12(handshake: ClientHandshake, datagram: Uint8Array): void {
    const nextRecordSeq = this.records13?.nextSequenceNumber(0) ?? 0;
    this.dropDriver();
    this.records13 = undefined;
    this.writeEpochs = new WriteEpochs(nextRecordSeq);
    const elapsed = this.options.scheduler.now() - this.handshakeStartedAt;
    const options = { ...this.options, handshakeTimeout: Math.max(1, this.options.handshakeTimeout - elapsed) };
    const driver = this.driver12(handshake, options, 0);
    this.driver = driver;
    this.act(driver.start());
    if (this.driver === driver) this.act(driver.receive(datagram));
  }

  /** The established path: no operators, one pass over the datagram's records. */
  private receiveEstablished(datagram: Uint8Array, from: PeerAddress | undefined): void {
    let bytes = datagram.length;
    const deliver = (record: PlainRecord): boolean => {
      if (record.epoch > 0) {
        this.lastActivity = this.options.scheduler.now();
        this.postHandshake13?.heard();
      }
      if (this.receiveLimit13 !== undefined && record.epoch > 0 && record.payload.length > this.receiveLimit13) {
        this.overflowed(record.payload.length);
        return false;
      }
      if (from !== undefined && record.epoch > 0) {
        // The datagram's bytes count once toward what we may send an unproven address.
        this.heardFrom(from, bytes, record.newest === true);
        bytes = 0;
      }
      this.onRecord(record);
      return this.state !== 'closed';
    };
    // Not `dropped += open(...)`: that would read the count before the records
    // delivered meanwhile add to it.
    const dropped = this.records13 ? this.records13.open(datagram, deliver) : openDatagram(datagram, this.readEpochs, deliver);
    this.dropped += dropped;
    // Records that failed to authenticate count toward the peer key's forgery limit (RFC 9147 §4.5.3).
    if (dropped > 0) this.postHandshake13?.checkLimits();
  }

  /** The peer broke the protocol after the handshake: a fatal alert, and the end. */
  private failAfterHandshake(alert: number, reason: string): void {
    this.sendAlert(AlertLevel.fatal, alert);
    this.terminate(new DtlsError('EHANDSHAKE', `${this.peerName} broke the protocol: ${reason}`, alertInfo(AlertLevel.fatal, alert)));
  }

  /** RFC 8449 §4: a record over the limit we announced is a fatal record_overflow. */
  private overflowed(length: number): void {
    this.sendAlert(AlertLevel.fatal, AlertDescription.record_overflow);
    const alert = alertInfo(AlertLevel.fatal, AlertDescription.record_overflow);
    this.terminate(new DtlsError('EMSGSIZE', `${this.peerName} sent a record of ${length} bytes, over the record_size_limit of ${this.receiveLimit13} we announced`, alert));
  }

  /** RFC 9146 §6: an authenticated record from `from`; the peer moves there if it is the newest so far. */
  private heardFrom(from: PeerAddress, bytes: number, newest: boolean): void {
    const previous = this.path.heard(from, bytes, newest);
    if (previous === undefined) return;
    this.onPeerMoved?.(previous);
    this.events?.next({ type: 'peer-address-changed', from: previous, to: from });
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
        if (this.records13) {
          if (!this.postHandshake13?.receive(record)) this.dropped++;
        } else this.onHandshakeAfterEstablished(record);
        return;
      case ContentType.ack:
        // RFC 9147 §7: an ACK in the clear is anybody's; one of our KeyUpdate moves our writing on.
        if (!this.postHandshake13 || record.epoch === 0) this.dropped++;
        else this.postHandshake13.onAck(record);
        return;
      case ContentType.heartbeat:
        // RFC 6520 §3: protected, after the handshake, and only where negotiated.
        if (record.epoch === 0 || this.state !== 'established' || !this.heartbeats?.receive(record.payload)) this.dropped++;
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
      this.terminate(this.fatalAlertError(alert, record.epoch));
    }
  }

  /**
   * A server's unprotected internal_error during the handshake is how a server out of room
   * turns a client away (see refuse()): the client says so with EBUSY, distinct from a
   * refusal that is about us. Every other fatal alert is EALERT.
   */
  private fatalAlertError(alert: AlertInfo, epoch: number): DtlsError {
    if (this.role === 'client' && this.state === 'handshaking' && epoch === 0 && alert.description === AlertDescription.internal_error) {
      return new DtlsError('EBUSY', `${this.peerName} turned the handshake away with internal_error: it is out of room (or failed inside); retry later`, alert);
    }
    const fragmented = this.driver?.sentFragments && alert.description === AlertDescription.handshake_failure;
    const hint = fragmented ? ` (${fragmentsHint(this.options.mtu)})` : '';
    return new DtlsError('EALERT', `${this.peerName} sent fatal alert ${alert.name}${hint}`, alert);
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
    const agreed: HandshakeInfo = {
      cipherSuite: summary.cipherSuite.name,
      peer: publicPeerIdentity(summary.peer),
      extendedMasterSecret: summary.extendedMasterSecret,
      resumed: summary.resumed,
      ...negotiatedInfo(summary.negotiated),
      ...(summary.connectionIds && { connectionId: { receive: summary.connectionIds.read, send: summary.connectionIds.write } }),
      ...(summary.heartbeat && { heartbeat: summary.heartbeat }),
    };
    this.recordLimitSource = summary.negotiated?.recordLimit?.negotiatedBy;
    if (summary.resumable) this.resumable = new SessionResumption(summary.resumable);
    this.cachedSessionId = summary.sessionId;
    this.handshakeInfo = this.socketBuffers === undefined ? agreed : { ...agreed, socketBuffers: this.socketBuffers };
    if (finalFlight) this.finalFlight = new FinalFlight(finalFlight, this.writeEpochs, this.options.mtu);
    // The driver's call has returned: what is left of its outcome needs no driver.
    this.dropDriver();
    if (this.options.keyLog) this.writeKeyLog(this.options.keyLog, [keyLogLine(summary)]);
    if (summary.heartbeat) {
      const send = (message: Uint8Array) => this.transmit(this.writeEpochs.seal(this.writeEpochs.current, ContentType.heartbeat, DTLS_1_2, message));
      this.heartbeats = new Heartbeats(send, summary.heartbeat.peerAnswers);
    }
    this.setState('established');
    this.events?.next({ type: 'handshake-complete', ...agreed });
    if (this.keepaliveOptions && this.state === 'established') this.startKeepalive(this.keepaliveOptions);
  }

  /** Hands the lines to the user's key log (SSLKEYLOGFILE). */
  private writeKeyLog(keyLog: (line: string) => void, lines: readonly string[]): void {
    try {
      lines.forEach((line) => keyLog(line));
    } catch (cause) {
      // A failing key log (a full disk) must not take the session or the process down.
      this.events?.next({ type: 'key-log-error', error: new DtlsError('EINVAL', `could not write the key log: ${String(cause)}`, undefined, { cause }) });
    }
  }

  /** A DTLS 1.3 handshake completed: what it agreed, and the driver goes. */
  private onEstablished13(summary: HandshakeSummary13): void {
    const agreed: HandshakeInfo = {
      cipherSuite: summary.cipherSuite.name,
      peer: publicPeerIdentity(summary.peer),
      version: '1.3',
      // RFC 8446 §7.1 binds every secret to the whole transcript: what RFC 7627 added to 1.2.
      extendedMasterSecret: true,
      resumed: summary.resumed,
      ...negotiatedInfo(summary.negotiated),
      ...(summary.connectionIds && { connectionId: { receive: summary.connectionIds.read, send: summary.connectionIds.write } }),
    };
    this.recordLimitSource = summary.negotiated?.recordLimit?.negotiatedBy;
    this.receiveLimit13 = summary.receiveLimit;
    this.handshakeInfo = this.socketBuffers === undefined ? agreed : { ...agreed, socketBuffers: this.socketBuffers };
    if (this.records13) {
      const fail = (error: DtlsError): void => this.terminate(error);
      // A client keeps the server's latest ticket where a 1.2 session keeps its resumption state.
      const onTicket = this.role === 'client' ? (ticket: TicketState13) => (this.resumable = new SessionResumption(ticket)) : undefined;
      const connectionIds = new ConnectionIds13(this.records13, summary.connectionIds, this.newConnectionId);
      const onConnectionIdMessage = (fragment: HandshakeFragment) => {
        const { reply, failure } = connectionIds.receive(fragment);
        if (failure) this.failAfterHandshake(failure.alert, failure.reason);
        return reply;
      };
      this.postHandshake13 = new KeyUpdates13({ records: this.records13, summary, transmit: this.transmit, options: this.options, peerName: this.peerName, fail, onTicket, onConnectionIdMessage });
      const ticket = this.issueTicket13?.(summary);
      const room = Math.min(agreed.peerRecordSizeLimit ?? MAX_PLAINTEXT_LENGTH, this.options.mtu - this.records13.overhead(this.records13.writeEpoch));
      if (ticket) this.postHandshake13.sendTicket(ticket, room);
    }
    this.dropDriver();
    if (this.options.keyLog) this.writeKeyLog(this.options.keyLog, keyLogLines13(summary, this.role));
    this.setState('established');
    this.events?.next({ type: 'handshake-complete', ...agreed });
    if (this.keepaliveOptions && this.state === 'established') this.startKeepalive(this.keepaliveOptions);
  }

  private startKeepalive(options: KeepaliveOptions): void {
    const { heartbeats } = this;
    this.keepalive = new Keepalive(
      options,
      {
        scheduler: this.options.scheduler,
        lastHeard: () => this.lastActivity,
        probe: heartbeats?.peerAnswers
          ? (attempt) => {
              heartbeats.probe();
              this.events?.next({ type: 'keepalive-probe', attempt });
            }
          : undefined,
        retransmitTimeout: this.options.retransmit.initialTimeout,
        fail: (error) => this.terminate(error),
      },
      this.peerName,
    );
  }

  private dropDriver(): void {
    this.driver?.stop();
    this.driver = undefined;
  }

  private setState(state: SessionState): void {
    this.onStateChange?.(state);
    this.currentState = state;
    this.stateSubject.next(state);
  }

  private sendAlert(level: number, description: number): void {
    // During the handshake the peer can read our new epoch only after our ChangeCipherSpec.
    // During the handshake the peer can read our new epoch only after our ChangeCipherSpec (1.2)
    // or once it has our handshake keys (1.3, RFC 9147 §6.1: epoch 2 from our first protected flight).
    const current = this.driver === undefined || this.driver.sentChangeCipherSpec;
    this.transmit(this.seal(ContentType.alert, encodeAlert({ level, description }), current ? undefined : 0));
    this.events?.next({ type: 'alert', direction: 'sent', ...alertInfo(level, description) });
  }

  private terminate(error?: DtlsError): void {
    if (this.state === 'closed') return;
    this.closeError = error;
    // RFC 5246 §7.2.2: a connection a fatal alert ended leaves no session to resume.
    if (error?.alert?.level === 'fatal') {
      this.resumable = undefined;
      if (this.cachedSessionId) this.forgetSession?.(this.cachedSessionId);
    }
    this.cachedSessionId = undefined;
    this.postHandshake13?.stop(error ?? new DtlsError('ECLOSED', `session with ${this.peerName} closed`));
    this.dropDriver();
    this.finalFlight = undefined;
    this.keepalive?.stop();
    this.keepalive = undefined;
    this.heartbeats = undefined;
    this.setState('closed');
    const released = this.release?.();
    if (released) this.released = released;
    this.events?.next({ type: 'closed', error });
    if (this.events) this.finish(this.events);
    this.finish(this.data);
    this.finish(this.stateSubject);
  }

  /** The end of each of the session's streams: complete on a clean close, error with the DtlsError that ended it otherwise. */
  private finish(subject: Pick<Subject<unknown>, 'error' | 'complete'>): void {
    if (this.closeError) subject.error(this.closeError);
    else subject.complete();
  }
}
