import { bytesToHex } from '@noble/hashes/utils.js';
import { Observable, Subject, filter, merge, type MonoTypeOperatorFunction } from 'rxjs';
import type { CryptoProvider } from '../../../lib/crypto/provider.js';
import { openClientSession, type ClientOptions } from '../../../lib/endpoint/client.js';
import { createServer, type DtlsServer, type ServerOptions } from '../../../lib/endpoint/server.js';
import type { Session } from '../../../lib/endpoint/session.js';
import type { Datagram, DatagramTransport, PeerAddress } from '../../../lib/transport/datagram.js';
import { memoryLink } from '../../../lib/transport/memory.js';
import type { KeyExchangeSetup } from './key-exchanges.js';
import { seededProvider } from './seeded-provider.js';
import { VirtualTime } from '../../../lib/testing/index.js';

/** c>s: from the client to the server; s>c: the other way. */
export type Direction = 'c>s' | 's>c';

/**
 * What the network does to one datagram: the datagrams to deliver in its place
 * (none to drop it, the same to pass it, altered, duplicated, or with forgeries).
 */
export type Tamper = (direction: Direction, data: Uint8Array) => readonly Uint8Array[];

export const CLIENT_ADDRESS: PeerAddress = { address: '10.0.0.1', port: 40001 };
export const SERVER_ADDRESS: PeerAddress = { address: '10.0.0.2', port: 5684 };

export interface LabOptions {
  readonly setup: KeyExchangeSetup;
  /** Seeds the endpoints' randomness, so the same seed gives the same handshake bytes. */
  readonly seed: number;
  readonly tamper?: Tamper;
  readonly server?: Partial<Omit<ServerOptions, 'transport' | 'credentials'>>;
  readonly client?: Partial<Omit<ClientOptions, 'transport' | 'credentials' | 'host' | 'port'>>;
  /** Build the client (false: a scripted peer plays the client from the client's address). */
  readonly withClient?: boolean;
  /** Build the server (false: a scripted peer plays the server). */
  readonly withServer?: boolean;
}

/** What the state machines hold that the fuzz invariants look at (private in lib, read here on purpose). */
/** The client's state machine, reached through its session's handshake driver (present until established). */
/** The genuine client's state machine. */
interface ClientInternals {
  readonly driver: { readonly handshake: { readonly random: Uint8Array } };
}

/** A state of the client's machine; those from its flight 5 until the end hold its keys. */
interface ClientState {
  readonly keyed?: { readonly keys: { readonly masterSecret: Uint8Array } };
}

/**
 * Calls `onKeys` with the master secret as soon as the client's state machine enters a state
 * that holds it: the states after (established, failed) let go of the keys, and the
 * invariant needs them even when a forged message failed the client after its flight 5.
 */
function watchMasterSecret(handshake: object, onKeys: (masterSecret: Uint8Array) => void): void {
  let state = Reflect.get(handshake, 'state') as ClientState;
  Object.defineProperty(handshake, 'state', {
    get: () => state,
    set: (next: ClientState) => {
      if (next.keyed) onKeys(next.keyed.keys.masterSecret);
      state = next;
    },
  });
}


/**
 * A DtlsServer and a client Session joined by memoryLink in virtual time, with a
 * tamper stage on the link in both directions and a way to inject datagrams as
 * if sent by either side. Records what was sent and what each endpoint concluded.
 */
export class Lab {
  readonly clock = new VirtualTime();
  readonly provider: CryptoProvider;
  client?: Session;
  readonly serverSessions: Session[] = [];
  /** Genuine datagrams as sent, before the tamper stage. */
  readonly sent: Array<{ direction: Direction; data: Uint8Array }> = [];
  /** Datagrams handed to the endpoints (genuine, tampered or injected). */
  delivered = 0;
  /** NSS key log lines of handshakes the server completed. */
  readonly serverKeyLog: string[] = [];
  /** Application data each endpoint delivered to its user. */
  readonly received = { server: [] as Uint8Array[], client: [] as Uint8Array[] };

  /** The two ends of the link: what arrives at each can be watched here (a scripted peer reads them). */
  readonly clientEnd: DatagramTransport;
  readonly serverEnd: DatagramTransport;
  private readonly dtlsServer?: DtlsServer;
  private readonly injections = new Subject<{ direction: Direction; data: Uint8Array }>();
  private linkCalls = 0;

