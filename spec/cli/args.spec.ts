import { describe, expect, it } from 'vitest';
import { HELP, parseClientArgs, parseDemoArgs, parseServerArgs } from '../../lib/cli/args.js';
import { UsageError } from '../../lib/cli/usage-error.js';

const PSK = ['--psk', 'Client_identity:secretPSK'];
const usageError = (parse: () => unknown): string => {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('no usage error');
};

describe('parseServerArgs', () => {
  it('defaults to 127.0.0.1:5684 and leaves the library defaults alone', () => {
    const config = parseServerArgs(PSK);
    expect(config).toEqual({
      host: '127.0.0.1',
      port: 5684,
      json: false,
      psks: [{ identity: 'Client_identity', key: new TextEncoder().encode('secretPSK') }],
    });
  });

  it('reads every option', () => {
    const config = parseServerArgs([
      '--host', '::1', '--port', '0', ...PSK, '--psk', 'sensor:hex:0102',
      '--cipher', 'TLS_PSK_WITH_AES_128_CCM_8, TLS_PSK_WITH_AES_128_GCM_SHA256', '--mtu', '512', '--json', '--keylog', 'keys.log',
    ]);
    expect(config).toEqual({
      host: '::1',
      port: 0,
      json: true,
      cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_GCM_SHA256'],
      mtu: 512,
      keyLog: 'keys.log',
      psks: [
        { identity: 'Client_identity', key: new TextEncoder().encode('secretPSK') },
        { identity: 'sensor', key: new Uint8Array([1, 2]) },
      ],
    });
  });

  it('joins repeated --cipher lists in order', () => {
    const config = parseServerArgs([...PSK, '--cipher', 'TLS_PSK_WITH_AES_128_CCM', '--cipher', 'TLS_PSK_WITH_AES_128_CCM_8']);
    expect(config !== HELP && config.cipherSuites).toEqual(['TLS_PSK_WITH_AES_128_CCM', 'TLS_PSK_WITH_AES_128_CCM_8']);
  });

  it('answers --help and -h with HELP, even without --psk', () => {
    expect(parseServerArgs(['--help'])).toBe(HELP);
    expect(parseServerArgs(['-h'])).toBe(HELP);
  });

  it.each([
    ['no --psk', [], /--psk IDENTITY:KEY is required/],
    ['an identity given twice', [...PSK, '--psk', 'Client_identity:other'], /given twice/],
    ['a port out of range', [...PSK, '--port', '65536'], /--port must be an integer from 0 to 65535, got "65536"/],
    ['a port that is not a number', [...PSK, '--port', '80a'], /--port must be an integer/],
    ['a negative mtu', [...PSK, '--mtu=-5'], /--mtu must be an integer from 64 to 65507, got "-5"/],
    ['an option where a value belongs', [...PSK, '--port', '--json'], /^--port needs a value \(one that starts with "-" is written --port=VALUE\)$/],
    ['an mtu too small for a record', [...PSK, '--mtu', '63'], /--mtu must be an integer from 64 to 65507, got "63"/],
    ['an unknown suite', [...PSK, '--cipher', 'PSK-AES128-CCM8'], /"PSK-AES128-CCM8" is not a suite rx-dtls knows; use IANA names: .*TLS_PSK_WITH_AES_128_CCM_8/],
    ['a certificate suite', [...PSK, '--cipher', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], /needs a certificate/],
    ['an unknown option', [...PSK, '--prot', '1'], /Unknown option '--prot'/],
    ['an option without its value', [...PSK, '--port'], /--port/],
    ['a value for a flag', [...PSK, '--json=yes'], /--json/],
    ['a stray argument', [...PSK, 'extra'], /extra/],
    ['an empty host', [...PSK, '--host', ''], /--host must not be empty/],
  ])('refuses %s in one line', (_what, args, message) => {
    expect(usageError(() => parseServerArgs(args))).toMatch(message);
  });
});

describe('parseClientArgs', () => {
  it('needs --port, and defaults the host, the timeout and the linger', () => {
    expect(parseClientArgs(['--port', '4433', ...PSK])).toEqual({
      host: '127.0.0.1',
      port: 4433,
      json: false,
      psk: { identity: 'Client_identity', key: new TextEncoder().encode('secretPSK') },
      timeout: 30_000,
      linger: 1000,
    });
  });

  it('reads --timeout and --linger, a linger of 0 included', () => {
    const config = parseClientArgs(['--host', 'localhost', '--port', '1', ...PSK, '--timeout', '2500', '--linger', '0']);
    expect(config).toMatchObject({ host: 'localhost', port: 1, timeout: 2500, linger: 0 });
  });

  it.each([
    ['no --port', PSK, /--port PORT is required/],
    ['port 0', ['--port', '0', ...PSK], /--port must be an integer from 1 to 65535/],
    ['no --psk', ['--port', '1'], /exactly one --psk IDENTITY:KEY, got 0/],
    ['two --psk', ['--port', '1', ...PSK, '--psk', 'b:c'], /exactly one --psk IDENTITY:KEY, got 2/],
    ['a timeout of 0', ['--port', '1', ...PSK, '--timeout', '0'], /--timeout must be an integer from 1/],
    ['a fractional linger', ['--port', '1', ...PSK, '--linger', '1.5'], /--linger must be an integer/],
    ['a bad key', ['--port', '1', '--psk', 'id:hex:xyz'], /hex digits/],
  ])('refuses %s in one line', (_what, args, message) => {
    expect(usageError(() => parseClientArgs(args))).toMatch(message);
  });
});

describe('parseDemoArgs', () => {
  it('takes no option, or --cipher', () => {
    expect(parseDemoArgs([])).toEqual({});
    expect(parseDemoArgs(['--cipher', 'TLS_PSK_WITH_AES_128_CCM_8'])).toEqual({ cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'] });
  });

  it('refuses the endpoint options it has no use for', () => {
    expect(usageError(() => parseDemoArgs(['--psk', 'a:b']))).toMatch(/Unknown option '--psk'/);
  });
});
