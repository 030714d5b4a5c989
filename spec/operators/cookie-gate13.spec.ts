import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ClientHandshake13 } from '../../lib/handshake/client-handshake13.js';
import { ClientHelloFragments } from '../../lib/handshake/client-hello-fragments.js';
import { CookieSecrets } from '../../lib/handshake/cookie.js';
import { fragmentMessage } from '../../lib/handshake/fragmenter.js';
import type { HandshakeMessage } from '../../lib/handshake/handshake-message.js';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../lib/handshake/hello-retry13.js';
import { cookieGate, type VerifiedHello } from '../../lib/operators/cookie-gate.js';
import { splitRecords } from '../../lib/record/split-records.js';
import type { Datagram, PeerAddress } from '../../lib/transport/datagram.js';
import { ContentType, HandshakeType } from '../../lib/wire/constants.js';
import { decodeHandshakeFragments, encodeHandshakeFragment } from '../../lib/wire/handshake-header.js';
import { decodeServerHello } from '../../lib/wire/server-hello.js';
import { client13Options, server13Options } from '../handshake/helpers/handshake13-pair.js';
import { plainRecord } from './helpers/records.js';

const ALICE: PeerAddress = { address: '192.0.2.1', port: 40000 };
const LIMITS = { maxBytes: 32 * 1024, maxHelloLength: 4096, maxMessageSeq: 255 };

function gate13(fragments?: ClientHelloFragments) {
  const input = new Subject<Datagram>();
  const replies: Uint8Array[] = [];
  const passed: VerifiedHello[] = [];
  input
    .pipe(
      cookieGate({
        secrets: new CookieSecrets(new Uint8Array(32).fill(1)),
        reply: (data) => replies.push(data),
        versions: ['1.2', '1.3'],
        tls13: { ...server13Options(), psk: true },
        fragments,
      }),
    )
    .subscribe((v) => passed.push(v));
  return { input, replies, passed };
}

/** A 1.3 ClientHello of ours, cut into records of at most `size` bytes of fragment, one per datagram. */
function fragmentedHello(size: number): Uint8Array[] {
  const [entry] = new ClientHandshake13(client13Options()).start().flight!.entries;
  const message = (entry as { message: HandshakeMessage }).message;
  return fragmentMessage(message, size).map((piece, i) => plainRecord(ContentType.handshake, encodeHandshakeFragment(piece), { sequenceNumber: i }));
}

function isHelloRetryRequest(datagram: Uint8Array): boolean {
  const [record] = splitRecords(datagram).records;
  const fragments = decodeHandshakeFragments(record.fragment);
  if (!fragments.ok || fragments.value[0].msgType !== HandshakeType.server_hello) return false;
  const hello = decodeServerHello(fragments.value[0].body);
  return hello.ok && hello.value.random.every((b, i) => b === HELLO_RETRY_REQUEST_RANDOM[i]);
}

describe('cookieGate for DTLS 1.3: a ClientHello in fragments (RFC 9147 §5.1)', () => {
  it('puts it together before the cookie and answers the whole with one HelloRetryRequest, no larger than what came', () => {
    const g = gate13(new ClientHelloFragments(LIMITS));
    const datagrams = fragmentedHello(80);
    expect(datagrams.length).toBeGreaterThan(2);
    datagrams.slice(0, -1).forEach((data) => g.input.next({ data, peer: ALICE }));
    expect(g.replies).toEqual([]);
    g.input.next({ data: datagrams.at(-1)!, peer: ALICE });
    expect(g.replies).toHaveLength(1);
    expect(isHelloRetryRequest(g.replies[0])).toBe(true);
    expect(g.replies[0].length).toBeLessThanOrEqual(datagrams.reduce((sum, d) => sum + d.length, 0));
    expect(g.passed).toEqual([]);
  });

  it('drops the fragments where it has no reassembly pool, as a 1.2-only server does', () => {
    const g = gate13();
    fragmentedHello(80).forEach((data) => g.input.next({ data, peer: ALICE }));
    expect(g.replies).toEqual([]);
  });

  it(`holds at most ${LIMITS.maxBytes} bytes for 10,000 spoofed first fragments, and still answers a client whose fragments come together`, () => {
    const pool = new ClientHelloFragments(LIMITS);
    const g = gate13(pool);
    const [first] = fragmentedHello(80);
    let most = 0;
    for (let i = 0; i < 10_000; i++) {
      g.input.next({ data: first, peer: { address: `198.51.${i >> 8}.${i & 0xff}`, port: 5000 + (i % 1000) } });
      most = Math.max(most, pool.heldBytes);
    }
    expect(most).toBeLessThanOrEqual(LIMITS.maxBytes);
    expect(g.replies).toEqual([]);
    fragmentedHello(80).forEach((data) => g.input.next({ data, peer: ALICE }));
    expect(g.replies).toHaveLength(1);
  });
});
