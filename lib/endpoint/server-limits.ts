import type { SocketBufferSizes } from '../transport/datagram.js';

/** The limits a server runs with: those given, the defaults for the rest. */
export interface ServerLimits {
  /** Sessions at once, established or handshaking. */
  readonly maxSessions: number;
  /** Handshakes in progress at once. */
  readonly maxHandshakes: number;
  /** Bytes from peers all handshakes in progress hold together. */
  readonly maxHandshakeBytesTotal: number;
  /** Async credential lookups running at once. */
  readonly maxPendingLookups: number;
}

/**
 * The defaults are sized from memory (bench/load/memory-per-peer.ts measures what a server
 * holds per peer, node:crypto; docs/reliability.md has the figures), for a gateway that can
 * give DTLS state about half a GiB at worst:
 * - an established session holds 5.4 KB (PSK) to 8.4 KB (ECDHE-ECDSA) while its final
 *   flight is kept, less once idle, so 32,768 of them take at most about 270 MiB;
 * - a handshake in progress holds 32 KB (PSK) to 34 KB (ECDHE-ECDSA) of objects, so 8,192
 *   of them take about 270 MiB: enough for a burst of 5,000 clients to be let in even
 *   when they are slow to finish (with 4,096, 5,000 clients from one process on the loaded
 *   2-core machine: 3,534 turned away);
 * - what handshakes hold from their peers is capped apart: a quarter of maxHandshakes ×
 *   maxHandshakeBufferBytes, at most 16 MiB, so peers that fill their budgets cannot make
 *   8,192 handshakes cost 8,192 × 64 KiB (genuine ones hold at most 1.4 KB each).
 */
export const DEFAULT_SERVER_LIMITS: Omit<ServerLimits, 'maxHandshakeBytesTotal'> = {
  maxSessions: 32_768,
  maxHandshakes: 8_192,
  maxPendingLookups: 32,
};

/** The most the maxHandshakeBytesTotal default grows to. */
export const MAX_DEFAULT_HANDSHAKE_BYTES_TOTAL = 16 * 2 ** 20;

/**
 * The receive buffer listen() asks for: a burst of handshakes or a pause of the process
 * queues datagrams here, and the kernel's default (about 208 KiB, some 250 small
 * datagrams) lost thousands of them (docs/reliability.md, "Load and faults"). Linux grants
 * at most net.core.rmem_max unless that is raised, and reports twice what it granted.
 */
export const DEFAULT_SERVER_RECV_BUFFER = 4 * 2 ** 20;

/** The limits in `options` over the defaults; maxHandshakeBytesTotal's follows maxHandshakes and the per-handshake budget. */
export function serverLimits(options: Partial<ServerLimits>, maxHandshakeBufferBytes: number): ServerLimits {
  const maxHandshakes = options.maxHandshakes ?? DEFAULT_SERVER_LIMITS.maxHandshakes;
  return {
    maxSessions: options.maxSessions ?? DEFAULT_SERVER_LIMITS.maxSessions,
    maxHandshakes,
    maxHandshakeBytesTotal: options.maxHandshakeBytesTotal ?? Math.min(MAX_DEFAULT_HANDSHAKE_BYTES_TOTAL, Math.floor((maxHandshakes * maxHandshakeBufferBytes) / 4)),
    maxPendingLookups: options.maxPendingLookups ?? DEFAULT_SERVER_LIMITS.maxPendingLookups,
  };
}

/** What a server reports about itself (`server.info`). */
export interface ServerInfo extends ServerLimits {
  /** The kernel buffers of its UDP socket as granted, when it runs on one. */
  readonly socketBuffers?: SocketBufferSizes;
}
