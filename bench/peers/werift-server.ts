import { startHost } from './child-host.js';
import type { ServerPeer } from './peer.js';

export const weriftServer: ServerPeer = {
  name: 'werift-dtls',
  supports: (suite) => suite.id === 'ecdsa',
  oneClientAtATime: false,
  start: () => startHost('./werift-server-host.ts', []),
};