  constructor(private readonly options: LabOptions) {
    const { setup, seed } = options;
    this.provider = seededProvider(seed);
    const tamper = options.tamper ?? ((_direction, data) => [data]);
    const link: MonoTypeOperatorFunction<Datagram> = (source) => {
      // memoryLink applies the link to the first end's sends first (see lib/transport/memory.ts).
      const direction: Direction = this.linkCalls++ === 0 ? 'c>s' : 's>c';
      const destination = direction === 'c>s' ? SERVER_ADDRESS : CLIENT_ADDRESS;
      const genuine = new Observable<Datagram>((subscriber) =>
        source.subscribe({
          next: (datagram) => {
            if (datagram.peer.port !== destination.port) throw new Error(`lab: a ${direction} datagram went to port ${datagram.peer.port}`);
            this.sent.push({ direction, data: datagram.data });
            for (const data of tamper(direction, datagram.data)) subscriber.next({ data, peer: datagram.peer });
          },
          complete: () => subscriber.complete(),
        }),
      );
      const injected = this.injections.pipe(
        filter((i) => i.direction === direction),
        (i$) => new Observable<Datagram>((s) => i$.subscribe((i) => s.next({ data: i.data, peer: destination }))),
      );
      return merge(genuine, injected);
    };
    const [clientEnd, serverEnd] = memoryLink(CLIENT_ADDRESS, SERVER_ADDRESS, { scheduler: this.clock.scheduler, link });
    this.clientEnd = clientEnd;
    this.serverEnd = serverEnd;
    serverEnd.datagrams$.subscribe(() => this.delivered++);
    clientEnd.datagrams$.subscribe(() => this.delivered++);
    if (options.withServer === false) return;
    const server = createServer({
      transport: serverEnd,
      credentials: setup.server.credentials,
      clientAuth: setup.server.clientAuth,
      cipherSuites: [setup.cipherSuite],
      scheduler: this.clock.scheduler,
      provider: this.provider,
      keyLog: (line) => this.serverKeyLog.push(line.trim()),
      handshakeTimeout: 20_000,
      ...options.server,
    });
    this.dtlsServer = server;
    server.sessions$.subscribe((session) => {
      this.serverSessions.push(session);
      session.data$.subscribe({ next: (data) => {
        this.received.server.push(data);
        if (session.state === 'established') session.send(data);
      }, error: () => undefined });
    });
  }

  get server(): DtlsServer {
    if (!this.dtlsServer) throw new Error('lab: built without a server');
    return this.dtlsServer;
  }

  private clientHandshake?: ClientInternals['driver']['handshake'];
  private clientMasterSecret?: Uint8Array;

  /** Opens the genuine client (unless withClient is false) and lets the clock start running. */
  async start(): Promise<this> {
    if (this.options.withClient === false) return this;
    const { setup } = this.options;
    this.client = await openClientSession({
      host: SERVER_ADDRESS.address,
      port: SERVER_ADDRESS.port,
      transport: this.clientEnd,
      credentials: setup.client.credentials,
      serverName: setup.client.serverName,
      cipherSuites: [setup.cipherSuite],
      scheduler: this.clock.scheduler,
      provider: this.provider,
      handshakeTimeout: 20_000,
      keyLog: undefined,
      ...this.options.client,
    });
    this.client.data$.subscribe({ next: (data) => this.received.client.push(data), error: () => undefined });
    // The session lets go of its state machine once established; keep it for the invariant.
    this.clientHandshake = (this.client as unknown as ClientInternals).driver.handshake;
    watchMasterSecret(this.clientHandshake, (secret) => (this.clientMasterSecret = secret));
    return this;
  }

  /** Delivers a datagram as if the client (c>s) or the server (s>c) had sent it, bypassing the tamper stage. */
  inject(direction: Direction, data: Uint8Array): void {
    this.injections.next({ direction, data });
  }

  get serverEstablished(): Session[] {
    return this.serverSessions.filter((s) => s.info !== undefined);
  }

  /** The master secret the genuine client derived (set once it sent its Finished), as a key log line. */
  clientKeyLine(): string | undefined {
    const handshake = this.clientHandshake;
    const secret = this.clientMasterSecret;
    return handshake && secret && `CLIENT_RANDOM ${bytesToHex(handshake.random)} ${bytesToHex(secret)}`;
  }

  /**
   * The handshake-soundness invariant: a session is established only when the
   * genuine peer completed the same handshake. Every key log line of the server
   * must be the genuine client's master secret (an attacker alone cannot get
   * there), and the client may be established only if the server was, with that
   * same secret. Returns what broke, or nothing.
   */
  establishmentViolations(): string[] {
    const problems: string[] = [];
    const clientLine = this.clientKeyLine();
    for (const line of this.serverKeyLog) {
      if (line !== clientLine) problems.push(`server established a handshake the genuine client did not make (${line.slice(0, 40)}...)`);
    }
    if (this.client?.info && (clientLine === undefined || !this.serverKeyLog.includes(clientLine))) {
      problems.push('client established without the server completing the same handshake');
    }
    return problems;
  }

  /** Application data must come only from the genuine peer, each record at most once. */
  dataViolations(sentByClient: readonly string[]): string[] {
    const problems: string[] = [];
    const text = (d: Uint8Array): string => new TextDecoder().decode(d);
    const seen = new Set<string>();
    for (const data of this.received.server) {
      const t = text(data);
      if (!sentByClient.includes(t)) problems.push(`server delivered data the client never sent: ${bytesToHex(data).slice(0, 40)}`);
      if (seen.has(t)) problems.push(`server delivered ${t} twice`);
      seen.add(t);
    }
    seen.clear();
    for (const data of this.received.client) {
      const t = text(data);
      if (!sentByClient.includes(t)) problems.push(`client delivered data the server never echoed: ${bytesToHex(data).slice(0, 40)}`);
      if (seen.has(t)) problems.push(`client delivered ${t} twice`);
      seen.add(t);
    }
    return problems;
  }

  close(): void {
    this.client?.close();
    this.dtlsServer?.close();
    this.clientEnd.close();
    this.serverEnd.close();
    this.clock.advanceBy(1);
  }
}
