import { Subject, interval, takeUntil, type Observable, type Subscription } from 'rxjs';
import type { CryptoProvider } from '../crypto/provider.js';
import { nobleProvider } from '../crypto/provider.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import { LookupGate } from '../credentials/lookup-gate.js';
import { DtlsError } from '../dtls-error.js';
import { CookieSecrets } from '../handshake/cookie.js';
import { SharedSecrets } from '../handshake/shared-secrets.js';
import { HandshakeBytePool } from '../handshake/handshake-byte-pool.js';
import { ServerHandshake, type ServerHandshakeOptions } from '../handshake/server-handshake.js';
import { ServerHandshake13, type ServerHandshake13Options } from '../handshake/server-handshake13.js';
import type { DtlsVersion } from '../handshake/version-negotiation.js';
import { ClientHelloFragments } from '../handshake/client-hello-fragments.js';
import { MAX_CLIENT_HELLO_MESSAGE_SEQ, cookieGate, type VerifiedHello } from '../operators/cookie-gate.js';
import type { AlpnCallback } from '../handshake/alpn-negotiation.js';
import { peerKey, type Datagram, type DatagramTransport, type PeerAddress } from '../transport/datagram.js';
import { keyLogFromEnvironment } from '../transport/key-log-file.js';
import { networkError } from '../transport/network-error.js';
import { UdpTransport, type UdpOptions } from '../transport/udp.js';
import { WriteEpochs } from '../record/write-epochs.js';
import { AlertDescription, AlertLevel, encodeAlert } from '../wire/alert.js';
import { ContentType, DTLS_1_2, HANDSHAKE_HEADER_LENGTH, HandshakeType, RECORD_HEADER_LENGTH } from '../wire/constants.js';
import { throwIfAborted } from './canceled.js';
import { serverHandshake13Options, serverHandshakeOptions } from './handshake-options.js';
import { debugLogFor, logServer, type DebugLog } from './debug-log.js';
import { Session } from './session.js';
import type { SessionState } from './session-event.js';
import { sessionOptions, type SessionOptions } from './session-options.js';
import { DEFAULT_SERVER_RECV_BUFFER, serverLimits, type ServerInfo, type ServerLimits } from './server-limits.js';
import { serverConnectionIdLength, serverConnectionIdPrefix, type ServerConnectionIdOption } from './connection-id-options.js';
import { ConnectionIdTable } from './connection-id-table.js';
import { checkListenOptions, checkServerOptions, checkTicketKeys } from './validate-options.js';
import { ServerResumption } from '../handshake/server-resumption.js';
import { issueTicket13 } from '../handshake/new-session-ticket13.js';

/**
 * How long an established session may stay silent before the server closes it. Two minutes
 * is the shortest UDP mapping RFC 4787 (REQ-5) lets a NAT keep: a device silent for longer
 * behind one returns from a new port, where DTLS 1.2 cannot find its session, so holding it
 * longer buys nothing for most devices and holds a dead client's state for as long.
 */
/**
 * The bound on ClientHellos put together from fragments before their cookie, for the whole
 * server (a server accepting 1.3): 128 KiB, ClientHellos up to 8 KiB (a post-quantum key share
 * is about 1.2 KiB). A flood of fragments from spoofed addresses costs at most this; the oldest
 * partial hellos give way to new ones.
 */
export const CLIENT_HELLO_FRAGMENTS = { maxBytes: 128 * 1024, maxHelloLength: 8192, maxMessageSeq: MAX_CLIENT_HELLO_MESSAGE_SEQ } as const;

const DEFAULT_IDLE_TIMEOUT = 120_000;

/** The idle sweep runs this many times per idleTimeout (every 15 s by default). */
const IDLE_SWEEPS_PER_TIMEOUT = 8;

