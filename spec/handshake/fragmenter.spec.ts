import { describe, expect, it } from 'vitest';
import { fragmentMessage } from '../../lib/handshake/fragmenter.js';
import { HANDSHAKE_HEADER_LENGTH, HandshakeType } from '../../lib/wire/constants.js';
import { decodeHandshakeFragments, encodeHandshakeFragment } from '../../lib/wire/handshake-header.js';

const bodyOf = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
const message = (n: number, messageSeq = 4) => ({ msgType: HandshakeType.server_hello, messageSeq, body: bodyOf(n) });

/** Puts the fragment bodies back at their offsets. */
function join(fragments: ReturnType<typeof fragmentMessage>, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (const f of fragments) out.set(f.body, f.fragmentOffset);
  return out;
}

describe('fragmentMessage', () => {
  it('returns a message that fits as one whole fragment', () => {
    const m = message(100);
    const fragments = fragmentMessage(m, 100 + HANDSHAKE_HEADER_LENGTH);
    expect(fragments).toHaveLength(1);
    expect(fragments[0]).toMatchObject({ msgType: m.msgType, messageSeq: 4, length: 100, fragmentOffset: 0, fragmentLength: 100 });
    expect(fragments[0].body).toEqual(m.body);
  });

  it('splits a message one byte too large into two fragments', () => {
    const fragments = fragmentMessage(message(101), 100 + HANDSHAKE_HEADER_LENGTH);
    expect(fragments.map((f) => [f.fragmentOffset, f.fragmentLength])).toEqual([
      [0, 100],
      [100, 1],
    ]);
  });

  it('cuts contiguous, non-overlapping fragments that cover the body exactly, at every size', () => {
    for (const size of [1, 2, 13, 50, 99, 100, 101, 257, 1000]) {
      for (const max of [HANDSHAKE_HEADER_LENGTH + 1, 20, 64, 113, 512]) {
        const m = message(size);
        const fragments = fragmentMessage(m, max);
        let offset = 0;
        for (const f of fragments) {
          expect(f.fragmentOffset).toBe(offset);
          expect(f.fragmentLength).toBeGreaterThan(0);
          expect(f.length).toBe(size);
          expect(f.messageSeq).toBe(m.messageSeq);
          expect(f.msgType).toBe(m.msgType);
          offset += f.fragmentLength;
        }
        expect(offset).toBe(size);
        expect(fragments).toHaveLength(Math.ceil(size / (max - HANDSHAKE_HEADER_LENGTH)));
        expect(join(fragments, size)).toEqual(m.body);
      }
    }
  });

  it('honours the maximum fragment size with the handshake header included', () => {
    for (const max of [HANDSHAKE_HEADER_LENGTH + 1, 40, 200]) {
      for (const f of fragmentMessage(message(777), max)) {
        const encoded = encodeHandshakeFragment(f);
        expect(encoded.length).toBeLessThanOrEqual(max);
        const decoded = decodeHandshakeFragments(encoded);
        expect(decoded.ok && decoded.value[0].fragmentLength).toBe(f.fragmentLength);
      }
    }
  });

  it('sends a zero-length body (ServerHelloDone) as one empty fragment', () => {
    const m = { msgType: HandshakeType.server_hello_done, messageSeq: 2, body: new Uint8Array(0) };
    const fragments = fragmentMessage(m, 100);
    expect(fragments).toHaveLength(1);
    expect(fragments[0]).toMatchObject({ length: 0, fragmentOffset: 0, fragmentLength: 0 });
    expect(encodeHandshakeFragment(fragments[0])).toHaveLength(HANDSHAKE_HEADER_LENGTH);
  });

  it('returns views of the message body, not copies', () => {
    const m = message(300);
    const [, second] = fragmentMessage(m, 112);
    expect(second.body.buffer).toBe(m.body.buffer);
    expect(second.body.byteOffset).toBe(m.body.byteOffset + 100);
  });

  it('throws on a maximum that leaves no room for a body byte (a programmer error)', () => {
    expect(() => fragmentMessage(message(10), HANDSHAKE_HEADER_LENGTH)).toThrow(RangeError);
    expect(() => fragmentMessage(message(10), 0)).toThrow(RangeError);
  });
});
