import { listen, nodeCryptoProvider } from '../rx-dtls.js';
import { SUITES, serverCredentials } from '../fixtures.js';
import { announce } from '../peers/child-host.js';

// argv: maxHandshakes (or "default"). A PSK echo server with the library's defaults otherwise.
const [maxHandshakes] = process.argv.slice(2);
const suite = SUITES.find((s) => s.id === 'psk')!;
const server = await listen({
  host: '127.0.0.1',
  port: 0,
  credentials: serverCredentials(suite),
  provider: nodeCryptoProvider,
  ...(maxHandshakes === undefined || maxHandshakes === 'default' ? {} : { maxHandshakes: Number(maxHandshakes) }),
});
server.sessions$.subscribe((session) => session.data$.subscribe((data) => session.send(data)));
announce(server.address().port, () => server.close());