/** A DTLS server: its transport, its credentials, its limits, and the session options its sessions use. */
export interface ServerOptions extends Partial<SessionOptions> {
  /** Where datagrams come from and go to (listen makes a UDP one). */
  readonly transport: DatagramTransport;
  /** The credentials it may use; it takes those under `tag`. */
  readonly credentials: CredentialStore;
  /** Which credentials of the store this server uses (RIOT credman tag; default 0). */
  readonly tag?: number;
  /** IANA names of the suites to accept, in order of preference (default: all the credentials allow). */
  readonly cipherSuites?: readonly string[];
  /** ECDHE groups in order of preference (default x25519, secp256r1). */
  readonly groups?: readonly number[];
  /**
   * The DTLS versions accepted (default ["1.2"]). With "1.3" (RFC 9147, with the same PSKs,
   * certificates and clientAuth as 1.2) a client that offers 1.3 gets it, after a stateless HelloRetryRequest cookie
   * exchange; one that does not gets 1.2 when "1.2" is accepted too, with the downgrade
   * sentinel of RFC 8446 §4.1.3 in our random.
   */
  readonly versions?: readonly DtlsVersion[];
  /**
   * Most sessions at once, established or not (default 32768, at most about 270 MiB of them);
   * beyond it a new client is turned away (EBUSY).
   */
  readonly maxSessions?: number;
  /**
   * Most handshakes in progress (default 8192, at most about 270 MiB of them); beyond it a new
   * client is turned away (EBUSY), unless the oldest handshake's peer has been silent for
   * four initial retransmission timers: then that one is evicted.
   */
  readonly maxHandshakes?: number;
  /**
   * Most async credential lookups (a `pskLookup`, a raw-key `trust` callback) running at
   * once (default 32, the size of a typical database connection pool); beyond it a
   * handshake's lookup waits its turn until its handshake ends. See LookupGate.
   */
  readonly maxPendingLookups?: number;
  /**
   * Most bytes from peers all handshakes in progress hold together; when one more would go
   * over it, the oldest handshakes holding bytes are evicted (ENOBUFS). Default: a quarter of
   * maxHandshakes × maxHandshakeBufferBytes, at most 16 MiB (16 MiB with their defaults). A
   * genuine handshake holds little (measured on its busier side: 526 bytes for PSK, 2,558 for
   * mutual X.509 with one-certificate chains; a longer chain adds twice its size), so 8,192 of
   * them fit several times over; only peers that fill their budgets are evicted.
   */
  readonly maxHandshakeBytesTotal?: number;
  /**
   * A session with no datagram for this long is closed (default 120000 ms, swept every eighth
   * of it: a dead client is forgotten within 135 s). A sleepy device that stays silent longer
   * behind a NAT comes back from a new port anyway; give it more when its address is stable.
   */
  readonly idleTimeout?: number;
  /** The cookie secret rotates this often; a cookie is good for one to two periods (default 60000 ms). */
  readonly cookieRotation?: number;
  /** ECDHE_ECDSA: whether clients are asked for a certificate, and whether one is required (default none). */
  readonly clientAuth?: 'none' | 'optional' | 'required';
  /** The crypto primitives (default nobleProvider; nodeCryptoProvider is faster). */
  readonly provider?: CryptoProvider;
  /** Debug lines about the server and each session (default: Node's debug log, on with NODE_DEBUG=rx-dtls). */
  readonly log?: DebugLog;
  /**
   * Application protocols (ALPN, RFC 7301), most preferred first: the first a client
   * offers is chosen; a client that offers only others gets no_application_protocol.
   * Clients that offer none are served without.
   */
  readonly alpn?: readonly string[];
  /** Chooses among the protocols a client offers instead of `alpn`; undefined sends no_application_protocol. */
  readonly alpnCallback?: AlpnCallback;
  /** The record_size_limit announced to clients that offer the extension (RFC 8449; 64 to 16384, default 16384). */
  readonly recordSizeLimit?: number;
  /**
   * Credentials per host name (server_name, RFC 6066 §3): the credential tag that serves
   * each name; `tag` serves clients that name none or, unless `unknownServerName` is
   * "refuse", a name not listed. Names compare without case.
   */
  readonly serverNames?: Readonly<Record<string, number>>;
  /** "default" (default): a name not in `serverNames` is served with `tag`; "refuse": it gets a fatal unrecognized_name alert. */
  readonly unknownServerName?: 'default' | 'refuse';
  /**
   * Connection IDs (RFC 9146) for clients that offer them (default `{ length: 4 }`): the
   * session is found by its CID before the address, so it survives a NAT rebinding.
   */
  readonly connectionId?: ServerConnectionIdOption;
  /**
   * How long after its full handshake a session may be resumed, by session ID or ticket
   * (default 7200000 ms, two hours; RFC 5246 §7.4.1.2 suggests at most 24 hours).
   */
  readonly sessionLifetime?: number;
  /** Most sessions cached for resumption by session ID, the oldest dropped first (default 10000; 0 caches none). */
  readonly sessionCacheSize?: number;
  /** Whether RFC 5077 session tickets are issued and accepted (default true); a client that asks for one gets a ticket instead of a cache entry. */
  readonly tickets?: boolean;
  /**
   * Ticket keys shared by every server that should resume the others' tickets: 48 bytes
   * each (a 16-byte key name, then a 32-byte AES-256-GCM key), the current one first, the
   * ones before it still accepted. Default: the server's own, rotated every sessionLifetime.
   * `setTicketKeys()` rotates them. They are secrets: whoever holds them reads every session resumed by ticket.
   */
  readonly ticketKeys?: readonly Uint8Array[];
  /**
   * One secret (at least 32 random bytes) every process or machine serving the same clients
   * is configured with, from which each derives on its own the cookie secret of every
   * `cookieRotation` period and the ticket key of every `sessionLifetime` period (HKDF-SHA256,
   * see SharedSecrets), periods counted from the Unix epoch: each server verifies the
   * others' cookies and resumes the others' tickets, and they rotate together with nothing
   * exchanged at run time. Their clocks should agree to well within a period. `ticketKeys`,
   * when given too, seal and open the tickets instead. Default: secrets of the server's own.
   */
  readonly masterSecret?: Uint8Array;
}

