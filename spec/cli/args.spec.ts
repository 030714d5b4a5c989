import { describe, expect, it } from 'vitest';
import { HELP, parseClientArgs, parseDemoArgs, parseServerArgs } from '../../lib/cli/args.js';
import { UsageError } from '../../lib/cli/usage-error.js';

const PSK = ['--psk', 'Client_identity:secretPSK'];
const NO_FILES = { ca: [], trustRpk: [] };
// Paths only: parsing reads no file (credential-files.spec.ts covers reading them).
const CERT = ['--cert', 'cert.pem', '--key', 'key.pem'];
const RPK = ['--rpk-key', 'rpk.pem'];
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
      files: NO_FILES,
      json: false,
      psks: [{ identity: 'Client_identity', key: new TextEncoder().encode('secretPSK') }],
      sni: [],
      refuseUnknownSni: false,
    });
  });

  it('reads every option', () => {
    const config = parseServerArgs([
      '--host', '::1', '--port', '0', ...PSK, '--psk', 'sensor:hex:0102',
      ...CERT, ...RPK, '--ca', 'root1.pem', '--ca', 'root2.pem', '--trust-rpk', 'a.pem', '--trust-rpk', 'b.pem', '--require-client-auth',
      '--cipher', 'TLS_PSK_WITH_AES_128_CCM_8, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', '--groups', 'secp256r1', '--mtu', '512', '--json', '--keylog', 'keys.log',
      '--alpn', 'coap,h2', '--record-size-limit', '512', '--sni', 'a.example=a-cert.pem,a-key.pem', '--sni', 'b.example=b.pem,b,key.pem', '--sni-refuse-unknown',
      '--recv-buffer', '8388608', '--send-buffer', '1048576',
    ]);
    expect(config).toEqual({
      host: '::1',
      port: 0,
      files: { certificate: { chain: 'cert.pem', key: 'key.pem' }, ca: ['root1.pem', 'root2.pem'], rpkKey: 'rpk.pem', trustRpk: ['a.pem', 'b.pem'] },
      clientAuth: 'required',
      json: true,
      cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'],
      groups: [23],
      mtu: 512,
      recvBufferSize: 8_388_608,
      sendBufferSize: 1_048_576,
      keyLog: 'keys.log',
      psks: [
        { identity: 'Client_identity', key: new TextEncoder().encode('secretPSK') },
        { identity: 'sensor', key: new Uint8Array([1, 2]) },
      ],
      alpn: ['coap', 'h2'],
      recordSizeLimit: 512,
      sni: [
        { name: 'a.example', chain: 'a-cert.pem', key: 'a-key.pem' },
        // The key file is what follows the first comma after the name.
        { name: 'b.example', chain: 'b.pem', key: 'b,key.pem' },
      ],
      refuseUnknownSni: true,
    });
  });

  it('refuses hello extension flags it cannot use, naming the flag', () => {
    expect(() => parseServerArgs([...PSK, '--alpn', 'coap,,h2'])).toThrow('--alpn takes protocol names of 1 to 255 bytes');
    expect(() => parseServerArgs([...PSK, '--record-size-limit', '63'])).toThrow('--record-size-limit must be an integer from 64 to 16384, got "63"');
    expect(() => parseServerArgs([...PSK, '--sni', 'a.example=cert.pem'])).toThrow('--sni takes NAME=CERT,KEY');
    expect(() => parseServerArgs([...PSK, '--sni', 'A.example=c,k', '--sni', 'a.EXAMPLE=d,e'])).toThrow('--sni name "a.EXAMPLE" is given twice');
    expect(() => parseServerArgs([...PSK, '--sni-refuse-unknown'])).toThrow('--sni-refuse-unknown needs the names served');
    expect(() => parseServerArgs([...PSK, '--max-fragment-length', '512'])).toThrow("Unknown option '--max-fragment-length'");
  });

  it('joins repeated --cipher lists in order', () => {
    const config = parseServerArgs([...PSK, '--cipher', 'TLS_PSK_WITH_AES_128_CCM', '--cipher', 'TLS_PSK_WITH_AES_128_CCM_8']);
    expect(config !== HELP && config.cipherSuites).toEqual(['TLS_PSK_WITH_AES_128_CCM', 'TLS_PSK_WITH_AES_128_CCM_8']);
  });

  it('reads --no-tickets as tickets off, and leaves tickets to the library otherwise', () => {
    expect(parseServerArgs([...PSK, '--no-tickets'])).toMatchObject({ tickets: false });
    expect(parseServerArgs([...PSK])).not.toHaveProperty('tickets');
  });

  it('answers --help and -h with HELP, even without --psk', () => {
    expect(parseServerArgs(['--help'])).toBe(HELP);
    expect(parseServerArgs(['-h'])).toBe(HELP);
  });

  it.each([
    ['a certificate alone', CERT, { certificate: { chain: 'cert.pem', key: 'key.pem' }, ca: [], trustRpk: [] }],
    ['a raw public key alone', RPK, { ca: [], rpkKey: 'rpk.pem', trustRpk: [] }],
  ])('serves with %s and no --psk', (_what, args, files) => {
    expect(parseServerArgs(args)).toMatchObject({ psks: [], files });
  });

  it('asks clients for a certificate without requiring one with --request-client-auth', () => {
    expect(parseServerArgs([...RPK, '--trust-rpk', 'client.pem', '--request-client-auth'])).toMatchObject({ clientAuth: 'optional' });
    expect(parseServerArgs([...CERT, ...PSK])).not.toHaveProperty('clientAuth');
  });

  it('takes groups by name or number, in the order given', () => {
    expect(parseServerArgs([...PSK, '--groups', 'secp256r1,x25519'])).toMatchObject({ groups: [23, 29] });
    expect(parseServerArgs([...PSK, '--groups', '29', '--groups', 'P-256'])).toMatchObject({ groups: [29, 23] });
  });

  it.each([
    ['no credentials at all', [], /^the server needs credentials: --psk IDENTITY:KEY, --cert FILE --key FILE, or --rpk-key FILE$/],
    ['--cert without --key', ['--cert', 'cert.pem'], /^--cert FILE needs --key FILE/],
    ['--key without --cert', ['--key', 'key.pem'], /^--key FILE needs --cert FILE \(a raw public key is --rpk-key FILE\)$/],
    ['--cert given twice', [...CERT, '--cert', 'other.pem'], /^--cert is given 2 times; it takes one FILE$/],
    ['--rpk-key given twice', [...RPK, ...RPK], /^--rpk-key is given 2 times/],
    ['both client authentication flags', [...RPK, '--trust-rpk', 'c.pem', '--require-client-auth', '--request-client-auth'], /exclude each other/],
    ['--require-client-auth with nothing to check clients by', [...CERT, '--require-client-auth'], /^--require-client-auth needs --ca FILE or --trust-rpk FILE/],
    ['--request-client-auth without a key of its own', [...PSK, '--ca', 'root.pem', '--request-client-auth'], /^--request-client-auth needs --cert FILE --key FILE or --rpk-key FILE/],
    ['--ca without asking clients', [...CERT, '--ca', 'root.pem'], /^--ca on the server checks clients, which are asked only with --require-client-auth or --request-client-auth$/],
    ['--trust-rpk without asking clients', [...RPK, '--trust-rpk', 'c.pem'], /^--trust-rpk on the server checks clients/],
    ['--server-name, a client option', [...PSK, '--server-name', 'x'], /Unknown option '--server-name'/],
    ['an unknown group', [...PSK, '--groups', 'x448'], /^--groups "x448" is not a group rx-dtls implements; use x25519 \(29\), secp256r1 \(23\)$/],
    ['a group given twice', [...PSK, '--groups', 'x25519,29'], /^--groups names x25519 twice$/],
    ['a PSK suite without --psk', [...CERT, '--cipher', 'TLS_PSK_WITH_AES_128_CCM_8'], /^--cipher TLS_PSK_WITH_AES_128_CCM_8 needs --psk IDENTITY:KEY$/],
    ['an identity given twice', [...PSK, '--psk', 'Client_identity:other'], /given twice/],
    ['a port out of range', [...PSK, '--port', '65536'], /--port must be an integer from 0 to 65535, got "65536"/],
    ['a port that is not a number', [...PSK, '--port', '80a'], /--port must be an integer/],
    ['a negative mtu', [...PSK, '--mtu=-5'], /--mtu must be an integer from 64 to 65507, got "-5"/],
    ['an option where a value belongs', [...PSK, '--port', '--json'], /^--port needs a value \(one that starts with "-" is written --port=VALUE\)$/],
    ['an mtu too small for a record', [...PSK, '--mtu', '63'], /--mtu must be an integer from 64 to 65507, got "63"/],
    ['an empty receive buffer', [...PSK, '--recv-buffer', '0'], /--recv-buffer must be an integer from 1 to 2147483647, got "0"/],
    ['a send buffer in other units', [...PSK, '--send-buffer', '4M'], /--send-buffer must be an integer from 1 to 2147483647, got "4M"/],
    ['an unknown suite', [...PSK, '--cipher', 'PSK-AES128-CCM8'], /"PSK-AES128-CCM8" is not a suite rx-dtls knows; use IANA names: .*TLS_PSK_WITH_AES_128_CCM_8/],
    ['a certificate suite with only --psk', [...PSK, '--cipher', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], /^--cipher TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 needs our certificate or raw public key: --cert FILE --key FILE, or --rpk-key FILE$/],
    ['an unknown option', [...PSK, '--prot', '1'], /Unknown option '--prot'/],
    ['an option without its value', [...PSK, '--port'], /--port/],
    ['a value for a flag', [...PSK, '--json=yes'], /--json/],
    ['a stray argument', [...PSK, 'extra'], /extra/],
    ['an empty host', [...PSK, '--host', ''], /--host must not be empty/],
  ])('refuses %s in one line', (_what, args, message) => {
    expect(usageError(() => parseServerArgs(args))).toMatch(message);
  });
});

