import type { ClientPeer, ServerPeer } from '../peers/peer.js';

/** One line of a table: a client implementation against a server implementation. */
export interface Row {
  readonly client: ClientPeer;
  readonly server: ServerPeer;
  /** Why this pair cannot do a workload at all, shown in place of its figures. */
  readonly cannot?: string;
}

export const rowLabel = (row: Row): string => `${row.client.name} → ${row.server.name}`;

/** Why a row has no figure for a suite, or undefined when it can run. */
export function unsupported(row: Row, suite: Parameters<ClientPeer['supports']>[0]): string | undefined {
  if (row.cannot !== undefined) return `n/a: ${row.cannot}`;
  if (!row.client.supports(suite)) return `n/a: ${row.client.name} has no ${suite.id === 'psk' ? 'PSK' : 'ECDHE-ECDSA'} suite`;
  if (!row.server.supports(suite)) return `n/a: ${row.server.name} has no ${suite.id === 'psk' ? 'PSK' : 'ECDHE-ECDSA'} suite`;
  return undefined;
}
