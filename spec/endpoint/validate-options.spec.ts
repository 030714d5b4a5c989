import { firstValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentials } from '../../lib/credentials/credential-store.js';
import { clientDgramSocket } from '../../lib/dgram/dtls-client-socket.js';
import { listenDgram } from '../../lib/dgram/dtls-server-socket.js';
import { connect, connect$, openClientSession } from '../../lib/endpoint/client.js';
import { createServer, listen, type DtlsServer } from '../../lib/endpoint/server.js';
import { sockDtlsCreate } from '../../lib/sock/sock-dtls.js';
import { SOCK_DTLS_1_2, SOCK_DTLS_SERVER } from '../../lib/sock/sock-dtls-constants.js';
import { memoryLink } from '../../lib/transport/memory.js';
import { UdpTransport } from '../../lib/transport/udp.js';
import { pskStore } from './helpers/pair.js';

const store = pskStore();
const client = { host: '127.0.0.1', port: 5684, credentials: store, keyLog: undefined };

/** Options that must be refused, by family, with the words the message must contain. */
const BAD_CLIENT_OPTIONS: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
  ['port 0', { port: 0 }, 'port must be an integer from 1 to 65535, got 0'],
  ['port 70000', { port: 70_000 }, 'port must be an integer from 1 to 65535, got 70000'],
  ['a port as text', { port: '5684' }, 'port must be an integer'],
  ['an empty host', { host: '' }, 'host must be a non-empty string'],
  ['an mtu below 64', { mtu: 10 }, 'mtu must be an integer from 64 to 65507'],
  ['a replay window of 0', { replayWindow: 0 }, 'replayWindow must be an integer from 1 to 65536'],
  ['a fractional buffer size', { maxHandshakeBufferBytes: 1.5 }, 'maxHandshakeBufferBytes must be an integer'],
  ['a negative held-record count', { maxHeldRecords: -1 }, 'maxHeldRecords must be an integer from 0'],
  ['a timer node:timers cannot hold', { handshakeTimeout: 2 ** 31 }, 'handshakeTimeout must be a number of milliseconds from 1 to 2147483647'],
  ['a zero timer', { handshakeTimeout: 0 }, 'handshakeTimeout must be a number of milliseconds'],
  ['no silent timeouts at all', { maxSilentTimeouts: 0 }, 'maxSilentTimeouts must be an integer from 1 to 64, or Infinity, got 0'],
  ['an unknown DTLS version', { versions: ['1.1'] }, 'versions must be a non-empty array of "1.2" and "1.3", each at most once, got an array'],
  ['no DTLS version at all', { versions: [] }, 'versions must be a non-empty array'],
  ['max_fragment_length over DTLS 1.3 (record_size_limit replaces it)', { versions: ['1.3'], maxFragmentLength: 1024 }, 'maxFragmentLength is not implemented for DTLS 1.3 yet'],
  ['max_fragment_length from a client offering 1.3 beside 1.2', { versions: ['1.2', '1.3'], maxFragmentLength: 1024 }, 'maxFragmentLength is not implemented for DTLS 1.3 yet (versions ["1.2","1.3"])'],
  ['a keepalive without its timeout', { keepalive: { interval: 5000 } }, 'keepalive must be { interval, timeout } in milliseconds, interval less than timeout, both given'],
  ['a keepalive probing after its deadline', { keepalive: { interval: 30_000, timeout: 20_000 } }, 'keepalive.interval must be less than keepalive.timeout (20000), got 30000'],
  ['retransmit timers the wrong way round', { retransmit: { initialTimeout: 5000, maxTimeout: 1000 } }, 'retransmit.initialTimeout must be at most retransmit.maxTimeout'],
  ['credentials that are no store', { credentials: { psk: 'secret' } }, 'credentials must be a CredentialStore'],
  ['an unknown group', { groups: [1234] }, 'groups must be a non-empty array of supported named groups'],
  ['a signal that is no AbortSignal', { signal: 'stop' }, 'signal must be an AbortSignal'],
  ['an unknown ICMP policy', { icmpErrors: 'retry' }, 'icmpErrors must be one of "fail", "ignore"'],
  ['a scheduler that is none', { scheduler: {} }, 'scheduler must be an RxJS SchedulerLike'],
  ['a connection ID option that is none', { connectionId: 'always' }, "connectionId must be false, 'offer', 'require' or { length?: 0..255, required?: boolean }"],
  ['a connection ID longer than 255 bytes', { connectionId: { length: 256 } }, 'connectionId must be'],
  ['a resume that is no saved session', { resume: 'bm90IGEgc2Vzc2lvbg==' }, 'resume must be a SessionResumption or the bytes or base64 of one'],
  ['a resume of another type', { resume: 42 }, 'resume must be a SessionResumption, or the bytes or base64 of one'],
  ['tickets as text', { tickets: 'yes' }, 'tickets must be true or false'],
];

