import { afterAll, describe, expect, it } from 'vitest';
import { killAll, runCli } from './helpers/run-cli.js';

afterAll(killAll);

describe('rx-dtls (the command line)', () => {
  it.concurrent.each(['--help', 'client -h'])('prints the usage on standard output for "rx-dtls %s" and exits 0', async (line) => {
    const { code, stdout, stderr } = await runCli(line.split(' '));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: rx-dtls <command>/);
    for (const command of ['demo', 'server', 'client']) expect(stdout).toContain(`rx-dtls ${command}`);
    for (const option of ['--cert FILE', '--key FILE', '--ca FILE', '--rpk-key FILE', '--trust-rpk FILE', '--require-client-auth', '--server-name NAME', '--groups']) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toContain('TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8');
    expect(stdout).toContain('trailing newline included');
    expect(stderr).toBe('');
  });

  it.concurrent('prints the usage on standard error and exits 2 for an unknown command', async () => {
    const { code, stdout, stderr } = await runCli(['serve']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^rx-dtls: unknown command "serve"\n\nUsage: rx-dtls/);
  });

  // args.spec.ts checks every refusal; these check that one reaches the user as one line and status 2.
  it.concurrent.each([
    [['server', '--port', '99999', '--psk', 'a:b'], /^rx-dtls server: --port must be an integer from 0 to 65535, got "99999" \(see rx-dtls --help\)\n$/],
    [['client', '--psk', 'nocolon'], /^rx-dtls client: --port PORT is required/],
    [['demo', '--bogus'], /^rx-dtls demo: Unknown option '--bogus'/],
    [['client', '--port', '1', '--ca', 'no-such-root.pem'], /^rx-dtls client: --ca no-such-root\.pem cannot be read: ENOENT: no such file or directory \(see rx-dtls --help\)\n$/],
    [['server', '--port', '0', '--cert', 'spec/fixtures/peers/ecdsa-p256-cert.pem', '--key', 'spec/fixtures/peers/rpk-p256-key.pem'], /^rx-dtls server: --key \S+ is not the private key of the first certificate in --cert /],
  ])('refuses %j with one line on standard error and exit status 2', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toHaveLength(2); // one line and its newline
    expect(stderr).toMatch(message);
  });
});
