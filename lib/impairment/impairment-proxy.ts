import { Subject, Subscription, asyncScheduler, identity, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { impair, type ImpairOptions, type ImpairmentKind } from './impair.js';
import { peerKey, type Datagram, type PeerAddress } from '../transport/datagram.js';
import { UdpTransport } from '../transport/udp.js';

/** How one direction is impaired. Client n (0 for the first to arrive) is impaired with seed + n. */
export type ProxyImpairment = Omit<ImpairOptions, 'scheduler' | 'onImpairment'>;

/** Towards the target (client to server), or back to the client. */
export type ProxyDirection = 'to-target' | 'to-client';

/** Where the proxy listens, where it forwards, and how it impairs each direction. */
export interface ImpairmentProxyOptions {
  /** Where datagrams from clients go: an IP address and port (replies are matched against it). */
  readonly target: PeerAddress;
  /** Address to listen on (default 127.0.0.1); outgoing sockets bind to it too. */
  readonly host?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Impairment from clients to the target (default none). */
  readonly toTarget?: ProxyImpairment;
  /** Impairment from the target back to clients (default none). */
  readonly toClient?: ProxyImpairment;
  /** Runs impairment delays and hold times (default asyncScheduler). */
  readonly scheduler?: SchedulerLike;
  /** Told of each impairment, with its direction and the client it concerns. */
  readonly onImpairment?: (direction: ProxyDirection, kind: ImpairmentKind, datagram: Datagram, client: PeerAddress) => void;
}

/** A client the proxy has seen, and the port it speaks to the target from. */
export interface ProxiedClient {
  /** The client's address as the proxy sees it. */
  readonly client: PeerAddress;
  /** The local address the proxy forwards its datagrams from. */
  readonly upstream: PeerAddress;
}

/** Datagrams of a new client held while its socket is bound. */
const MAX_WAITING = 64;

/** One client's path: its own outgoing socket, as a NAT gives each inside host its own mapping. */
interface Flow {
  readonly client: PeerAddress;
  readonly toTarget: Subject<Datagram>;
  readonly toClient: Subject<Datagram>;
  readonly pipes: Subscription;
  upstream: UdpTransport;
  upstreamInput: Subscription;
}

/**
 * A UDP proxy on loopback that puts the seeded impairment of `impair()` (loss,
 * duplication, reordering, bit flips, MTU, delay) between real DTLS peers, in
 * each direction. Each client gets its own outgoing socket, so the target sees
 * one source port per client, as behind a NAT; `rebind()` moves a client to a
 * new outgoing port mid-session, which is a NAT rebinding as the target sees it.
 * For tests and labs: a datagram to the proxy from a new address makes a new flow.
 */
export class ImpairmentProxy {
  private readonly flows = new Map<string, Flow>();
  /** Datagrams of clients whose outgoing socket is being bound. */
  private readonly opening = new Map<string, Datagram[]>();
  /** Clients (by key; '*' for whichever sends next) whose next datagram leaves from a new port. */
  private readonly rebindArmed = new Set<string>();
  private readonly input: Subscription;
  private closed = false;

  private constructor(
    private readonly listener: UdpTransport,
    private readonly options: ImpairmentProxyOptions,
  ) {
    this.input = listener.datagrams$.subscribe((datagram) => this.fromClient(datagram));
  }

  /** Binds the listening socket and starts forwarding. */
  static async start(options: ImpairmentProxyOptions): Promise<ImpairmentProxy> {
    const listener = await UdpTransport.bind({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
    return new ImpairmentProxy(listener, options);
  }

  /** Where clients send to. */
  address(): PeerAddress {
    return this.listener.address();
  }

  /** The clients seen so far, with the port each speaks to the target from. */
  clients(): ProxiedClient[] {
    return [...this.flows.values()].map((f) => ({ client: f.client, upstream: f.upstream.address() }));
  }

  /**
   * Gives a client (default: every client) a new outgoing port and closes the old one:
   * from now on the target sees its datagrams come from elsewhere, and whatever the
   * target still sends to the old port is lost. Resolves with the new upstream addresses.
   */
  async rebind(client?: PeerAddress): Promise<PeerAddress[]> {
    const flows = [...this.flows.values()].filter((f) => client === undefined || peerKey(f.client) === peerKey(client));
    const moved: PeerAddress[] = [];
    for (const flow of flows) {
      const next = await this.bindUpstream();
      if (this.closed) {
        next.close();
        break;
      }
      const old = flow.upstream;
      flow.upstreamInput.unsubscribe();
      flow.upstream = next;
      flow.upstreamInput = this.forwardReplies(next, flow);
      old.close();
      moved.push(next.address());
    }
    return moved;
  }

  /**
   * The next datagram of a client (default: of whichever client sends next), and those
   * after it, leave from a new outgoing port: a NAT rebinding between two datagrams of a
   * session, wherever it is in its exchange. Datagrams that arrive while the new port is
   * being bound wait for it, in order.
   */
  rebindOnNextDatagram(client?: PeerAddress): void {
    this.rebindArmed.add(client === undefined ? '*' : peerKey(client));
  }

  /** Stops forwarding and closes every socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.input.unsubscribe();
    for (const flow of this.flows.values()) {
      flow.pipes.unsubscribe();
      flow.upstreamInput.unsubscribe();
      flow.upstream.close();
    }
    this.flows.clear();
    this.opening.clear();
    this.listener.close();
  }

  private fromClient(datagram: Datagram): void {
    const key = peerKey(datagram.peer);
    const flow = this.flows.get(key);
    if (flow && !this.opening.has(key) && (this.rebindArmed.delete(key) || this.rebindArmed.delete('*'))) {
      // Held as a new client's datagrams are, until the new port is bound, then sent from it.
      this.opening.set(key, [datagram]);
      this.rebind(flow.client).then(
        () => this.release(key, flow),
        () => this.opening.delete(key),
      );
      return;
    }
    if (flow && !this.opening.has(key)) {
      flow.toTarget.next(datagram);
      return;
    }
    // A new client (or one being moved): its datagrams wait, in order, while its outgoing socket is bound.
    const waiting = this.opening.get(key);
    if (waiting) {
      if (waiting.length < MAX_WAITING) waiting.push(datagram);
      return;
    }
    this.opening.set(key, [datagram]);
    this.openFlow(datagram.peer).then(
      (opened) => this.release(key, opened),
      // No socket for this client (out of ports): its datagrams are lost, as UDP may lose them.
      () => this.opening.delete(key),
    );
  }

  /** Sends the datagrams held for a client while its socket was bound. */
  private release(key: string, flow: Flow | undefined): void {
    const queued = this.opening.get(key) ?? [];
    this.opening.delete(key);
    queued.forEach((d) => flow?.toTarget.next(d));
  }

  private async openFlow(client: PeerAddress): Promise<Flow | undefined> {
    const upstream = await this.bindUpstream();
    if (this.closed) {
      upstream.close();
      return undefined;
    }
    const index = this.flows.size;
    const { target } = this.options;
    const flow: Flow = {
      client,
      toTarget: new Subject<Datagram>(),
      toClient: new Subject<Datagram>(),
      pipes: new Subscription(),
      upstream,
      upstreamInput: Subscription.EMPTY,
    };
    flow.pipes.add(
      flow.toTarget.pipe(this.stage('to-target', this.options.toTarget, index, client)).subscribe((d) => flow.upstream.send(d.data, target)),
    );
    flow.pipes.add(flow.toClient.pipe(this.stage('to-client', this.options.toClient, index, client)).subscribe((d) => this.listener.send(d.data, client)));
    flow.upstreamInput = this.forwardReplies(upstream, flow);
    this.flows.set(peerKey(client), flow);
    return flow;
  }

  /** Only the target's datagrams go back to the client: the port is the client's mapping, not an open relay. */
  private forwardReplies(upstream: UdpTransport, flow: Flow): Subscription {
    const target = peerKey(this.options.target);
    return upstream.datagrams$.subscribe((d) => {
      if (peerKey(d.peer) === target) flow.toClient.next(d);
    });
  }

  private stage(direction: ProxyDirection, impairment: ProxyImpairment | undefined, index: number, client: PeerAddress): MonoTypeOperatorFunction<Datagram> {
    if (!impairment) return identity;
    const { onImpairment } = this.options;
    return impair({
      ...impairment,
      seed: impairment.seed + index,
      scheduler: this.options.scheduler ?? asyncScheduler,
      onImpairment: onImpairment && ((kind, datagram) => onImpairment(direction, kind, datagram, client)),
    });
  }

  private bindUpstream(): Promise<UdpTransport> {
    return UdpTransport.bind({ host: this.options.host ?? '127.0.0.1', port: 0 });
  }
}