/** What a server reports on `events$`, about peers rather than one session. */
export type ServerEvent =
  | {
      /**
       * A ClientHello without a valid cookie was answered with a cookie to return, and
       * forgotten: a HelloVerifyRequest in 1.2 (RFC 6347 §4.2.1), a HelloRetryRequest in 1.3
       * (RFC 9147 §5.1).
       */
      readonly type: 'hello-verify-request';
      /** Who sent it. */
      readonly peer: PeerAddress;
      /** The version the answer belongs to: '1.3' for a HelloRetryRequest. */
      readonly version: DtlsVersion;
    }
  | {
      /** A peer proved its address with a cookie and a session was made for it. */
      readonly type: 'session-start';
      /** The peer. */
      readonly peer: PeerAddress;
    }
  | {
      /** A session ended and its state is gone. */
      readonly type: 'session-end';
      /** The peer. */
      readonly peer: PeerAddress;
      /** Why, when it did not end cleanly. */
      readonly error?: DtlsError;
    }
  | {
      /** A datagram from a peer without a session was dropped. */
      readonly type: 'dropped';
      /** Who sent it. */
      readonly peer: PeerAddress;
      /** Why, e.g. "maxSessions reached", "bad cookie". */
      readonly reason: string;
    };

interface Entry {
  readonly session: Session;
  /**
   * The random of the ClientHello that started the session, one character per byte (a
   * short string costs a tenth of a Uint8Array per idle session): a different one is a new handshake.
   */
  readonly clientRandom: string;
}

/**
 * A DTLS server on one datagram transport: a stateless cookie gate in front,
 * then one Session per peer address, within limits.
 */
export class DtlsServer {
  /**
   * Each new session, as soon as its cookie is verified and before its handshake runs.
   * Completes when the server closes (`close()`, or its transport closed); errors with a
   * DtlsError when its transport fails. A session that fails is that session's end
   * (its own streams error), never the server's.
   */
  readonly sessions$: Observable<Session>;
  /** Cookie exchanges, sessions starting and ending, and datagrams dropped before a session; ends as `sessions$` does. */
  readonly events$: Observable<ServerEvent>;

