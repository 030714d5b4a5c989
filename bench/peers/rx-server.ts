import type { Suite } from '../fixtures.js';
import { startHost } from './child-host.js';
import type { ServerPeer } from './peer.js';

export function rxServer(provider: 'noble' | 'node'): ServerPeer {
  return {
    name: `rx-dtls [${provider === 'node' ? 'node:crypto' : 'noble'}]`,
    supports: () => true,
    oneClientAtATime: false,
    start: (suite: Suite) => startHost('./rx-server-host.ts', [provider, suite.id]),
  };
}
