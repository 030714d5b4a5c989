import { concatBytes } from '@noble/hashes/utils.js';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { COOKIE_LENGTH, CookieSecrets } from '../../lib/handshake/cookie.js';
import { cookieGate, type VerifiedHello } from '../../lib/operators/cookie-gate.js';
import { splitRecords } from '../../lib/record/split-records.js';
import type { Datagram, PeerAddress } from '../../lib/transport/datagram.js';
import { encodeAlert } from '../../lib/wire/alert.js';
import { ContentType, DTLS_1_0, DTLS_1_2, HandshakeType } from '../../lib/wire/constants.js';
import { decodeHandshakeFragments, encodeHandshakeMessage } from '../../lib/wire/handshake-header.js';
import { decodeHelloVerifyRequest } from '../../lib/wire/hello-verify-request.js';
import { clientHello } from '../handshake/helpers/client-hello.js';
import { clientHelloDatagram, fragmentedClientHelloDatagram, plainRecord } from './helpers/records.js';

const ALICE: PeerAddress = { address: '192.0.2.1', port: 40000 };
const MALLORY: PeerAddress = { address: '192.0.2.66', port: 40000 };

function gate(secrets = new CookieSecrets(new Uint8Array(32).fill(1))) {
  const input = new Subject<Datagram>();
  const replies: Array<{ data: Uint8Array; to: PeerAddress }> = [];
  const dropped: string[] = [];
  const passed: VerifiedHello[] = [];
  input
    .pipe(
      cookieGate({
        secrets,
        reply: (data, datagram) => replies.push({ data, to: datagram.peer }),
        onDropped: (_, reason) => dropped.push(reason),
      }),
    )
    .subscribe((v) => passed.push(v));
  return { input, replies, dropped, passed, secrets };
}

/** Decodes a HelloVerifyRequest datagram as a client would. */
function readHelloVerifyRequest(data: Uint8Array) {
  const { records, malformed } = splitRecords(data);
  expect(malformed).toBe(0);
  expect(records).toHaveLength(1);
  const fragments = decodeHandshakeFragments(records[0].fragment);
  if (!fragments.ok) throw new Error('HelloVerifyRequest does not decode');
  const [fragment] = fragments.value;
  const body = decodeHelloVerifyRequest(fragment.body);
  if (!body.ok) throw new Error('HelloVerifyRequest body does not decode');
  return { header: records[0].header, fragment, hvr: body.value };
}