  private readonly sessionsSubject = new Subject<Session>();
  private readonly eventsSubject = new Subject<ServerEvent>();
  private readonly unverified = new Subject<Datagram>();
  private readonly closing = new Subject<void>();
  private readonly entries = new Map<string, Entry>();
  /** Sessions by the Connection ID they were issued (RFC 9146), when the server issues CIDs. */
  private readonly connectionIds?: ConnectionIdTable<Session>;
  /** Sessions still handshaking, oldest first (a Set keeps insertion order). */
  private readonly handshaking = new Set<Session>();
  private readonly secrets: CookieSecrets;
  private readonly sessionOptions: SessionOptions;
  private readonly provider: CryptoProvider;
  /** For DTLS 1.2 handshakes (made with every 1.2 suite the credentials allow when only 1.3 is accepted: the gate then lets no 1.2 hello through). */
  private readonly handshakeOptions: ServerHandshakeOptions;
  /** Present when the server accepts DTLS 1.3. */
  private readonly handshake13Options?: ServerHandshake13Options;
  private readonly resumption: ServerResumption;
  private readonly lookups: LookupGate;
  private readonly handshakeBytes: HandshakeBytePool;
  private readonly limits: ServerLimits;
  private readonly idleTimeout: number;
  /** The idle sweep, running only while there are sessions to sweep. */
  private idleSweep?: Subscription;
  private closed = false;
  private released?: Promise<void>;

  /** Throws DtlsError EINVAL for an option it cannot use, ECREDENTIALS for credentials that cannot serve. */
  constructor(private readonly options: ServerOptions) {
    checkServerOptions(options as unknown as Readonly<Record<string, unknown>>);
    this.sessions$ = this.sessionsSubject.asObservable();
    this.events$ = this.eventsSubject.asObservable();
    const log = debugLogFor(options.log);
    if (log) logServer(log, this);
    this.sessionOptions = sessionOptions(options);
    this.limits = serverLimits(options, this.sessionOptions.maxHandshakeBufferBytes);
    this.handshakeBytes = new HandshakeBytePool(this.limits.maxHandshakeBytesTotal);
    this.provider = options.provider ?? nobleProvider;
    this.lookups = new LookupGate(this.limits.maxPendingLookups);
    const { scheduler } = this.sessionOptions;
    const shared = options.masterSecret && new SharedSecrets(options.masterSecret);
    this.resumption = new ServerResumption({
      provider: this.provider,
      now: () => scheduler.now(),
      lifetime: options.sessionLifetime ?? 7_200_000,
      cacheSize: options.sessionCacheSize ?? 10_000,
      tickets: options.tickets ?? true,
      ticketKeys: options.ticketKeys,
      ticketKeyOf: shared && ((index) => shared.ticketKey(index)),
    });
    const versions = options.versions ?? ['1.2'];
    const cipherSuites = versions.includes('1.2') ? options.cipherSuites : undefined;
    this.handshakeOptions = { ...serverHandshakeOptions({ ...options, cipherSuites, lookups: this.lookups }), resumption: this.resumption, downgradeSentinel: versions.includes('1.3') };
    if (versions.includes('1.3')) {
      const resumption = this.resumption;
      this.handshake13Options = { ...serverHandshake13Options({ ...options, lookups: this.lookups }), ticketLookup: (ticket) => resumption.openTicket13(ticket) };
    }
    // Rotated on use rather than on a timer, so a server with no sessions schedules nothing.
    const cookieRotation = { period: options.cookieRotation ?? 60_000, now: () => scheduler.now() };
    this.secrets = shared
      ? CookieSecrets.shared({ ...cookieRotation, secretOf: (index) => shared.cookieSecret(index) })
      : new CookieSecrets(this.provider.randomBytes(32), { ...cookieRotation, nextSecret: () => this.provider.randomBytes(32) });
    this.idleTimeout = options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
    const cidLength = serverConnectionIdLength(options.connectionId);
    if (cidLength !== undefined) {
      this.connectionIds = new ConnectionIdTable(cidLength, (n) => this.provider.randomBytes(n), serverConnectionIdPrefix(options.connectionId));
    }

    options.transport.datagrams$.pipe(takeUntil(this.closing)).subscribe({
      next: (d) => this.onDatagram(d),
      error: (error: unknown) => this.fail(networkError(error, 'the server transport failed')),
      complete: () => void this.close(),
    });
    this.unverified
      .pipe(
        cookieGate({
          secrets: this.secrets,
          versions,
          tls13: this.handshake13Options && { ...this.handshake13Options, psk: this.handshake13Options.pskLookup !== undefined },
          onRefused: (datagram, reason) => this.eventsSubject.next({ type: 'dropped', peer: datagram.peer, reason }),
          // RFC 9147 §5.1: a 1.3 ClientHello may span datagrams; put together within one server-wide bound.
          fragments: versions.includes('1.3') ? new ClientHelloFragments(CLIENT_HELLO_FRAGMENTS) : undefined,
          reply: (data, datagram, kind) => {
            options.transport.send(data, datagram.peer);
            // A refusing alert is reported by onRefused.
            if (kind !== 'alert') this.eventsSubject.next({ type: 'hello-verify-request', peer: datagram.peer, version: kind === 'hello-retry-request' ? '1.3' : '1.2' });
          },
          onDropped: (datagram, reason) => this.eventsSubject.next({ type: 'dropped', peer: datagram.peer, reason }),
        }),
        takeUntil(this.closing),
      )
      .subscribe((hello) => this.startSession(hello));
  }

