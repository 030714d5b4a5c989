import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, killAll, runCli, startCli, startServer } from './helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rx-dtls-cli-'));
afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

const SERVER_PSK = ['--psk', 'Client_identity:secretPSK'];
const events = (lines: Array<Record<string, unknown>>) => lines.map((e) => e.event);

describe('rx-dtls client against rx-dtls server', () => {
  it.concurrent('sends each input line as a record, prints the echo, and reports the handshake as JSON events', async () => {
    const { cli: server, port } = await startServer([...SERVER_PSK, '--json']);
    const input = 'one\ntwo\n\nlast';
    const client = await runCli(
      ['client', '--port', String(port), '--psk', 'Client_identity:hex:73656372657450534b', '--cipher', 'TLS_PSK_WITH_AES_128_CCM', '--linger', '300', '--json'],
      input,
    );
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);

    expect(client.code).toBe(0);
    expect(client.stdout).toBe(input);
    const clientEvents = jsonLines(client.stderr);
    expect(events(clientEvents)).toEqual(['handshake-start', 'flight-sent', 'flight-sent', 'flight-sent', 'handshake-complete', 'alert', 'closed']);
    expect(clientEvents.filter((e) => e.event === 'flight-sent').map((e) => e.flight)).toEqual([1, 3, 5]);
    expect(clientEvents[4]).toEqual({
      event: 'handshake-complete',
      cipherSuite: 'TLS_PSK_WITH_AES_128_CCM',
      peer: { kind: 'psk', identity: 'Client_identity' },
      extendedMasterSecret: true,
    });
    expect(clientEvents[5]).toMatchObject({ event: 'alert', direction: 'sent', name: 'close_notify' });
    expect(clientEvents[6]).toEqual({ event: 'closed' });

    const serverEvents = jsonLines(server.stderr());
    expect(serverEvents[0]).toEqual({ event: 'listening', host: '127.0.0.1', port });
    expect(serverEvents.find((e) => e.event === 'handshake-complete')).toMatchObject({
      cipherSuite: 'TLS_PSK_WITH_AES_128_CCM',
      peer: { kind: 'psk', identity: 'Client_identity' },
      remote: { address: '127.0.0.1' },
    });
    // One record per line, the newline included.
    expect(serverEvents.filter((e) => e.event === 'echo').map((e) => e.bytes)).toEqual([4, 4, 1, 4]);
    expect(serverEvents).toContainEqual(expect.objectContaining({ event: 'alert', direction: 'received', name: 'close_notify' }));
  });

  it.concurrent('exits 0 when the server closes first: SIGTERM makes the server send close_notify', async () => {
    const { cli: server, port } = await startServer(SERVER_PSK);
    const client = startCli(['client', '--port', String(port), ...SERVER_PSK]);
    client.child.stdin!.write('still here\n');
    await client.waitForStderr(/handshake complete: \S+ with psk identity Client_identity/);
    await server.waitForStderr(/echoed 11 bytes/);
    server.child.kill('SIGTERM');
    // Standard input stays open: the client ends because the server said close_notify.
    expect(await client.exited).toBe(0);
    expect(await server.exited).toBe(0);
    expect(client.stdout()).toBe('still here\n');
    expect(client.stderr()).toMatch(/alert received: warning close_notify\n.*\nclosed\n$/);
    expect(server.stderr()).toMatch(/\[127\.0\.0\.1:\d+\] alert sent: warning close_notify\n/);
  });

  it.concurrent('exits 1 with the error when the pre-shared key is wrong', async () => {
    const { cli: server, port } = await startServer(SERVER_PSK);
    const client = await runCli(['client', '--port', String(port), '--psk', 'Client_identity:wrongPSK', '--timeout', '1500'], 'never sent\n');
    server.child.kill('SIGINT');
    expect(client.code).toBe(1);
    expect(client.stdout).toBe('');
    // The server cannot decrypt the client's Finished and drops it (RFC 6347 §4.1.2.7), so the client times out.
    expect(client.stderr).toMatch(/\nclosed: ETIMEDOUT handshake with 127\.0\.0\.1:\d+ did not complete in 1500 ms\n$/);
    expect(client.stderr).not.toMatch(/handshake complete/);
    expect(await server.exited).toBe(0);
  });

  it.concurrent('writes the same NSS key log line on both sides with --keylog', async () => {
    const serverLog = join(dir, 'server-keys.log');
    const clientLog = join(dir, 'client-keys.log');
    const { cli: server, port } = await startServer([...SERVER_PSK, '--keylog', serverLog]);
    const client = await runCli(['client', '--port', String(port), ...SERVER_PSK, '--keylog', clientLog, '--linger', '0'], 'x\n');
    server.child.kill('SIGINT');
    expect(client.code).toBe(0);
    expect(await server.exited).toBe(0);
    const line = readFileSync(clientLog, 'utf8');
    expect(line).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/);
    expect(readFileSync(serverLog, 'utf8')).toBe(line);
  });

  it.concurrent('exits 1 with the code of the error when the key log cannot be written', async () => {
    const client = await runCli(['client', '--port', '9', ...SERVER_PSK, '--keylog', join(dir, 'missing', 'keys.log')]);
    expect(client.code).toBe(1);
    expect(client.stderr).toMatch(/^error: ENOENT .*missing/);
  });
});
