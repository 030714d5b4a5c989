import type { Suite } from '../fixtures.js';
import { startHost } from './child-host.js';
import type { ServerPeer } from './peer.js';

/**
 * An rx-dtls echo server in its own process. With `dtls13` it accepts 1.2 and 1.3 (PSK
 * only: 1.3 has no certificates yet) and takes the (EC)DHE groups given, in order.
 */
export function rxServer(provider: 'noble' | 'node', dtls13?: { readonly groups: readonly number[] }): ServerPeer {
  const name = `rx-dtls [${provider === 'node' ? 'node:crypto' : 'noble'}]`;
  return {
    name: dtls13 ? `${name} 1.2+1.3` : name,
    supports: (suite) => !dtls13 || suite.id === 'psk',
    oneClientAtATime: false,
    start: (suite: Suite) => startHost('./rx-server-host.ts', dtls13 ? [provider, suite.id, '1.3', dtls13.groups.join(',')] : [provider, suite.id]),
  };
}