  /** The local address the server listens on. */
  address(): PeerAddress {
    return this.options.transport.address();
  }

  /** The limits it runs with (those given, the defaults for the rest) and the socket buffers the kernel granted. */
  get info(): ServerInfo {
    const socketBuffers = this.options.transport.bufferSizes?.();
    return socketBuffers ? { ...this.limits, socketBuffers } : { ...this.limits };
  }

  /** Sessions now, established or handshaking. */
  get sessionCount(): number {
    return this.entries.size;
  }

  /** Async credential lookups running now (at most `maxPendingLookups`), and waiting for their turn. */
  get pendingLookups(): {
    /** Lookups started and not yet settled. */
    readonly running: number;
    /** Lookups waiting for one of those to settle. */
    readonly waiting: number;
  } {
    return { running: this.lookups.inFlight, waiting: this.lookups.queued };
  }

  /** Sessions cached for resumption by session ID now (at most sessionCacheSize). */
  get cachedSessions(): number {
    return this.resumption.cachedSessions;
  }

  /**
   * Replaces the ticket keys (48 bytes each, the current one first; see `ticketKeys`):
   * how a cluster that shares them rotates them. Tickets sealed under a key no longer
   * given fall back to a full handshake.
   */
  setTicketKeys(keys: readonly Uint8Array[]): void {
    checkTicketKeys(keys);
    this.resumption.setTicketKeys(keys);
  }

  /** Bytes from peers all handshakes in progress hold now (at most maxHandshakeBytesTotal). */
  get handshakeBufferBytes(): number {
    return this.handshakeBytes.held;
  }

  /**
   * Closes every session (close_notify to established peers, user_canceled and
   * close_notify to those handshaking), then the transport. Resolves once the transport
   * is closed, the alerts sent; there is no need to await it.
   */
  close(): Promise<void> {
    this.shutDown();
    this.sessionsSubject.complete();
    this.eventsSubject.complete();
    return this.released!;
  }

  /** The transport failed: the sessions end with its error, and so do sessions$ and events$. */
  private fail(error: DtlsError): void {
    if (this.closed) return;
    for (const { session } of [...this.entries.values()]) session.abandon(error);
    this.shutDown();
    this.sessionsSubject.error(error);
    this.eventsSubject.error(error);
  }

