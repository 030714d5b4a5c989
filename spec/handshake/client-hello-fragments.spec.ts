import { describe, expect, it } from 'vitest';
import { ClientHelloFragments, PARTIAL_HELLO_OVERHEAD } from '../../lib/handshake/client-hello-fragments.js';
import { HandshakeType } from '../../lib/wire/constants.js';
import type { HandshakeFragment } from '../../lib/wire/handshake-header.js';

const HELLO = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);

function fragment(offset: number, length: number, overrides: Partial<HandshakeFragment> = {}): HandshakeFragment {
  return { msgType: HandshakeType.client_hello, length: HELLO.length, messageSeq: 0, fragmentOffset: offset, fragmentLength: length, body: HELLO.subarray(offset, offset + length), ...overrides };
}

const LIMITS = { maxBytes: 64 * 1024, maxHelloLength: 4096, maxMessageSeq: 255 };

describe('ClientHelloFragments: ClientHellos reassembled before the cookie, bounded for the whole server', () => {
  it('gives the whole ClientHello, a copy, once its fragments arrive in any order, and keeps nothing after', () => {
    const pool = new ClientHelloFragments(LIMITS);
    expect(pool.add('a', fragment(600, 400))).toBeUndefined();
    expect(pool.heldBytes).toBe(HELLO.length + PARTIAL_HELLO_OVERHEAD);
    expect(pool.add('a', fragment(0, 300))).toBeUndefined();
    const message = pool.add('a', fragment(300, 300));
    expect(message).toEqual({ msgType: HandshakeType.client_hello, messageSeq: 0, body: HELLO });
    expect(message?.body.buffer).not.toBe(HELLO.buffer);
    expect([pool.heldBytes, pool.partialHellos]).toEqual([0, 0]);
  });

  it('keeps peers apart: the same fragments from two addresses make two hellos', () => {
    const pool = new ClientHelloFragments(LIMITS);
    pool.add('a', fragment(0, 500));
    expect(pool.add('b', fragment(500, 500))).toBeUndefined();
    expect(pool.add('a', fragment(500, 500))?.body).toEqual(HELLO);
    expect(pool.partialHellos).toBe(1);
  });

  it('takes only ClientHello fragments of acceptable length and message_seq', () => {
    const pool = new ClientHelloFragments(LIMITS);
    expect(pool.add('a', fragment(0, 10, { msgType: HandshakeType.server_hello }))).toBeUndefined();
    expect(pool.add('a', fragment(0, 10, { length: LIMITS.maxHelloLength + 1 }))).toBeUndefined();
    expect(pool.add('a', fragment(0, 10, { messageSeq: 256 }))).toBeUndefined();
    expect([pool.heldBytes, pool.partialHellos]).toEqual([0, 0]);
  });

  it('drops a fragment that contradicts the first (another length), keeping the partial hello', () => {
    const pool = new ClientHelloFragments(LIMITS);
    pool.add('a', fragment(0, 500));
    expect(pool.add('a', { ...fragment(500, 500), length: 1200 })).toBeUndefined();
    expect(pool.add('a', fragment(500, 500))?.body).toEqual(HELLO);
  });

  it(`holds at most maxBytes under a flood of 20,000 first fragments from spoofed addresses, evicting the oldest`, () => {
    const pool = new ClientHelloFragments(LIMITS);
    let most = 0;
    for (let i = 0; i < 20_000; i++) {
      pool.add(`spoofed-${i}`, fragment(0, 500));
      most = Math.max(most, pool.heldBytes);
    }
    expect(most).toBeLessThanOrEqual(LIMITS.maxBytes);
    expect(pool.partialHellos).toBe(Math.floor(LIMITS.maxBytes / (HELLO.length + PARTIAL_HELLO_OVERHEAD)));
    // A client whose fragments arrive together still gets through the flood.
    pool.add('client', fragment(0, 500));
    expect(pool.add('client', fragment(500, 500))?.body).toEqual(HELLO);
    // The oldest spoofed ones were evicted: their second fragment starts over.
    expect(pool.add('spoofed-0', fragment(500, 500))).toBeUndefined();
    expect(pool.heldBytes).toBeLessThanOrEqual(LIMITS.maxBytes);
  });
});
