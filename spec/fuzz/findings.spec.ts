// Bugs the endpoint fuzzer found (and one found next to them), each reduced to the datagrams
// that triggered it. Each crashed the process of the endpoint hit (the error escaped to RxJS's
// unhandled-error path); they are fixed, and these specs keep them fixed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentials } from '../../lib/credentials/credential-store.js';
import { createServer, type DtlsServer } from '../../lib/endpoint/server.js';
import { DTLS_1_0, HandshakeType } from '../../lib/wire/constants.js';
import { encodeHelloVerifyRequest } from '../../lib/wire/hello-verify-request.js';
import { EscapeTrap } from './helpers/escape-trap.js';
import { keyExchange } from './helpers/key-exchanges.js';
import { Lab } from './helpers/lab.js';
import { RecordIo } from './helpers/record-io.js';
import { clientHelloDatagram, cookieIn, pskClientHello } from './helpers/hello.js';
import { SpoofTransport } from './helpers/spoof-transport.js';
import { VirtualTime } from '../../lib/testing/index.js';

const PEER = { address: '192.0.2.7', port: 40000 };
let trap: EscapeTrap;
let clock: VirtualTime;
let transport: SpoofTransport;
let server: DtlsServer;

beforeEach(() => {
  trap = new EscapeTrap();
  clock = new VirtualTime();
  transport = new SpoofTransport();
  server = createServer({
    transport,
    credentials: credentials().psk({ tag: 0, identity: 'Client_identity', key: 'secretPSK' }),
    scheduler: clock.scheduler,
  });
});

afterEach(() => {
  trap.dispose();
});

/** The cookie exchange, answered properly, with both ClientHellos carrying `options`. */
function verifiedHello(options: Parameters<typeof clientHelloDatagram>[1]): void {
  const random = new Uint8Array(32).fill(0x42);
  transport.deliver(clientHelloDatagram(pskClientHello(random), options), PEER);
  const cookie = cookieIn(transport.replies[0].data);
  expect(cookie).toBeDefined();
  transport.deliver(clientHelloDatagram(pskClientHello(random, { cookie }), options), PEER);
  clock.advanceBy(10);
}

describe('fuzz findings', () => {
  // Found by the endpoint fuzzer: a ClientHello with message_seq 65535 made the server number its
  // flight past 65535 and crash. RFC 6347 §4.2.2: message_seq never wraps; the cookie gate drops it.
  it('a ClientHello with message_seq 65535 is dropped at the cookie gate: no reply, no session, nothing escapes', async () => {
    transport.deliver(clientHelloDatagram(pskClientHello(new Uint8Array(32).fill(0x42)), { messageSeq: 65535 }), PEER);
    clock.advanceBy(10);
    await trap.settle();
    expect(transport.replies).toEqual([]);
    expect(server.sessionCount).toBe(0);
    expect(trap.escaped).toEqual([]);
  });

  // Found by the endpoint fuzzer: the server continued its epoch-0 records after the ClientHello's
  // number, so 2^48-1 exhausted them and crashed. It now starts at 0 when the number leaves no room.
  it('a cookie-verified ClientHello with record sequence number 2^48-1 starts a session whose own numbers start afresh; nothing escapes', async () => {
    verifiedHello({ recordSeq: 2 ** 48 - 1 });
    await trap.settle();
    expect(trap.escaped).toEqual([]);
    expect(() => server.close()).not.toThrow();
  });

  // Found next to them: a client answered HelloVerifyRequests without limit until its message_seq
  // passed 65535 and crashed. It now gives up after 8 (or before message_seq would wrap).
  it('a client bombarded with HelloVerifyRequests never numbers a ClientHello past 65535', async () => {
    const lab = await new Lab({ setup: keyExchange('PSK'), seed: 3, withServer: false }).start();
    const io = new RecordIo(lab.serverEnd.datagrams$, (d) => lab.inject('s>c', d));
    (lab.client as unknown as { driver: { handshake: { nextSendSeq: number } } }).driver.handshake.nextSendSeq = 65_530;
    for (let seq = 0; seq < 10; seq++) {
      io.transmit(io.handshake({ msgType: HandshakeType.hello_verify_request, messageSeq: seq, body: encodeHelloVerifyRequest({ serverVersion: DTLS_1_0, cookie: new Uint8Array(8).fill(seq) }) }));
      lab.clock.advanceBy(1);
    }
    await trap.settle();
    lab.close();
    expect(trap.escaped).toEqual([]);
  });

  it('the same exchange with ordinary numbers starts a session and raises nothing (the specs above can pass)', async () => {
    verifiedHello({ messageSeq: 1, recordSeq: 1 });
    await trap.settle();
    expect(trap.escaped).toEqual([]);
    expect(server.sessionCount).toBe(1);
    expect(() => server.close()).not.toThrow();
  });
});
