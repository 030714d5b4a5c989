/**
 * One rx-dtls node of the nginx deployment (examples/nginx/nginx.conf): a PSK echo server
 * on 127.0.0.1 whose answers start with the node's name, so a client sees which node
 * served it. Every node is configured with the same master secret, from which each derives
 * on its own the cookie secret and the ticket key of each period (`masterSecret`): any node
 * verifies another's cookies and resumes another's sessions (RFC 5077 tickets), so a
 * client whose node died resumes on another with an abbreviated handshake instead of a
 * full one, and the keys rotate with nothing exchanged between the nodes.
 *
 *   (umask 077; openssl rand -hex 32 > master-secret)
 *   npx tsx examples/nginx/echo-node.ts --name a --port 5701 --master-secret master-secret
 *
 * The master-secret file: at least 32 random bytes in hex. It is the secret of every
 * session resumed by ticket: a file only the service may read, never an argument.
 *
 * Prints one JSON line once listening, {"listening":PORT}, then one per completed
 * handshake, {"handshake":"full"|"resumed"}.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { credentials, listen, utf8 } from '../../lib/index.js';

const { values } = parseArgs({
  options: {
    name: { type: 'string', default: 'node' },
    port: { type: 'string', default: '5701' },
    psk: { type: 'string', default: 'Client_identity:secretPSK' },
    'master-secret': { type: 'string' },
  },
});
if (values['master-secret'] === undefined) throw new Error('--master-secret FILE is required: the secret every node shares');
const masterSecret = new Uint8Array(Buffer.from(readFileSync(values['master-secret'], 'utf8').trim(), 'hex'));
const [identity, key] = values.psk.split(':');

const server = await listen({
  host: '127.0.0.1',
  port: Number(values.port),
  credentials: credentials().psk({ tag: 0, identity, key: utf8(key) }),
  masterSecret,
});
const prefix = utf8(`${values.name}|`);
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

server.sessions$.subscribe((session) => {
  session.events$.subscribe({
    next: (event) => {
      if (event.type === 'handshake-complete') print({ handshake: event.resumed ? 'resumed' : 'full' });
    },
    error: () => undefined,
  });
  session.data$.subscribe({
    next: (data) => {
      const answer = new Uint8Array(prefix.length + data.length);
      answer.set(prefix);
      answer.set(data, prefix.length);
      session.send(answer);
    },
    error: () => undefined,
  });
});
print({ listening: server.address().port });
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void server.close().then(() => process.exit(0)));
