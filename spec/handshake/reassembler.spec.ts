import { describe, expect, it } from 'vitest';
import { fragmentMessage } from '../../lib/handshake/fragmenter.js';
import { HandshakeBudget } from '../../lib/handshake/handshake-budget.js';
import { Reassembler } from '../../lib/handshake/reassembler.js';
import { HANDSHAKE_HEADER_LENGTH, HandshakeType } from '../../lib/wire/constants.js';
import type { HandshakeFragment } from '../../lib/wire/handshake-header.js';

const bodyOf = (n: number, salt = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + salt) & 0xff);

/** A fragment [offset, offset + length) of `body` as message `messageSeq`. */
function piece(body: Uint8Array, offset: number, length: number, messageSeq = 1, msgType: number = HandshakeType.certificate): HandshakeFragment {
  return { msgType, length: body.length, messageSeq, fragmentOffset: offset, fragmentLength: length, body: body.subarray(offset, offset + length) };
}

const roomy = () => new Reassembler({ maxBufferedBytes: 10_000, maxMessageLength: 10_000 });

describe('Reassembler', () => {
  it('passes a whole message straight through without buffering it', () => {
    const r = roomy();
    const body = bodyOf(50);
    const message = r.add(piece(body, 0, 50, 3));
    expect(message).toEqual({ msgType: HandshakeType.certificate, messageSeq: 3, body });
    expect(r.bufferedBytes).toBe(0);
  });

  it('rebuilds a message from fragments in order and buffers only while incomplete', () => {
    const r = roomy();
    const body = bodyOf(300);
    const fragments = fragmentMessage({ msgType: HandshakeType.certificate, messageSeq: 1, body }, HANDSHAKE_HEADER_LENGTH + 100);
    expect(r.add(fragments[0])).toBeUndefined();
    expect(r.bufferedBytes).toBe(300);
    expect(r.add(fragments[1])).toBeUndefined();
    const message = r.add(fragments[2]);
    expect(message?.body).toEqual(body);
    expect(r.bufferedBytes).toBe(0);
  });

  it('rebuilds a message from fragments in any order, exactly when the last gap is filled', () => {
    const body = bodyOf(250);
    const fragments = [piece(body, 0, 50), piece(body, 50, 50), piece(body, 100, 50), piece(body, 150, 50), piece(body, 200, 50)];
    for (const order of [
      [4, 3, 2, 1, 0],
      [2, 0, 4, 1, 3],
      [1, 3, 0, 4, 2],
    ]) {
      const r = roomy();
      const results = order.map((i) => r.add(fragments[i]));
      expect(results.slice(0, -1).every((m) => m === undefined)).toBe(true);
      expect(results.at(-1)?.body).toEqual(body);
    }
  });

  it('rebuilds a message from overlapping fragments', () => {
    const r = roomy();
    const body = bodyOf(100);
    expect(r.add(piece(body, 30, 50))).toBeUndefined(); // [30, 80)
    expect(r.add(piece(body, 0, 40))).toBeUndefined(); // [0, 40) overlaps
    expect(r.add(piece(body, 35, 10))).toBeUndefined(); // inside what we have
    expect(r.add(piece(body, 70, 30))?.body).toEqual(body); // [70, 100) overlaps and completes
  });

  it('merges fragments that only touch at their edges', () => {
    const r = roomy();
    const body = bodyOf(30);
    expect(r.add(piece(body, 10, 10))).toBeUndefined();
    expect(r.add(piece(body, 20, 10))).toBeUndefined();
    expect(r.add(piece(body, 0, 10))?.body).toEqual(body);
  });

  it('delivers a message once however often its fragments are duplicated before it completes', () => {
    const r = roomy();
    const body = bodyOf(90);
    const delivered = [piece(body, 0, 30), piece(body, 0, 30), piece(body, 60, 30), piece(body, 60, 30), piece(body, 0, 30), piece(body, 30, 30)]
      .map((f) => r.add(f))
      .filter((m) => m !== undefined);
    expect(delivered).toHaveLength(1);
    expect(delivered[0].body).toEqual(body);
  });

  it('keeps several messages apart by message_seq', () => {
    const r = roomy();
    const a = bodyOf(40, 1);
    const b = bodyOf(40, 2);
    expect(r.add(piece(a, 0, 20, 1))).toBeUndefined();
    expect(r.add(piece(b, 20, 20, 2))).toBeUndefined();
    expect(r.bufferedBytes).toBe(80);
    expect(r.add(piece(b, 0, 20, 2))).toEqual({ msgType: HandshakeType.certificate, messageSeq: 2, body: b });
    expect(r.add(piece(a, 20, 20, 1))).toEqual({ msgType: HandshakeType.certificate, messageSeq: 1, body: a });
  });

  it('drops a fragment whose msg_type contradicts the earlier fragments of its message', () => {
    const r = roomy();
    const body = bodyOf(60);
    r.add(piece(body, 0, 30));
    const liar = { ...piece(bodyOf(60, 9), 30, 30), msgType: HandshakeType.server_key_exchange };
    expect(r.add(liar)).toBeUndefined();
    // the honest rest still completes the honest message
    expect(r.add(piece(body, 30, 30))).toEqual({ msgType: HandshakeType.certificate, messageSeq: 1, body });
  });

  it('drops a fragment whose total length contradicts the earlier fragments of its message', () => {
    const r = roomy();
    const body = bodyOf(60);
    r.add(piece(body, 0, 30));
    const longer = bodyOf(90, 5);
    expect(r.add(piece(longer, 30, 60))).toBeUndefined();
    expect(r.bufferedBytes).toBe(60);
    expect(r.add(piece(body, 30, 30))?.body).toEqual(body);
  });

  it('charges each incomplete message to the handshake budget, drops one it has no room for, and gives the bytes back', () => {
    const budget = new HandshakeBudget(150);
    budget.charge(40); // held elsewhere in the same handshake
    const r = new Reassembler({ maxBufferedBytes: 1000, maxMessageLength: 1000, budget });
    const a = bodyOf(100, 1);
    const b = bodyOf(100, 2);
    r.add(piece(a, 0, 10, 1));
    expect(budget.held).toBe(140);
    expect(r.add(piece(b, 0, 10, 2))).toBeUndefined();
    expect(r.bufferedBytes).toBe(100); // b had no room
    expect(r.add(piece(a, 10, 90, 1))?.body).toEqual(a);
    expect(budget.held).toBe(40);
    r.add(piece(b, 0, 10, 2));
    r.discardBelow(3);
    expect(budget.held).toBe(40);
  });

  it('drops a new incomplete message that would take the buffer past maxBufferedBytes, and keeps the others', () => {
    const r = new Reassembler({ maxBufferedBytes: 150, maxMessageLength: 1000 });
    const a = bodyOf(100, 1);
    const b = bodyOf(100, 2);
    expect(r.add(piece(a, 0, 10, 1))).toBeUndefined();
    expect(r.bufferedBytes).toBe(100);
    expect(r.add(piece(b, 0, 10, 2))).toBeUndefined();
    expect(r.bufferedBytes).toBe(100); // b was not taken
    expect(r.add(piece(b, 10, 90, 2))).toBeUndefined(); // nor its other fragments
    expect(r.add(piece(a, 10, 90, 1))?.body).toEqual(a);
    expect(r.bufferedBytes).toBe(0);
    // with room again, b can be rebuilt
    r.add(piece(b, 0, 50, 2));
    expect(r.add(piece(b, 50, 50, 2))?.body).toEqual(b);
  });

  it('never holds more than maxBufferedBytes whatever fragments arrive', () => {
    const r = new Reassembler({ maxBufferedBytes: 1000, maxMessageLength: 5000 });
    for (let seq = 0; seq < 200; seq++) {
      const length = 2 + ((seq * 37) % 400);
      r.add(piece(bodyOf(length), 0, 1, seq));
      expect(r.bufferedBytes).toBeLessThanOrEqual(1000);
    }
    expect(r.bufferedBytes).toBeGreaterThan(0);
  });

  it('refuses a message longer than maxMessageLength, even whole', () => {
    const r = new Reassembler({ maxBufferedBytes: 10_000, maxMessageLength: 64 });
    expect(r.add(piece(bodyOf(65), 0, 65))).toBeUndefined();
    expect(r.add(piece(bodyOf(65), 0, 10))).toBeUndefined();
    expect(r.bufferedBytes).toBe(0);
    expect(r.add(piece(bodyOf(64), 0, 64))?.body).toHaveLength(64);
  });

  it('discardBelow forgets incomplete messages below a message_seq and frees their bytes', () => {
    const r = roomy();
    for (const seq of [1, 2, 3]) r.add(piece(bodyOf(40, seq), 0, 20, seq));
    expect(r.bufferedBytes).toBe(120);
    r.discardBelow(3);
    expect(r.bufferedBytes).toBe(40);
    // The rest of message 2 now starts a new partial message instead of completing the old one.
    expect(r.add(piece(bodyOf(40, 2), 20, 20, 2))).toBeUndefined();
    expect(r.add(piece(bodyOf(40, 3), 20, 20, 3))?.body).toEqual(bodyOf(40, 3));
  });
});

describe('Reassembler onDropped', () => {
  it('is told of each fragment dropped, and only of those', () => {
    let dropped = 0;
    const r = new Reassembler({ maxBufferedBytes: 150, maxMessageLength: 120, window: () => ({ min: 1, max: 3 }), onDropped: () => dropped++ });
    const body = bodyOf(100);
    r.add(piece(body, 0, 10, 1)); // buffered
    r.add(piece(body, 0, 10, 1)); // a duplicate: nothing new, not a drop
    expect(dropped).toBe(0);
    r.add(piece(bodyOf(121), 0, 10, 2)); // longer than maxMessageLength
    r.add(piece(bodyOf(60), 0, 10, 4)); // outside the window
    r.add(piece(bodyOf(60), 0, 10, 2)); // over the budget
    r.add({ ...piece(body, 10, 10, 1), msgType: HandshakeType.server_key_exchange }); // contradicts message 1
    expect(dropped).toBe(4);
    expect(r.add(piece(body, 10, 90, 1))?.body).toEqual(body);
    expect(dropped).toBe(4);
  });
});
