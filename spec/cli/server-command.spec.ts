import { createSocket } from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, killAll, runCli, startServer } from './helpers/run-cli.js';

afterAll(killAll);

describe('rx-dtls server', () => {
  it.concurrent('echoes to each of several clients its own records, telling their identities apart', async () => {
    const { cli: server, port } = await startServer(['--psk', 'alpha:hex:a1a1a1a1', '--psk', 'beta:beta-key', '--json']);
    const client = (psk: string, input: string) => runCli(['client', '--port', String(port), '--psk', psk, '--linger', '300'], input);
    const [alpha, beta] = await Promise.all([client('alpha:hex:a1a1a1a1', 'from alpha\n'), client('beta:beta-key', 'from beta\nand more\n')]);
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);

    expect([alpha.code, beta.code]).toEqual([0, 0]);
    expect(alpha.stdout).toBe('from alpha\n');
    expect(beta.stdout).toBe('from beta\nand more\n');
    const completed = jsonLines(server.stderr()).filter((e) => e.event === 'handshake-complete');
    expect(completed.map((e) => (e.peer as { identity: string }).identity).sort()).toEqual(['alpha', 'beta']);
    const [first, second] = completed.map((e) => (e.remote as { port: number }).port);
    expect(first).not.toBe(second);
  });

  it.concurrent('exits 1 with EADDRINUSE when its port is taken', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    try {
      const { code, stderr } = await runCli(['server', '--port', String(taken.address().port), '--psk', 'a:b']);
      expect(code).toBe(1);
      expect(stderr).toMatch(/^error: EADDRINUSE /);
    } finally {
      taken.close();
    }
  });

  it.concurrent('prints its address as JSON and exits 0 on SIGINT with no client', async () => {
    const { cli: server, port } = await startServer(['--psk', 'a:b', '--json']);
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    // With the socket buffers the kernel granted (the receive buffer asked for is 4 MiB).
    expect(jsonLines(server.stderr())).toEqual([{ event: 'listening', host: '127.0.0.1', port, recvBufferSize: expect.any(Number), sendBufferSize: expect.any(Number) }]);
    expect(port).toBeGreaterThan(0);
  });
});