describe('option checks: every bad option is a DtlsError EINVAL naming it and what it accepts', () => {
  let uncaught: unknown[];
  const onUncaught = (error: unknown) => uncaught.push(error);
  beforeEach(() => {
    uncaught = [];
    process.on('uncaughtException', onUncaught);
  });
  afterEach(() => {
    process.off('uncaughtException', onUncaught);
    expect(uncaught).toEqual([]);
  });

  for (const [what, bad, message] of BAD_CLIENT_OPTIONS) {
    it(`connect and connect$ refuse ${what}`, async () => {
      const options = { ...client, ...bad } as Parameters<typeof connect>[0];
      const expected = { name: 'DtlsError', code: 'EINVAL', message: expect.stringContaining(message) };
      await expect(connect(options)).rejects.toMatchObject(expected);
      await expect(openClientSession(options)).rejects.toMatchObject(expected);
      await expect(firstValueFrom(connect$(options))).rejects.toMatchObject(expected);
      expect(() => clientDgramSocket(options)).toThrow(expect.objectContaining(expected));
    });
  }

  it('a server refuses bad limits, timers and policies: createServer and sockDtlsCreate throw, listen and listenDgram reject', async () => {
    const [transport] = memoryLink();
    const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
      [{ maxSessions: 0 }, 'maxSessions must be an integer from 1'],
      [{ maxHandshakes: 2.5 }, 'maxHandshakes must be an integer from 1'],
      [{ idleTimeout: -1 }, 'idleTimeout must be a number of milliseconds'],
      [{ cookieRotation: Number.NaN }, 'cookieRotation must be a number of milliseconds'],
      [{ clientAuth: 'always' }, 'clientAuth must be one of "none", "optional", "required"'],
      [{ connectionId: 'offer' }, 'connectionId must be false or { length?: 0..255, required?: boolean }'],
      [{ connectionId: { length: -1 } }, 'connectionId must be false or { length?: 0..255, required?: boolean }'],
      [{ connectionId: { length: 1, prefix: new Uint8Array([7]) } }, 'connectionId.prefix must be a Uint8Array shorter than connectionId.length (1)'],
      [{ connectionId: { prefix: [7] } }, 'connectionId.prefix must be a Uint8Array shorter than connectionId.length (4)'],
      [{ mtu: 70_000 }, 'mtu must be an integer from 64 to 65507'],
      [{ credentials: undefined }, 'credentials must be a CredentialStore'],
      [{ sessionCacheSize: -1 }, 'sessionCacheSize must be an integer from 0'],
      [{ sessionLifetime: 0 }, 'sessionLifetime must be an integer from 1'],
      [{ ticketKeys: [new Uint8Array(32)] }, 'ticketKeys must be a non-empty array of 48-byte keys'],
      [{ ticketKeys: [] }, 'ticketKeys must be a non-empty array of 48-byte keys'],
      // A short master is told by its length, never by its bytes.
      [{ masterSecret: new Uint8Array(31).fill(0xab) }, 'masterSecret must be a Uint8Array of at least 32 random bytes, got 31 bytes'],
      [{ masterSecret: 'correct horse battery staple, a passphrase' }, 'masterSecret must be a Uint8Array of at least 32 random bytes, got a string'],
    ];
    for (const [bad, message] of cases) {
      const expected = expect.objectContaining({ name: 'DtlsError', code: 'EINVAL', message: expect.stringContaining(message) });
      expect(() => createServer({ credentials: store, transport, ...bad } as never)).toThrow(expected);
      expect(() => sockDtlsCreate(transport, 0, SOCK_DTLS_1_2, SOCK_DTLS_SERVER, { credentials: store, ...bad } as never)).toThrow(expected);
      await expect(listen({ credentials: store, port: 0, ...bad } as never)).rejects.toEqual(expected);
      await expect(listenDgram({ credentials: store, port: 0, ...bad } as never)).rejects.toEqual(expected);
    }
    await expect(listen({ credentials: store, port: 65_536 })).rejects.toMatchObject({ code: 'EINVAL', message: 'port must be an integer from 0 to 65535, got 65536' });
    expect(() => createServer({ credentials: store } as never)).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringContaining('transport must be a DatagramTransport') }));
  });
});

describe("Node's own failures reach the caller as DtlsError", () => {
  const servers: DtlsServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('listen on a port in use rejects with EADDRINUSE', async () => {
    const first = await listen({ credentials: store, port: 0 });
    servers.push(first);
    await expect(listen({ credentials: store, port: first.address().port })).rejects.toMatchObject({ name: 'DtlsError', code: 'EADDRINUSE' });
  });

  it('listen on an address of no interface here rejects with EADDRNOTAVAIL', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never a local address.
    await expect(listen({ credentials: store, host: '192.0.2.1', port: 0 })).rejects.toMatchObject({ name: 'DtlsError', code: 'EADDRNOTAVAIL' });
  });

  it('connect to a name that does not resolve rejects with ENOTFOUND', async () => {
    // .invalid never resolves (RFC 6761 §6.4).
    await expect(connect({ ...client, host: 'no-such-host.invalid' })).rejects.toMatchObject({ name: 'DtlsError', code: 'ENOTFOUND' });
  });

  it('a UDP socket asked to connect to port 0 rejects with EINVAL instead of throwing from its bind callback', async () => {
    await expect(UdpTransport.bind({ port: 0, connect: { address: '127.0.0.1', port: 0 } })).rejects.toMatchObject({ name: 'DtlsError', code: 'EINVAL' });
  });

  it('credentials() stays the way to make a store: a store from it passes', async () => {
    const server = await listen({ credentials: credentials().psk({ tag: 0, identity: 'a', key: 'b' }), port: 0 });
    servers.push(server);
    expect(server.address().port).toBeGreaterThan(0);
  });
});