describe('--dtls', () => {
  it('reads 1.2, 1.3 and any; 1.3 suite names pass --cipher', () => {
    expect(parseServerArgs([...PSK, '--dtls', 'any'])).toMatchObject({ versions: ['1.2', '1.3'] });
    expect(parseServerArgs([...PSK, '--dtls', '1.2'])).toMatchObject({ versions: ['1.2'] });
    expect(parseClientArgs(['--port', '1', ...PSK, '--dtls', '1.3', '--cipher', 'TLS_AES_128_CCM_8_SHA256'])).toMatchObject({ versions: ['1.3'], cipherSuites: ['TLS_AES_128_CCM_8_SHA256'] });
    expect(parseServerArgs(PSK)).not.toHaveProperty('versions');
  });

  it('takes any from a client too: it offers both versions', () => {
    expect(parseClientArgs(['--port', '1', ...PSK, '--dtls', 'any'])).toMatchObject({ versions: ['1.2', '1.3'] });
  });

  it('refuses other versions', () => {
    expect(usageError(() => parseServerArgs([...PSK, '--dtls', '1.0']))).toBe('--dtls must be 1.2, 1.3 or any, got "1.0"');
    expect(usageError(() => parseClientArgs(['--port', '1', ...PSK, '--dtls', '1.1']))).toBe('--dtls must be 1.2, 1.3 or any, got "1.1"');
  });
});

