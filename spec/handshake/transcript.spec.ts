import { sha256, sha384 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { Transcript } from '../../lib/handshake/transcript.js';
import { HandshakeType } from '../../lib/wire/constants.js';

const hello = { msgType: HandshakeType.client_hello, messageSeq: 1, body: Uint8Array.from({ length: 70 }, (_, i) => i) };
const serverHello = { msgType: HandshakeType.server_hello, messageSeq: 1, body: Uint8Array.from({ length: 40 }, (_, i) => 255 - i) };
const done = { msgType: HandshakeType.server_hello_done, messageSeq: 2, body: new Uint8Array(0) };

/** The RFC 6347 §4.2.6 form written out by hand: msg_type, length, message_seq, offset 0, fragment_length = length, body. */
function header(m: { msgType: number; messageSeq: number; body: Uint8Array }): number[] {
  const n = m.body.length;
  return [m.msgType, n >> 16, (n >> 8) & 0xff, n & 0xff, m.messageSeq >> 8, m.messageSeq & 0xff, 0, 0, 0, n >> 16, (n >> 8) & 0xff, n & 0xff, ...m.body];
}

describe('Transcript', () => {
  it('hashes nothing as the hash of the empty string', () => {
    expect(new Transcript().hash('sha256')).toEqual(sha256(new Uint8Array(0)));
    expect(new Transcript().bytes()).toEqual(new Uint8Array(0));
  });

  it('hashes the messages added, in order, with their DTLS headers', () => {
    const t = new Transcript();
    [hello, serverHello, done].forEach((m) => t.add(m));
    const all = Uint8Array.from([...header(hello), ...header(serverHello), ...header(done)]);
    expect(t.hash('sha256')).toEqual(sha256(all));
    expect(t.hash('sha384')).toEqual(sha384(all));
    expect(t.bytes()).toEqual(all);
  });

  it('gives the right hash for each algorithm asked, in any order, as messages keep coming', () => {
    const t = new Transcript();
    t.add(hello);
    expect(t.hash('sha256')).toEqual(sha256(Uint8Array.from(header(hello))));
    t.add(serverHello);
    expect(t.hash('sha384')).toEqual(sha384(Uint8Array.from([...header(hello), ...header(serverHello)])));
    t.add(done);
    const all = Uint8Array.from([...header(hello), ...header(serverHello), ...header(done)]);
    expect(t.hash('sha256')).toEqual(sha256(all));
    expect(t.hash('sha256')).toEqual(sha256(all));
  });

  it('depends on the order of the messages and on message_seq', () => {
    const a = new Transcript();
    a.add(hello);
    a.add(serverHello);
    const b = new Transcript();
    b.add(serverHello);
    b.add(hello);
    const c = new Transcript();
    c.add({ ...hello, messageSeq: 0 });
    c.add(serverHello);
    expect(a.hash('sha256')).not.toEqual(b.hash('sha256'));
    expect(a.hash('sha256')).not.toEqual(c.hash('sha256'));
  });

  it('can be hashed at several points as messages keep coming (Finished hashes differ from the session hash)', () => {
    const t = new Transcript();
    t.add(hello);
    const early = t.hash('sha256');
    const earlyBytes = t.bytes();
    t.add(done);
    expect(early).toEqual(sha256(Uint8Array.from(header(hello))));
    expect(earlyBytes).toEqual(Uint8Array.from(header(hello)));
    const all = Uint8Array.from([...header(hello), ...header(done)]);
    expect(t.hash('sha256')).toEqual(sha256(all));
    expect(t.hash('sha256')).toEqual(sha256(all));
    expect(t.bytes()).toEqual(all);
  });

  it('keeps what it was given even when the message bodies are changed afterwards', () => {
    const body = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
    const big = { msgType: HandshakeType.certificate, messageSeq: 2, body };
    const t = new Transcript();
    t.add(hello);
    t.add(big);
    const expected = Uint8Array.from([...header(hello), ...header(big)]);
    body.fill(0);
    expect(t.bytes()).toEqual(expected);
    expect(t.hash('sha256')).toEqual(sha256(expected));
  });
});
