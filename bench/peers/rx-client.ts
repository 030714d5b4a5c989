import { connect, nodeCryptoProvider, nobleProvider, type ClientConnectionIdOption, type CryptoProvider } from '../rx-dtls.js';
import { clientCredentials, P256, type Suite } from '../fixtures.js';
import type { ClientPeer, EchoChannel, Target } from './peer.js';

/** The RFC 6347 §4.2.4.1 default timer (1 s): a shorter one retransmits spuriously when the machine is busy. */
const TIMERS = { handshakeTimeout: 10_000 } as const;

/** `connectionId`: offer Connection IDs (RFC 9146); our servers issue 4-byte ones by default. */
export function rxClient(provider: CryptoProvider, connectionId?: ClientConnectionIdOption): ClientPeer {
  const stores = new Map<string, ReturnType<typeof clientCredentials>>();
  const store = (suite: Suite) => stores.get(suite.id) ?? stores.set(suite.id, clientCredentials(suite)).get(suite.id)!;
  const open = (target: Target, suite: Suite) =>
    connect({ host: target.host, port: target.port, credentials: store(suite), cipherSuites: [suite.iana], groups: [P256], provider, connectionId, ...TIMERS });
  const cid = typeof connectionId === 'object' && connectionId.length !== undefined ? `, CID ${connectionId.length} + 4 B` : '';
  return {
    name: `rx-dtls [${provider === nodeCryptoProvider ? 'node:crypto' : provider === nobleProvider ? 'noble' : provider.name}${cid}]`,
    inProcess: true,
    supports: () => true,
    async handshake(target, suite) {
      (await open(target, suite)).close();
    },
    async open(target, suite): Promise<EchoChannel> {
      const session = await open(target, suite);
      return {
        send: (data) => session.send(data),
        onData: (listener) => void session.data$.subscribe({ next: (d) => listener(d.length), error: () => undefined }),
        close: async () => session.close(),
      };
    },
  };
}
