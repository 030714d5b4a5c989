import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { DtlsError } from '../dtls-error.js';
import { createServer, type DtlsServer, type ServerEvent, type ServerOptions } from '../endpoint/server.js';
import { DEFAULT_SERVER_CID_LENGTH } from '../endpoint/connection-id-options.js';
import type { ClusterWorkerData, PortableServerEvent } from './cluster-messages.js';
import { PortTransport } from './port-transport.js';

/** A cluster worker's server options: those of createServer, less what the primary decides for every worker. */
export type ClusterWorkerOptions = Omit<ServerOptions, 'transport' | 'masterSecret'>;

/**
 * In a worker thread that listenCluster started: the DtlsServer of this worker, with the
 * Observable API of any server (`sessions$`, each session's `data$` and `events$`, `events$`),
 * for the sessions the primary routes here. Its cookie secrets and ticket keys come from
 * the cluster's master secret, so it verifies cookies and resumes tickets of any worker; the
 * Connection IDs it issues start with its index, so a client that moved still reaches it.
 * Its events also go to the primary's `events$`. Closing the cluster closes it.
 *
 * Throws DtlsError EINVAL outside a worker of listenCluster, or for options createServer refuses.
 */
export function serveClusterWorker(options: ClusterWorkerOptions): DtlsServer {
  const setup = (workerData as ClusterWorkerData | undefined)?.rxDtlsClusterWorker;
  if (isMainThread || parentPort === null || setup === undefined) {
    throw new DtlsError('EINVAL', 'serveClusterWorker runs in a worker thread that listenCluster started');
  }
  const { index, masterSecret, local } = setup;
  const transport = new PortTransport(parentPort, local);
  const server = createServer({ ...options, connectionId: withWorkerPrefix(options.connectionId, index), masterSecret, transport });
  server.events$.subscribe({ next: (event) => transport.post({ type: 'event', event: portable(event) }), error: () => undefined });
  parentPort.on('message', (message: { type: string }) => {
    if (message.type === 'close') void server.close();
  });
  transport.post({ type: 'ready' });
  return server;
}

/** The worker's CIDs start with its index (RFC 9146 leaves their content to the issuer); CIDs stay off when the options turn them off. */
function withWorkerPrefix(option: ClusterWorkerOptions['connectionId'], index: number): ClusterWorkerOptions['connectionId'] {
  if (option === false) return false;
  const length = option?.length ?? DEFAULT_SERVER_CID_LENGTH;
  // A zero-length CID finds nothing, so it needs no prefix (and has no room for one).
  return length === 0 ? option : { ...option, length, prefix: new Uint8Array([index]) };
}

/** A server event as it crosses to the primary: a DtlsError does not survive structured cloning as one, so its code and message go. */
function portable(event: ServerEvent): PortableServerEvent {
  if (event.type !== 'session-end' || event.error === undefined) return event as PortableServerEvent;
  return { type: 'session-end', peer: event.peer, error: { code: event.error.code, message: event.error.message } };
}