describe('cookieGate', () => {
  it('answers a ClientHello without a cookie with a HelloVerifyRequest and lets nothing through', () => {
    const g = gate();
    g.input.next({ data: clientHelloDatagram(clientHello(), { sequenceNumber: 7, messageSeq: 0 }), peer: ALICE });
    expect(g.passed).toEqual([]);
    expect(g.replies).toHaveLength(1);
    expect(g.replies[0].to).toEqual(ALICE);
    const { header, fragment, hvr } = readHelloVerifyRequest(g.replies[0].data);
    expect(header).toMatchObject({ contentType: ContentType.handshake, epoch: 0 });
    expect(fragment.msgType).toBe(HandshakeType.hello_verify_request);
    expect(hvr.cookie).toHaveLength(COOKIE_LENGTH);
  });

  it('uses version DTLS 1.0 (0xfeff) in the record and the HelloVerifyRequest, whatever the client offers (RFC 6347 §4.2.1)', () => {
    const g = gate();
    g.input.next({ data: clientHelloDatagram(clientHello(), { version: DTLS_1_2 }), peer: ALICE });
    const { header, hvr } = readHelloVerifyRequest(g.replies[0].data);
    expect(header.version).toBe(DTLS_1_0);
    expect(hvr.serverVersion).toBe(DTLS_1_0);
  });

  it('copies the record sequence number and the message_seq of the ClientHello (RFC 6347 §4.2.1)', () => {
    const g = gate();
    g.input.next({ data: clientHelloDatagram(clientHello(), { sequenceNumber: 0x1234_5678_9a, messageSeq: 3 }), peer: ALICE });
    const { header, fragment } = readHelloVerifyRequest(g.replies[0].data);
    expect(header.sequenceNumber).toBe(0x1234_5678_9a);
    expect(fragment.messageSeq).toBe(3);
  });

  it('never answers with more bytes than the ClientHello it got, even the smallest one (no amplification)', () => {
    const g = gate();
    const hellos = [
      clientHello({ cipherSuites: [0xc0a8], extensions: [] }),
      clientHello(),
      clientHello({ cipherSuites: Array.from({ length: 50 }, (_, i) => 0xc000 + i), sessionId: new Uint8Array(32) }),
    ];
    for (const hello of hellos) {
      const data = clientHelloDatagram(hello);
      g.input.next({ data, peer: ALICE });
      expect(g.replies.at(-1)!.data.length).toBeLessThanOrEqual(data.length);
    }
    expect(g.replies).toHaveLength(hellos.length);
  });

  it('lets a ClientHello with the cookie it issued through, with the record and message it came in', () => {
    const g = gate();
    const first = clientHello();
    g.input.next({ data: clientHelloDatagram(first, { sequenceNumber: 0 }), peer: ALICE });
    const { hvr } = readHelloVerifyRequest(g.replies[0].data);
    const second = { ...first, cookie: hvr.cookie };
    g.input.next({ data: clientHelloDatagram(second, { sequenceNumber: 1, messageSeq: 1 }), peer: ALICE });
    expect(g.replies).toHaveLength(1);
    expect(g.passed).toHaveLength(1);
    const [verified] = g.passed;
    expect(verified.datagram.peer).toEqual(ALICE);
    expect(verified.record.header.sequenceNumber).toBe(1);
    expect(verified.message).toMatchObject({ msgType: HandshakeType.client_hello, messageSeq: 1 });
    expect(verified.hello.cookie).toEqual(hvr.cookie);
    expect(verified.hello.random).toEqual(first.random);
  });

  it('answers a wrong cookie with a fresh HelloVerifyRequest instead of letting it through', () => {
    const g = gate();
    g.input.next({ data: clientHelloDatagram(clientHello({ cookie: new Uint8Array(COOKIE_LENGTH).fill(0x55) })), peer: ALICE });
    expect(g.passed).toEqual([]);
    expect(g.replies).toHaveLength(1);
  });

  it('does not accept a cookie replayed from another address', () => {
    const g = gate();
    const hello = clientHello();
    g.input.next({ data: clientHelloDatagram(hello), peer: ALICE });
    const { hvr } = readHelloVerifyRequest(g.replies[0].data);
    g.input.next({ data: clientHelloDatagram({ ...hello, cookie: hvr.cookie }), peer: MALLORY });
    expect(g.passed).toEqual([]);
    expect(g.replies.at(-1)!.to).toEqual(MALLORY);
  });

  it('accepts a cookie issued before one secret rotation', () => {
    const g = gate();
    const hello = clientHello();
    g.input.next({ data: clientHelloDatagram(hello), peer: ALICE });
    const { hvr } = readHelloVerifyRequest(g.replies[0].data);
    g.secrets.rotate(new Uint8Array(32).fill(2));
    g.input.next({ data: clientHelloDatagram({ ...hello, cookie: hvr.cookie }), peer: ALICE });
    expect(g.passed).toHaveLength(1);
  });

  const garbage: Array<[string, () => Uint8Array]> = [
    ['an empty datagram', () => new Uint8Array(0)],
    ['random bytes', () => Uint8Array.from({ length: 100 }, (_, i) => (i * 89 + 7) & 0xff)],
    ['a truncated record', () => clientHelloDatagram(clientHello()).subarray(0, 40)],
    ['an alert record', () => plainRecord(ContentType.alert, encodeAlert({ level: 2, description: 40 }))],
    ['application data', () => plainRecord(ContentType.application_data, new Uint8Array(50))],
    ['an epoch-1 handshake record', () => plainRecord(ContentType.handshake, new Uint8Array(80), { epoch: 1 })],
    ['a ServerHello', () => plainRecord(ContentType.handshake, encodeHandshakeMessage(HandshakeType.server_hello, 0, new Uint8Array(38)))],
    ['a ClientHello whose body does not decode', () => plainRecord(ContentType.handshake, encodeHandshakeMessage(HandshakeType.client_hello, 0, new Uint8Array(10)))],
    ['a fragment of a ClientHello', () => fragmentedClientHelloDatagram(clientHello(), 20)],
    ['a handshake record with a broken header', () => plainRecord(ContentType.handshake, Uint8Array.of(1, 0, 0))],
  ];
  for (const [what, make] of garbage) {
    it(`drops ${what} without answering`, () => {
      const g = gate();
      g.input.next({ data: make(), peer: ALICE });
      expect(g.replies).toEqual([]);
      expect(g.passed).toEqual([]);
      expect(g.dropped).toHaveLength(1);
    });
  }

  it('looks only at the first record of a datagram', () => {
    const g = gate();
    const data = concatBytes(plainRecord(ContentType.alert, encodeAlert({ level: 1, description: 0 })), clientHelloDatagram(clientHello()));
    g.input.next({ data, peer: ALICE });
    expect(g.replies).toEqual([]);
    expect(g.dropped).toHaveLength(1);
  });

  it('takes the first record as it is: a ClientHello behind an unusable record (DTLS 1.1 version) is not looked for', () => {
    const g = gate();
    const data = concatBytes(plainRecord(ContentType.handshake, new Uint8Array(0), { version: 0xfefe }), clientHelloDatagram(clientHello()));
    g.input.next({ data, peer: ALICE });
    expect(g.replies).toEqual([]);
    expect(g.dropped).toEqual(['malformed datagram']);
  });

  it('answers a ClientHello followed by 5,000 empty records as if it came alone, without reading them', () => {
    const g = gate();
    const alone = clientHelloDatagram(clientHello());
    const padded = concatBytes(alone, ...Array.from({ length: 5_000 }, () => plainRecord(ContentType.handshake, new Uint8Array(0))));
    const started = performance.now();
    g.input.next({ data: padded, peer: ALICE });
    console.info(`ClientHello + 5,000 empty records through the gate: ${(performance.now() - started).toFixed(2)} ms`);
    g.input.next({ data: alone, peer: ALICE });
    expect(g.replies).toHaveLength(2);
    expect(g.replies[0].data).toEqual(g.replies[1].data);
  });

  it('keeps no state per peer: the same ClientHello always gets the same cookie', () => {
    const g = gate();
    const data = clientHelloDatagram(clientHello());
    g.input.next({ data, peer: ALICE });
    g.input.next({ data, peer: ALICE });
    expect(readHelloVerifyRequest(g.replies[0].data).hvr.cookie).toEqual(readHelloVerifyRequest(g.replies[1].data).hvr.cookie);
  });

  it('passes completion and errors through', () => {
    const g = gate();
    let completed = false;
    const input = new Subject<Datagram>();
    input.pipe(cookieGate({ secrets: g.secrets, reply: () => undefined })).subscribe({ complete: () => (completed = true) });
    input.complete();
    expect(completed).toBe(true);
    const failing = new Subject<Datagram>();
    let error: unknown;
    failing.pipe(cookieGate({ secrets: g.secrets, reply: () => undefined })).subscribe({ error: (e) => (error = e) });
    failing.error(new Error('socket closed'));
    expect(error).toBeInstanceOf(Error);
  });
});