describe('parseClientArgs', () => {
  it('needs --port, and defaults the host, the timeout and the linger', () => {
    expect(parseClientArgs(['--port', '4433', ...PSK])).toEqual({
      host: '127.0.0.1',
      port: 4433,
      files: NO_FILES,
      json: false,
      psk: { identity: 'Client_identity', key: new TextEncoder().encode('secretPSK') },
      timeout: 30_000,
      linger: 1000,
    });
  });

  it('reads --alpn, --record-size-limit and --max-fragment-length', () => {
    const config = parseClientArgs(['--port', '4433', ...PSK, '--alpn', 'coap', '--record-size-limit', '16384', '--max-fragment-length', '1024']);
    expect(config).toMatchObject({ alpn: ['coap'], recordSizeLimit: 16384, maxFragmentLength: 1024 });
    expect(() => parseClientArgs(['--port', '4433', ...PSK, '--max-fragment-length', '1000'])).toThrow('--max-fragment-length must be one of 512, 1024, 2048, 4096, got "1000"');
    expect(() => parseClientArgs(['--port', '4433', ...PSK, '--sni', 'a=b,c'])).toThrow("Unknown option '--sni'");
  });

  it('reads --resume, --sess-in and --sess-out, and refuses an empty file name', () => {
    expect(parseClientArgs(['--port', '1', ...PSK, '--resume', '--sess-in', 'in.b64', '--sess-out', 'out.b64'])).toMatchObject({
      resume: true,
      sessionIn: 'in.b64',
      sessionOut: 'out.b64',
    });
    expect(usageError(() => parseClientArgs(['--port', '1', ...PSK, '--sess-out', '']))).toMatch(/--sess-out needs a file name/);
  });

  it('reads --timeout and --linger, a linger of 0 included', () => {
    const config = parseClientArgs(['--host', 'localhost', '--port', '1', ...PSK, '--timeout', '2500', '--linger', '0']);
    expect(config).toMatchObject({ host: 'localhost', port: 1, timeout: 2500, linger: 0 });
  });

  it('authenticates the server by certificate or raw public key without --psk, and may carry its own', () => {
    expect(parseClientArgs(['--port', '1', '--ca', 'root.pem', ...CERT, '--server-name', 'gw.example'])).toEqual({
      host: '127.0.0.1',
      port: 1,
      files: { certificate: { chain: 'cert.pem', key: 'key.pem' }, ca: ['root.pem'], trustRpk: [] },
      serverName: 'gw.example',
      json: false,
      timeout: 30_000,
      linger: 1000,
    });
    expect(parseClientArgs(['--port', '1', '--trust-rpk', 'server.pem', ...RPK, '--cipher', 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'])).toMatchObject({
      files: { ca: [], rpkKey: 'rpk.pem', trustRpk: ['server.pem'] },
      cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'],
    });
    expect(parseClientArgs(['--port', '1', ...PSK, '--ca', 'root.pem', '--groups', 'x25519'])).toMatchObject({ psk: { identity: 'Client_identity' }, groups: [29] });
  });

  it.each([
    ['no --port', PSK, /--port PORT is required/],
    ['port 0', ['--port', '0', ...PSK], /--port must be an integer from 1 to 65535/],
    ['no credentials', ['--port', '1'], /^the client needs --psk IDENTITY:KEY, or --ca FILE or --trust-rpk FILE to authenticate the server$/],
    ['two --psk', ['--port', '1', ...PSK, '--psk', 'b:c'], /^the client takes one --psk IDENTITY:KEY, got 2$/],
    ['its own certificate with nothing to check the server by', ['--port', '1', ...PSK, ...CERT], /^--cert is only sent in an ECDHE_ECDSA handshake, which needs --ca FILE or --trust-rpk FILE/],
    ['its own raw key with nothing to check the server by', ['--port', '1', ...PSK, ...RPK], /^--rpk-key is only sent in an ECDHE_ECDSA handshake/],
    ['--key without --cert', ['--port', '1', '--ca', 'root.pem', '--key', 'key.pem'], /^--key FILE needs --cert FILE/],
    ['an empty server name', ['--port', '1', '--ca', 'root.pem', '--server-name', ''], /^--server-name must not be empty$/],
    ['--require-client-auth, a server option', ['--port', '1', '--ca', 'root.pem', '--require-client-auth'], /Unknown option '--require-client-auth'/],
    ['a certificate suite with only --psk', ['--port', '1', ...PSK, '--cipher', 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'], /^--cipher TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 needs --ca FILE or --trust-rpk FILE/],
    ['a PSK suite without --psk', ['--port', '1', '--trust-rpk', 's.pem', '--cipher', 'TLS_PSK_WITH_AES_128_CCM_8'], /^--cipher TLS_PSK_WITH_AES_128_CCM_8 needs --psk IDENTITY:KEY$/],
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

  it('refuses a certificate suite: the demo uses pre-shared keys', () => {
    expect(usageError(() => parseDemoArgs(['--cipher', 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8']))).toMatch(/needs a certificate; the demo uses pre-shared keys only/);
  });
});

describe('--cid (RFC 9146 Connection IDs)', () => {
  it('server: a length to issue, require, or off', () => {
    expect(parseServerArgs([...PSK, '--cid', '6'])).toMatchObject({ connectionId: { length: 6 } });
    expect(parseServerArgs([...PSK, '--cid', '0'])).toMatchObject({ connectionId: { length: 0 } });
    expect(parseServerArgs([...PSK, '--cid', 'require'])).toMatchObject({ connectionId: { required: true } });
    expect(parseServerArgs([...PSK, '--cid', 'off'])).toMatchObject({ connectionId: false });
    expect(parseServerArgs(PSK)).not.toHaveProperty('connectionId');
  });

  it('client: offer, require, or a length of our own CID', () => {
    const client = (...cid: string[]) => parseClientArgs(['--port', '1', ...PSK, ...cid]);
    expect(client('--cid', 'offer')).toMatchObject({ connectionId: 'offer' });
    expect(client('--cid', 'require')).toMatchObject({ connectionId: 'require' });
    expect(client('--cid', '4')).toMatchObject({ connectionId: { length: 4 } });
    expect(client()).not.toHaveProperty('connectionId');
  });

  it.each([
    ['server', () => parseServerArgs([...PSK, '--cid', '256']), /^--cid takes a length from 0 to 255, 'require' or 'off', got "256"$/],
    ['server', () => parseServerArgs([...PSK, '--cid', 'offer']), /^--cid takes a length from 0 to 255, 'require' or 'off', got "offer"$/],
    ['client', () => parseClientArgs(['--port', '1', ...PSK, '--cid', 'yes']), /^--cid takes 'offer', 'require' or a length from 0 to 255, got "yes"$/],
  ])('refuses what the %s cannot use, in one line', (_role, parse, message) => {
    expect(usageError(parse)).toMatch(message);
  });
});
