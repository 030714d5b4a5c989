import { afterAll, describe, expect, it } from 'vitest';
import { killAll, runCli } from './helpers/run-cli.js';

afterAll(killAll);

describe('rx-dtls demo', () => {
  it.concurrent('runs a handshake, an echo and close_notify over loopback, then exits 0', async () => {
    const { code, stdout, stderr } = await runCli(['demo']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    // Each side's flights, in the order RFC 6347 §4.2.4 has them.
    const flights = lines.filter((l) => /^(client|server) +flight \d sent:/.test(l)).map((l) => l.replace(/ +flight (\d).*/, ' $1'));
    expect(flights).toEqual(['client 1', 'server 2', 'client 3', 'server 4', 'client 5', 'server 6']);
    expect(lines).toContainEqual(expect.stringMatching(/^handshake complete: TLS_\w+, psk identity Client_identity/));
    expect(lines).toContain('client sent "hello, DTLS", server echoed "hello, DTLS"');
    expect(lines).toContain('client  alert sent: warning close_notify');
    expect(lines).toContain('server  alert received: warning close_notify');
    expect(lines.length).toBeLessThan(20);
    expect(stdout).not.toContain('{');
  });

  it.concurrent('negotiates the suite named with --cipher', async () => {
    const { code, stdout } = await runCli(['demo', '--cipher', 'TLS_PSK_WITH_AES_128_CCM_8']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^handshake complete: TLS_PSK_WITH_AES_128_CCM_8, /m);
  });
});
