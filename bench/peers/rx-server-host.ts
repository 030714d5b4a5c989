import { listen, nobleProvider, nodeCryptoProvider } from '../rx-dtls.js';
import { P256, SUITES, TLS13_PSK_SUITES, serverCredentials } from '../fixtures.js';
import { announce } from './child-host.js';

// argv: provider (noble | node), suite id, and for a server that accepts DTLS 1.3 as well
// "1.3" and its groups in order of preference (comma-separated code points). An echo
// server, as every server row is.
const [providerName, suiteId, version, groups] = process.argv.slice(2);
const suite = SUITES.find((s) => s.id === suiteId)!;
const dtls13 = version === '1.3';
const server = await listen({
  host: '127.0.0.1',
  port: 0,
  credentials: serverCredentials(suite),
  cipherSuites: dtls13 ? [suite.iana, ...TLS13_PSK_SUITES] : [suite.iana],
  groups: dtls13 ? groups.split(',').map(Number) : [P256],
  versions: dtls13 ? ['1.2', '1.3'] : ['1.2'],
  provider: providerName === 'node' ? nodeCryptoProvider : nobleProvider,
  maxHandshakes: 1024,
  maxSessions: 100_000,
});
server.sessions$.subscribe((session) => session.data$.subscribe({ next: (data) => session.send(data), error: () => undefined }));
announce(server.address().port, () => server.close());
