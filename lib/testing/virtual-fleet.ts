import { clientSessionOn, type ClientOptions } from '../endpoint/client.js';
import { createServer, type DtlsServer, type ServerOptions } from '../endpoint/server.js';
import type { Session } from '../endpoint/session.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { PeerAddress } from '../transport/datagram.js';
import { MemoryHub, type HubFilter } from './memory-hub.js';
import { VirtualTime } from './virtual-time.js';

/** How {@link virtualFleet} builds its server, clients and network. */
export interface VirtualFleetOptions {
  /** How many clients, each from its own address (10.1.x.y:40000+i). */
  readonly clients: number;
  /** The credentials of every end, unless `server` or `client` gives its own. */
  readonly credentials: CredentialStore;
  /** Server options; the transport and scheduler are the fleet's. */
  readonly server?: Partial<Omit<ServerOptions, 'transport' | 'scheduler'>>;
  /** Options of client `index` (0-based). */
  readonly client?: (index: number) => Partial<Omit<ClientOptions, 'transport' | 'scheduler' | 'host' | 'port'>>;
  /** Decides per datagram whether the network delivers it (default: all). */
  readonly deliver?: HubFilter;
  /** The clock to run on (default a new one). */
  readonly time?: VirtualTime;
  /** The server's address on the network (default 10.0.0.2:5684). */
  readonly serverAddress?: PeerAddress;
}

/** A server and many clients on an in-memory network and one virtual clock, made by {@link virtualFleet}. */
export interface VirtualFleet {
  /** The clock every end runs on; advance it to make anything happen. */
  readonly time: VirtualTime;
  /** The in-memory network joining the ends; `network.endpoint()` adds another end to it. */
  readonly network: MemoryHub;
  /** The DTLS server. */
  readonly server: DtlsServer;
  /** The client sessions, in index order; their handshakes start on the first step of the clock. */
  readonly clients: readonly Session[];
  /** Steps the clock until no client is still handshaking or `limit` ms went by; returns how many are established. */
  runUntilSettled(limit?: number): number;
  /** Closes every client and the server, and runs the clock until nothing is left scheduled. */
  close(): void;
}

const DEFAULT_LIMIT = 120_000;

/**
 * One DTLS server and `clients` clients on an in-memory network, on one virtual
 * clock: a device fleet against a gateway, with its handshakes, limits and
 * timeouts, made synchronously like `virtualPair`.
 *
 * @example
 * const fleet = virtualFleet({ clients: 20, credentials: store, server: { maxSessions: 10 } });
 * fleet.runUntilSettled(); // 10: the server turned the other clients away after their cookie exchange
 * fleet.close();
 */
export function virtualFleet(options: VirtualFleetOptions): VirtualFleet {
  const time = options.time ?? new VirtualTime();
  const { scheduler } = time;
  const network = new MemoryHub(scheduler, options.deliver);
  const serverAddress = options.serverAddress ?? { address: '10.0.0.2', port: 5684 };
  const server = createServer({ credentials: options.credentials, ...options.server, transport: network.endpoint(serverAddress), scheduler });
  const ends = Array.from({ length: options.clients }, (_, i) => network.endpoint({ address: `10.1.${(i >> 8) & 0xff}.${i & 0xff}`, port: 40_000 + i }));
  const clients = ends.map((end, i) =>
    clientSessionOn(end, {
      credentials: options.credentials,
      ...options.client?.(i),
      host: serverAddress.address,
      port: serverAddress.port,
      scheduler,
    }),
  );
  const established = () => clients.filter((c) => c.state === 'established').length;
  return {
    time,
    network,
    server,
    clients,
    runUntilSettled(limit = DEFAULT_LIMIT) {
      time.runUntil(() => clients.every((c) => c.state !== 'handshaking'), limit);
      return established();
    },
    close() {
      clients.forEach((c) => c.close());
      server.close();
      ends.forEach((end) => end.close());
      time.runUntil(() => time.pending === 0, DEFAULT_LIMIT, 1_000);
    },
  };
}