  private shutDown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { session } of [...this.entries.values()]) void session.close();
    this.stopIdleSweep();
    this.closing.next();
    this.closing.complete();
    this.released = Promise.resolve(this.options.transport.close());
  }

  private onDatagram(datagram: Datagram): void {
    // RFC 9146: a record with a CID is routed by it, whatever address it came from; an
    // unknown CID is dropped and leaves nothing behind.
    const { connectionIds } = this;
    if (connectionIds !== undefined && connectionIds.carriesCid(datagram.data)) {
      const session = connectionIds.sessionOf(datagram.data);
      if (session) session.receive(datagram.data, datagram.peer);
      else this.eventsSubject.next({ type: 'dropped', peer: datagram.peer, reason: 'unknown connection ID' });
      return;
    }
    const entry = this.entries.get(peerKey(datagram.peer));
    // RFC 6347 §4.2.8: a ClientHello with a new random from a known address is a client
    // that restarted; it goes through the cookie exchange like any newcomer. A repeated
    // one (same random) is a retransmission and belongs to the session.
    if (entry && !startsNewHandshake(datagram.data, entry.clientRandom)) {
      entry.session.receive(datagram.data);
      return;
    }
    this.unverified.next(datagram);
  }

  private startSession({ datagram, record, message, hello, retry13 }: VerifiedHello): void {
    const { peer } = datagram;
    // Where the session is in the map; a NAT rebinding moves it (RFC 9146 §6).
    let key = peerKey(peer);
    const previous = this.entries.get(key);
    if (previous) previous.session.abandon(new DtlsError('ECLOSED', 'the client started a new handshake from the same address'));
    else if (!this.makeRoom(peer)) {
      // The cookie proved the address, so a reply is safe: one small record, and no state kept.
      this.options.transport.send(refusalAlert(record.header.sequenceNumber), peer);
      return;
    }
    // RFC 9146: the CID this session is found by, when the server issues them; it is
    // registered with the session, so the client's Finished, the first record to carry it, finds it.
    const cid = this.connectionIds?.issue();
    if (this.connectionIds !== undefined && cid === undefined) {
      this.eventsSubject.next({ type: 'dropped', peer, reason: 'no free connection ID (connectionId.length too small for this many sessions)' });
      return;
    }

    const budget = this.handshakeBytes.join(this.sessionOptions.maxHandshakeBufferBytes, () =>
      session.refuse(new DtlsError('ENOBUFS', 'evicted: the handshakes in progress hold maxHandshakeBytesTotal')),
    );
    // The handshake keeps the ClientHello (a copy) and its transcript another.
    if (!budget.charge(2 * message.body.length + HANDSHAKE_HEADER_LENGTH)) {
      budget.close();
      this.eventsSubject.next({ type: 'dropped', peer, reason: 'ClientHello larger than the handshake byte budget' });
      return;
    }
    // Tells the handshake's async lookups when it ends, however it ends.
    let lookupsEnd: AbortController | undefined = new AbortController();
    const connectionId = cid && { own: cid, required: this.options.connectionId !== false && this.options.connectionId?.required === true };
    // The gate lets a 1.3 hello (with retry13) through only when 1.3 is accepted.
    const options13 = retry13 && this.handshake13Options;
    const handshake = options13
      ? new ServerHandshake13({ ...options13, signal: lookupsEnd.signal, extensions: { ...options13.extensions, connectionId } }, message, hello, retry13)
      : new ServerHandshake({ ...this.handshakeOptions, signal: lookupsEnd.signal, connectionId }, message, hello);
    const { transport } = this.options;
    // CIDs given to a 1.3 client later (RFC 9147 §9), registered as the first one is, released with it.
    const laterCids: Uint8Array[] = [];
    const newConnectionId = () => {
      const more = cid !== undefined && cid.length > 0 ? this.connectionIds?.issue() : undefined;
      if (more === undefined) return undefined;
      this.connectionIds?.register(more, session);
      laterCids.push(more);
      return more;
    };
    const session: Session = new Session(handshake, this.sessionOptions, (data) => transport.send(data, session.peer), {
      role: 'server',
      peer,
      cidLength: cid?.length,
      newConnectionId,
      onPeerMoved: () => (key = this.onPeerMoved(session, key)),
      firstReceiveSeq: handshake.nextReceiveSeq,
      firstRecordSeq: firstRecordSequence(record.header.sequenceNumber),
      onStateChange: (state) => {
        // Established: no lookup is left running. Closed while handshaking: stop them.
        if (state === 'closed') lookupsEnd?.abort(new DtlsError('ECLOSED', `the handshake with ${peer.address}:${peer.port} ended`));
        if (state !== 'handshaking') lookupsEnd = undefined;
        // A client that did not take the CID leaves no entry behind for its idle life.
        const cidUnused = state === 'established' && session.info?.connectionId === undefined;
        if (cid !== undefined && (state === 'closed' || cidUnused)) this.connectionIds?.release(cid, session);
        if (state === 'closed') for (const later of laterCids) this.connectionIds?.release(later, session);
        this.onSessionState(key, session, state);
      },
      handshakeBudget: budget,
      socketBuffers: transport.bufferSizes?.(),
      forgetSession: (sessionId) => this.resumption.forget(sessionId),
      issueTicket13: (summary) => issueTicket13(summary, this.resumption, this.provider),
    });
    if (cid !== undefined) this.connectionIds?.register(cid, session);
    this.entries.set(key, { session, clientRandom: latin1(hello.random) });
    this.handshaking.add(session);
    this.startIdleSweep();
    this.eventsSubject.next({ type: 'session-start', peer });
    this.sessionsSubject.next(session);
    session.start();
  }

  private onSessionState(key: string, session: Session, state: SessionState): void {
    if (state !== 'handshaking') this.handshaking.delete(session);
    if (state !== 'closed') return;
    if (this.entries.get(key)?.session === session) this.entries.delete(key);
    if (this.entries.size === 0) this.stopIdleSweep();
    if (!this.closed) this.eventsSubject.next({ type: 'session-end', peer: session.peer, error: session.error });
  }

  /**
   * RFC 9146 §6: the session's peer moved; it is found at its new address from now on (its
   * CID finds it anyway), unless another session holds that address. Returns the session's key.
   */
  private onPeerMoved(session: Session, key: string): string {
    const entry = this.entries.get(key);
    const moved = peerKey(session.peer);
    if (entry?.session !== session || this.entries.has(moved)) return key;
    this.entries.delete(key);
    this.entries.set(moved, entry);
    return moved;
  }

  /**
   * Enforces maxSessions and maxHandshakes before a new session; false when there is no
   * room, and the client turned away is told (a fatal internal_error) so that it fails at
   * once with EBUSY rather than retransmitting until its handshake timeout.
   *
   * At maxHandshakes the oldest handshake gives way only if its peer has gone quiet
   * (STALE_HANDSHAKE_TIMERS retransmission timers without a datagram): half-open
   * handshakes cannot lock real clients out for long, but a burst does not evict
   * handshakes that are progressing. Evicting those (and telling them) made each evicted
   * client's ClientHello, still in flight, start a new handshake that evicted another: a
   * burst of 1,000 against 256 completed none.
   */
  private makeRoom(peer: PeerAddress): boolean {
    if (this.entries.size >= this.limits.maxSessions) {
      this.eventsSubject.next({ type: 'dropped', peer, reason: 'maxSessions reached' });
      return false;
    }
    if (this.handshaking.size >= this.limits.maxHandshakes) {
      const [oldest] = this.handshaking;
      const staleAfter = STALE_HANDSHAKE_TIMERS * this.sessionOptions.retransmit.initialTimeout;
      if (this.sessionOptions.scheduler.now() - oldest.lastActivity < staleAfter) {
        this.eventsSubject.next({ type: 'dropped', peer, reason: 'maxHandshakes reached' });
        return false;
      }
      oldest.refuse(new DtlsError('ENOBUFS', `evicted: too many handshakes in progress, and this peer was silent for ${staleAfter} ms`));
    }
    return true;
  }

  /** Sweeps every eighth of idleTimeout from the first session on, so a session idles out within 1.125 × idleTimeout. */
  private startIdleSweep(): void {
    if (this.idleSweep !== undefined || this.closed) return;
    this.idleSweep = interval(Math.max(1, this.idleTimeout / IDLE_SWEEPS_PER_TIMEOUT), this.sessionOptions.scheduler).subscribe(() => this.evictIdle());
  }

  /** No session left to sweep: no timer either, so an idle server lets virtual time run out. */
  private stopIdleSweep(): void {
    this.idleSweep?.unsubscribe();
    this.idleSweep = undefined;
  }

  private evictIdle(): void {
    const now = this.sessionOptions.scheduler.now();
    for (const { session } of [...this.entries.values()]) {
      if (now - session.lastActivity < this.idleTimeout) continue;
      if (session.state === 'established') session.close();
      else session.abandon(new DtlsError('ETIMEDOUT', 'idle'));
    }
  }
}

