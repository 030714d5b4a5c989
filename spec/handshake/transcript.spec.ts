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
    expect(new Transcript('sha256').hash()).toEqual(sha256(new Uint8Array(0)));
    expect(new Transcript('sha384').bytes()).toEqual(new Uint8Array(0));
  });

  it('hashes the messages added, in order, with their DTLS headers, with the hash it was made for', () => {
    const all = Uint8Array.from([...header(hello), ...header(serverHello), ...header(done)]);
    for (const [alg, h] of [['sha256', sha256], ['sha384', sha384]] as const) {
      const t = new Transcript(alg);
      [hello, serverHello, done].forEach((m) => t.add(m));
      expect(t.hash()).toEqual(h(all));
      expect(t.bytes()).toEqual(all);
    }
  });

  it('depends on the order of the messages and on message_seq', () => {
    const a = new Transcript('sha256');
    a.add(hello);
    a.add(serverHello);
    const b = new Transcript('sha256');
    b.add(serverHello);
    b.add(hello);
    const c = new Transcript('sha256');
    c.add({ ...hello, messageSeq: 0 });
    c.add(serverHello);
    expect(a.hash()).not.toEqual(b.hash());
    expect(a.hash()).not.toEqual(c.hash());
  });

  it('can be hashed at several points as messages keep coming (Finished hashes differ from the session hash)', () => {
    const t = new Transcript('sha256');
    t.add(hello);
    const early = t.hash();
    const earlyBytes = t.bytes();
    t.add(done);
    expect(early).toEqual(sha256(Uint8Array.from(header(hello))));
    expect(earlyBytes).toEqual(Uint8Array.from(header(hello)));
    const all = Uint8Array.from([...header(hello), ...header(done)]);
    expect(t.hash()).toEqual(sha256(all));
    expect(t.hash()).toEqual(sha256(all));
    expect(t.bytes()).toEqual(all);
  });

  it('keeps what it was given even when the message bodies are changed afterwards', () => {
    const body = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
    const big = { msgType: HandshakeType.certificate, messageSeq: 2, body };
    const t = new Transcript('sha256');
    t.add(hello);
    t.add(big);
    const expected = Uint8Array.from([...header(hello), ...header(big)]);
    body.fill(0);
    expect(t.bytes()).toEqual(expected);
    expect(t.hash()).toEqual(sha256(expected));
  });
});
