import type { DtlsErrorCode } from '../dtls-error.js';
import type { ServerEvent } from '../endpoint/server.js';
import type { PeerAddress } from '../transport/datagram.js';

/**
 * What the primary of a listenCluster hands each worker thread (its `workerData`): which
 * worker it is, the master secret every worker derives cookie secrets and ticket keys from,
 * and the address they all serve. `options` is the application's own, passed through.
 */
export interface ClusterWorkerData {
  readonly rxDtlsClusterWorker: {
    /** 0 to workers - 1: the first byte of every Connection ID this worker issues. */
    readonly index: number;
    readonly masterSecret: Uint8Array;
    /** The primary's UDP address, which is the address every session is with. */
    readonly local: PeerAddress;
  };
  readonly options?: unknown;
}

/** A datagram from the network to the worker that owns its peer; `data` is transferred, not copied. */
export interface DatagramMessage {
  readonly type: 'datagram';
  readonly data: ArrayBuffer;
  readonly address: string;
  readonly port: number;
}

/** Primary to worker. */
export type ToWorker = DatagramMessage | { readonly type: 'close' };

/** A server event as it crosses threads: an error becomes its code and message, rebuilt as a DtlsError in the primary. */
export type PortableServerEvent =
  | Exclude<ServerEvent, { type: 'session-end' }>
  | { readonly type: 'session-end'; readonly peer: PeerAddress; readonly error?: { readonly code: DtlsErrorCode; readonly message: string } };

/** Worker to primary. */
export type FromWorker =
  | { readonly type: 'ready' }
  /** A datagram to send from the shared socket; `data` is a copy of the worker's, transferred. */
  | { readonly type: 'send'; readonly data: ArrayBuffer; readonly address: string; readonly port: number }
  | { readonly type: 'event'; readonly event: PortableServerEvent }
  /** The worker took `count` more datagrams off its port: the primary's bound on what it queues to it. */
  | { readonly type: 'consumed'; readonly count: number }
  /** The worker's server closed: its last close_notify alerts were sent before this. */
  | { readonly type: 'closed' };