/**
 * How many initial retransmission timers a handshaking peer must stay silent before a
 * newcomer may evict it at maxHandshakes: a live client answers each of our flights at
 * once, or resends its own after one timer (RFC 6347 §4.2.4.1), so four is at least two
 * datagrams lost in a row, or a peer that has gone.
 */
const STALE_HANDSHAKE_TIMERS = 4;

/**
 * Where the server's epoch-0 records start: after the number of the ClientHello that
 * passed the cookie gate, so the ServerHello never repeats the HelloVerifyRequest's
 * (RFC 6347 §4.2.1). A peer-chosen number near 2^48 would leave no room: start at 0.
 */
function firstRecordSequence(clientHelloSequence: number): number {
  return clientHelloSequence < 2 ** 32 ? clientHelloSequence : 0;
}

/**
 * The answer to a verified ClientHello the server has no room for: an unprotected fatal
 * internal_error (RFC 5246 §7.2.2 has no "busy"; internal_error is the one "unrelated to
 * the peer", such as a memory allocation failure). Like the HelloVerifyRequest it reuses
 * the ClientHello's record sequence number (RFC 6347 §4.2.1).
 */
function refusalAlert(clientHelloSequence: number): Uint8Array {
  const alert = encodeAlert({ level: AlertLevel.fatal, description: AlertDescription.internal_error });
  return new WriteEpochs(clientHelloSequence).seal(0, ContentType.alert, DTLS_1_2, alert);
}

