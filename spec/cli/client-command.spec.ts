import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, killAll, runCli, startCli, startServer, type CliProcess } from './helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rx-dtls-cli-'));
const serverKeyLog = join(dir, 'server-keys.log');
const SERVER_PSK = ['--psk', 'Client_identity:secretPSK'];

// One server for the cases that do not stop it, as a real one serves client after client.
let server: CliProcess;
let port: number;
beforeAll(async () => {
  ({ cli: server, port } = await startServer([...SERVER_PSK, '--json', '--keylog', serverKeyLog]));
});
afterAll(async () => {
  server?.child.kill('SIGINT');
  await server?.exited;
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

const client = (args: readonly string[], input: string) => runCli(['client', '--port', String(port), ...args], input);
const serverEvents = () => jsonLines(server.stderr());
const remoteOf = (event: Record<string, unknown> | undefined) => (event?.remote as { port: number } | undefined)?.port;

describe('rx-dtls client against rx-dtls server', () => {
  it.concurrent('sends each input line as a record, prints the echo, and reports the handshake as JSON events', async () => {
    const input = 'one\ntwo\n\nlast';
    const { code, stdout, stderr } = await client(
      ['--psk', 'Client_identity:hex:73656372657450534b', '--cipher', 'TLS_PSK_WITH_AES_128_CCM', '--linger', '300', '--json'],
      input,
    );
    expect(code).toBe(0);
    expect(stdout).toBe(input);
    const events = jsonLines(stderr);
    expect(events.map((e) => e.event)).toEqual(['handshake-start', 'flight-sent', 'flight-sent', 'flight-sent', 'handshake-complete', 'alert', 'closed']);
    expect(events.filter((e) => e.event === 'flight-sent').map((e) => e.flight)).toEqual([1, 3, 5]);
    expect(events[4]).toEqual({
      event: 'handshake-complete',
      cipherSuite: 'TLS_PSK_WITH_AES_128_CCM',
      peer: { kind: 'psk', identity: 'Client_identity' },
      extendedMasterSecret: true,
      resumed: false,
    });
    expect(events[5]).toMatchObject({ event: 'alert', direction: 'sent', name: 'close_notify' });
    expect(events[6]).toEqual({ event: 'closed' });

    // The server's view of the same session (the only one with this suite).
    const [, remotePort] = await server.waitForStderr(/"cipherSuite":"TLS_PSK_WITH_AES_128_CCM".*"remote":\{"address":"127\.0\.0\.1","port":(\d+)\}/);
    await server.waitForStderr(new RegExp(`\\{"event":"closed","remote":\\{"address":"127\\.0\\.0\\.1","port":${remotePort}\\}\\}`));
    const mine = serverEvents().filter((e) => remoteOf(e) === Number(remotePort));
    expect(mine.find((e) => e.event === 'handshake-complete')).toMatchObject({ peer: { kind: 'psk', identity: 'Client_identity' } });
    expect(mine[0]).toMatchObject({ event: 'hello-verify-request' });
    // One record per line, the newline included.
    expect(mine.filter((e) => e.event === 'echo').map((e) => e.bytes)).toEqual([4, 4, 1, 4]);
    expect(mine).toContainEqual(expect.objectContaining({ event: 'alert', direction: 'received', name: 'close_notify' }));
  });

  it.concurrent('--dtls any offers 1.3 beside 1.2 and takes 1.2 from this 1.2-only server, echo included', async () => {
    const input = 'either version\n';
    const { code, stdout, stderr } = await client(['--psk', 'Client_identity:secretPSK', '--dtls', 'any', '--linger', '300', '--json'], input);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe(input);
    const complete = jsonLines(stderr).find((e) => e.event === 'handshake-complete');
    expect(complete).toMatchObject({ extendedMasterSecret: true, peer: { kind: 'psk', identity: 'Client_identity' } });
    expect(complete).not.toHaveProperty('version');
    expect(String(complete?.cipherSuite)).toMatch(/^TLS_(ECDHE_)?PSK_/);
  });

  it.concurrent('exits 1 with the error when the pre-shared key is wrong', async () => {
    const { code, stdout, stderr } = await client(['--psk', 'Client_identity:wrongPSK', '--timeout', '1500'], 'never sent\n');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    // The server cannot decrypt the client's Finished and drops it (RFC 6347 §4.1.2.7), so the client times out.
    expect(stderr).toMatch(/\nclosed: ETIMEDOUT handshake with 127\.0\.0\.1:\d+ did not complete in 1500 ms[^\n]*\n$/);
    expect(stderr).not.toMatch(/handshake complete/);
  });

  it.concurrent('exits 1 and says so at once when nothing listens on the port (ICMP port unreachable)', async () => {
    // A port bound and released again: a typo'd port. With a 60 s --timeout, only the ICMP error ends this within the spec's time.
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const closed = socket.address().port;
    await new Promise<void>((resolve) => socket.close(resolve));
    const { code, stderr } = await runCli(['client', '--port', String(closed), ...SERVER_PSK, '--timeout', '60000'], 'never sent\n');
    expect(code).toBe(1);
    expect(stderr).toMatch(/\nclosed: ECONNREFUSED 127\.0\.0\.1:\d+ refused: nothing listens on that UDP port \(ICMP port unreachable\)\n$/);
  });

  it.concurrent('exits 1 with the alert when the server knows no key for the identity', async () => {
    const { code, stderr } = await client(['--psk', 'nobody:secretPSK', '--json'], 'never sent\n');
    expect(code).toBe(1);
    const last = jsonLines(stderr).at(-1);
    expect(last).toMatchObject({
      event: 'closed',
      error: { code: 'EALERT', alert: { level: 'fatal', name: 'unknown_psk_identity' } },
    });
    expect((last!.error as { message: string }).message).toMatch(/unknown_psk_identity/);
  });

  it.concurrent('writes the NSS key log line of a session on both sides with --keylog', async () => {
    const clientKeyLog = join(dir, 'client-keys.log');
    const { code } = await client([...SERVER_PSK, '--keylog', clientKeyLog, '--linger', '0'], 'x\n');
    expect(code).toBe(0);
    const line = readFileSync(clientKeyLog, 'utf8');
    expect(line).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/);
    // The server wrote it when it verified the client's Finished, before the client could close.
    expect(readFileSync(serverKeyLog, 'utf8').split(/(?<=\n)/)).toContain(line);
  });

  it.concurrent('exits 1 with the code of the error when the key log cannot be written', async () => {
    const { code, stderr } = await client([...SERVER_PSK, '--keylog', join(dir, 'missing', 'keys.log')], '');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: ENOENT .*missing/);
  });

  it.concurrent('exits 0 when the server closes first: SIGTERM makes the server send close_notify', async () => {
    const { cli: ownServer, port: ownPort } = await startServer(SERVER_PSK);
    const cli = startCli(['client', '--port', String(ownPort), ...SERVER_PSK]);
    cli.child.stdin!.write('still here\n');
    await cli.waitForStderr(/handshake complete: \S+ with psk identity Client_identity/);
    await ownServer.waitForStderr(/echoed 11 bytes/);
    ownServer.child.kill('SIGTERM');
    // Standard input stays open: the client ends because the server said close_notify.
    expect(await cli.exited).toBe(0);
    expect(await ownServer.exited).toBe(0);
    expect(cli.stdout()).toBe('still here\n');
    expect(cli.stderr()).toMatch(/alert received: warning close_notify\n.*\nclosed\n$/);
    expect(ownServer.stderr()).toMatch(/\[127\.0\.0\.1:\d+\] alert sent: warning close_notify\n/);
  });
});
