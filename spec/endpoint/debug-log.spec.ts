import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { EscapeTrap } from '../fuzz/helpers/escape-trap.js';
import { CLIENT_ADDRESS, SERVER_ADDRESS, pskStore, startPair } from './helpers/pair.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('debug log', () => {
  it('tells the handshake and the close, naming the peer, and never the PSK or the master secret', async () => {
    const lines: string[] = [];
    const keyLog: string[] = [];
    const pair = await startPair({
      server: { log: (line) => lines.push(line), keyLog: (line) => keyLog.push(line) },
      client: { log: (line) => lines.push(line) },
    });
    expect(pair.time.runUntil(() => pair.client.state === 'established', 5000)).toBe(true);
    pair.client.close();
    pair.time.advanceBy(10);

    const server = `server 10.0.0.1:${CLIENT_ADDRESS.port}:`;
    const client = `client 10.0.0.2:${SERVER_ADDRESS.port}:`;
    expect(lines).toContain(`${server} HelloVerifyRequest sent (no valid cookie yet)`);
    expect(lines).toContain(`${server} cookie verified, session started`);
    expect(lines).toContain(`${client} handshake started (client)`);
    expect(lines.filter((l) => l.startsWith(server) && l.includes('flight 4 sent: ServerHello'))).toHaveLength(1);
    expect(lines.find((l) => l.startsWith(client) && l.includes(' established: '))).toMatch(/TLS_(ECDHE_)?PSK_WITH_\w+, peer PSK identity "Client_identity"/);
    expect(lines).toContain(`${client} alert sent: warning close_notify`);
    expect(lines).toContain(`${server} closed`);

    // The NSS key log line is CLIENT_RANDOM <random> <master secret>.
    const [, , masterSecret] = keyLog[0].trim().split(' ');
    expect(masterSecret).toMatch(/^[0-9a-f]{96}$/);
    const output = lines.join('\n').toLowerCase();
    for (const secret of [masterSecret, 'secretpsk', hex(utf8('secretPSK'))]) expect(output).not.toContain(secret);
  });

  // A session's events$ ends with the error that ended the session; the log's subscription must
  // take it, or RxJS reports it unhandled: with NODE_DEBUG=rx-dtls that was an uncaught exception
  // out of a socket callback for every failed handshake (found by wolfSSL's --rpk client, issue 15).
  it('logs a failed handshake on both sides as a line, and nothing escapes the pipeline', async () => {
    const lines: string[] = [];
    const trap = new EscapeTrap();
    try {
      const pair = await startPair({
        server: { log: (line) => lines.push(line), handshakeTimeout: 3000 },
        client: { log: (line) => lines.push(line), credentials: pskStore('wrongPSK'), handshakeTimeout: 3000 },
      });
      expect(pair.time.runUntil(() => pair.client.state === 'closed', 10_000)).toBe(true);
      pair.time.advanceBy(10);
      await trap.settle();
      expect(lines.find((l) => l.startsWith('client ') && l.includes(' closed: '))).toBeDefined();
      expect(lines.find((l) => l.startsWith('server ') && l.includes(' closed: '))).toBeDefined();
      expect(trap.escaped).toEqual([]);
    } finally {
      trap.dispose();
    }
  });

  it('writes to stderr through util.debuglog when the process runs with NODE_DEBUG=rx-dtls, and is silent without it', () => {
    const child = join(import.meta.dirname, 'helpers', 'handshake-child.ts');
    const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', env, timeout: 30_000 });
    const { NODE_DEBUG: _ignored, ...quiet } = process.env;
    const debug = run({ ...quiet, NODE_DEBUG: 'rx-dtls' });
    expect(debug.status).toBe(0);
    expect(debug.stderr).toMatch(/^RX-DTLS \d+: server 10\.0\.0\.1:1111: HelloVerifyRequest sent/m);
    expect(debug.stderr).toMatch(/^RX-DTLS \d+: client 10\.0\.0\.2:2222: established: /m);
    const silent = run(quiet);
    expect(silent.status).toBe(0);
    expect(silent.stderr).toBe('');
  });
});
