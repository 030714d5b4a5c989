import { listen, nobleProvider, nodeCryptoProvider } from '../rx-dtls.js';
import { P256, SUITES, serverCredentials } from '../fixtures.js';
import { announce } from './child-host.js';

// argv: provider (noble | node) and suite id. An echo server, as every server row is.
const [providerName, suiteId] = process.argv.slice(2);
const suite = SUITES.find((s) => s.id === suiteId)!;
const server = await listen({
  host: '127.0.0.1',
  port: 0,
  credentials: serverCredentials(suite),
  cipherSuites: [suite.iana],
  groups: [P256],
  provider: providerName === 'node' ? nodeCryptoProvider : nobleProvider,
  maxHandshakes: 1024,
  maxSessions: 100_000,
});
server.sessions$.subscribe((session) => session.data$.subscribe({ next: (data) => session.send(data), error: () => undefined }));
announce(server.address().port, () => server.close());