/** Where a ClientHello's random starts in a datagram: record header, handshake header, client_version. */
const RANDOM_OFFSET = RECORD_HEADER_LENGTH + HANDSHAKE_HEADER_LENGTH + 2;

/** Cheap look at a datagram: does it start with an epoch-0 ClientHello whose random is not `known`? */
function startsNewHandshake(data: Uint8Array, known: string): boolean {
  if (data.length < RANDOM_OFFSET + 32) return false;
  if (data[0] !== ContentType.handshake || data[3] !== 0 || data[4] !== 0 || data[RECORD_HEADER_LENGTH] !== HandshakeType.client_hello) {
    return false;
  }
  for (let i = 0; i < 32; i++) if (data[RANDOM_OFFSET + i] !== known.charCodeAt(i)) return true;
  return false;
}

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/** A DTLS server on the transport given (listen binds UDP for you). */
export function createServer(options: ServerOptions): DtlsServer {
  return new DtlsServer(options);
}

export interface ListenOptions extends Omit<ServerOptions, 'transport'>, UdpOptions {
  /**
   * SO_RCVBUF to ask for (default 4 MiB: the kernel's 208 KiB lost datagrams in bursts of
   * handshakes and in pauses). Linux grants at most net.core.rmem_max unless that is raised;
   * `server.info.socketBuffers` says what the socket got.
   */
  readonly recvBufferSize?: number;
  /** Closes the server when it aborts, as node:net's `listen({ signal })` does; before it is bound, listen rejects with ECANCELED. */
  readonly signal?: AbortSignal;
}

/**
 * Binds a UDP socket and serves DTLS on it. Unlike node:dgram's `bind()`, which listens on
 * every address, the default host is 127.0.0.1, deliberately: a server reachable from the
 * network is asked for by name (`host: '0.0.0.0'` or `'::'`). The default port is 5684, the
 * coaps port (RFC 7252 §12.8); 0 picks a free one (`server.address()` tells which). Rejects with a
 * DtlsError: EINVAL for an option it cannot use, EADDRINUSE, EACCES or EADDRNOTAVAIL
 * when the socket cannot be bound, ECANCELED when `signal` aborted first.
 */
export async function listen(options: ListenOptions): Promise<DtlsServer> {
  checkListenOptions(options as unknown as Readonly<Record<string, unknown>>);
  const { signal } = options;
  throwIfAborted(signal);
  const transport = await UdpTransport.bind({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 5684,
    recvBufferSize: options.recvBufferSize ?? DEFAULT_SERVER_RECV_BUFFER,
    sendBufferSize: options.sendBufferSize,
  });
  let server: DtlsServer;
  try {
    throwIfAborted(signal);
    const { signal: _signal, host: _host, port: _port, recvBufferSize: _recv, sendBufferSize: _send, ...serverOptions } = options;
    server = new DtlsServer({ ...serverOptions, keyLog: options.keyLog ?? keyLogFromEnvironment(), transport });
  } catch (error) {
    await transport.close();
    throw error;
  }
  if (signal) {
    const onAbort = (): void => void server.close();
    signal.addEventListener('abort', onAbort, { once: true });
    server.sessions$.subscribe({ complete: () => signal.removeEventListener('abort', onAbort), error: () => signal.removeEventListener('abort', onAbort) });
  }
  return server;
}
