import { connect, nodeCryptoProvider, nobleProvider, type CryptoProvider } from '../rx-dtls.js';
import { SUITES, clientCredentials, type Suite } from '../fixtures.js';
import type { ClientPeer, EchoChannel, Target } from './peer.js';

const TIMERS = { handshakeTimeout: 10_000 } as const;

export interface Dtls13ClientOptions {
  /** The one 1.3 suite offered. */
  readonly cipherSuite: string;
  /** The groups offered, the first with a key share: psk_dhe_ke when the server takes one, psk_ke when it takes none (RFC 8446 §4.2.9). */
  readonly groups: readonly number[];
  /** How the row names the key exchange this gives against its server. */
  readonly keyExchange: string;
}

/** An rx-dtls client that offers DTLS 1.3 only, with the bench's PSK; the suite given stands for a 1.2 table it sits in (PSK only). */
export function rxClient13(provider: CryptoProvider, options: Dtls13ClientOptions): ClientPeer {
  const credentials = clientCredentials(SUITES.find((s) => s.id === 'psk')!);
  const open = (target: Target) =>
    connect({ host: target.host, port: target.port, credentials, versions: ['1.3'], cipherSuites: [options.cipherSuite], groups: options.groups, provider, ...TIMERS });
  const providerName = provider === nodeCryptoProvider ? 'node:crypto' : provider === nobleProvider ? 'noble' : provider.name;
  return {
    name: `rx-dtls [${providerName}] DTLS 1.3 ${options.keyExchange} ${options.cipherSuite}`,
    inProcess: true,
    supports: (suite: Suite) => suite.id === 'psk',
    async handshake(target) {
      (await open(target)).close();
    },
    async open(target): Promise<EchoChannel> {
      const session = await open(target);
      return {
        send: (data) => session.send(data),
        onData: (listener) => void session.data$.subscribe({ next: (d) => listener(d.length), error: () => undefined }),
        close: async () => session.close(),
      };
    },
  };
}
