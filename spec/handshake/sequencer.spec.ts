import { describe, expect, it } from 'vitest';
import type { HandshakeMessage } from '../../lib/handshake/handshake-message.js';
import { HandshakeBudget } from '../../lib/handshake/handshake-budget.js';
import { Sequencer } from '../../lib/handshake/sequencer.js';

const m = (messageSeq: number): HandshakeMessage => ({ msgType: 1, messageSeq, body: Uint8Array.of(messageSeq & 0xff) });
const summary = (out: ReturnType<Sequencer['push']>) => out.map((o) => `${o.kind}:${o.message.messageSeq}`);

describe('Sequencer', () => {
  it('delivers messages that arrive in order at once', () => {
    const s = new Sequencer();
    for (let seq = 0; seq < 5; seq++) expect(summary(s.push(m(seq)))).toEqual([`next:${seq}`]);
    expect(s.expected).toBe(5);
  });

  it('holds messages that arrive early and releases them in order when the gap is filled', () => {
    const s = new Sequencer();
    expect(s.push(m(2))).toEqual([]);
    expect(s.push(m(1))).toEqual([]);
    expect(s.push(m(4))).toEqual([]);
    expect(summary(s.push(m(0)))).toEqual(['next:0', 'next:1', 'next:2']);
    expect(s.expected).toBe(3);
    expect(summary(s.push(m(3)))).toEqual(['next:3', 'next:4']);
  });

  it('delivers a message in order as given, and one held for later as a copy that owns its bytes', () => {
    const s = new Sequencer();
    const datagram = new Uint8Array(1_000).fill(7);
    const later: HandshakeMessage = { msgType: 1, messageSeq: 1, body: datagram.subarray(10, 14) };
    s.push(later);
    const now = m(0);
    const out = s.push(now);
    expect(out[0].message).toBe(now);
    expect(out[1].message).toEqual({ ...later, body: Uint8Array.of(7, 7, 7, 7) });
    // A held view would keep the whole datagram alive.
    expect(out[1].message.body.buffer.byteLength).toBe(4);
  });

  it('charges held messages to a budget, keeps none it has no room for, and gives the bytes back when they are delivered', () => {
    const budget = new HandshakeBudget(10);
    const s = new Sequencer(0, 16, budget);
    s.push({ msgType: 1, messageSeq: 1, body: new Uint8Array(6) });
    s.push({ msgType: 1, messageSeq: 2, body: new Uint8Array(6) }); // no room: dropped
    expect(budget.held).toBe(6);
    expect(summary(s.push(m(0)))).toEqual(['next:0', 'next:1']);
    expect(budget.held).toBe(0);
  });

  it('reports messages already delivered as stale (the peer retransmits)', () => {
    const s = new Sequencer();
    s.push(m(0));
    s.push(m(1));
    expect(summary(s.push(m(0)))).toEqual(['stale:0']);
    expect(summary(s.push(m(1)))).toEqual(['stale:1']);
    expect(s.expected).toBe(2);
  });

  it('delivers a future message once even when it is buffered twice', () => {
    const s = new Sequencer();
    s.push(m(1));
    s.push(m(1));
    expect(summary(s.push(m(0)))).toEqual(['next:0', 'next:1']);
    expect(summary(s.push(m(1)))).toEqual(['stale:1']);
  });

  it('drops messages further ahead than maxFutureMessages and keeps those within it', () => {
    const s = new Sequencer(0, 3);
    s.push(m(3)); // 3 ahead: kept
    s.push(m(4)); // 4 ahead: dropped
    expect(summary(s.push(m(0)))).toEqual(['next:0']);
    expect(summary(s.push(m(1)))).toEqual(['next:1']);
    expect(summary(s.push(m(2)))).toEqual(['next:2', 'next:3']);
    expect(s.expected).toBe(4); // message 4 was never held
  });

  it('bounds the buffer: a flood of distinct future message_seq values keeps at most maxFutureMessages', () => {
    const s = new Sequencer(0, 16);
    for (let seq = 1; seq < 1000; seq++) s.push(m(seq));
    expect(summary(s.push(m(0)))).toHaveLength(17);
    expect(s.expected).toBe(17);
  });

  it('starts at the message_seq it is given', () => {
    const s = new Sequencer(1);
    expect(summary(s.push(m(0)))).toEqual(['stale:0']);
    expect(summary(s.push(m(1)))).toEqual(['next:1']);
  });

  it('expect() moves the next message_seq: older ones turn stale, held later ones still follow', () => {
    const s = new Sequencer();
    s.push(m(1));
    s.push(m(3));
    s.expect(2);
    expect(s.expected).toBe(2);
    expect(summary(s.push(m(1)))).toEqual(['stale:1']);
    expect(summary(s.push(m(2)))).toEqual(['next:2', 'next:3']);
  });
});
