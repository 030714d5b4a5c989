import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Sequencer } from '../../lib/handshake/sequencer.js';
import type { EpochMessage } from '../../lib/operators/reassemble.js';
import { sequence, type SequencedEpochMessage } from '../../lib/operators/sequence.js';

const m = (messageSeq: number, epoch = 0): EpochMessage => ({ epoch, message: { msgType: 20, messageSeq, body: Uint8Array.of(messageSeq) } });
const summary = (out: SequencedEpochMessage[]) => out.map((o) => `${o.kind}:${o.message.messageSeq}@${o.epoch}`);

function run(sequencer: Sequencer, input: EpochMessage[]) {
  const source = new Subject<EpochMessage>();
  const out: SequencedEpochMessage[] = [];
  source.pipe(sequence(sequencer)).subscribe((x) => out.push(x));
  input.forEach((x) => source.next(x));
  return out;
}

describe('sequence', () => {
  it('emits messages in message_seq order, each with the epoch it arrived in', () => {
    const out = run(new Sequencer(), [m(2, 1), m(0, 0), m(1, 0)]);
    expect(summary(out)).toEqual(['next:0@0', 'next:1@0', 'next:2@1']);
  });

  it('reports retransmitted messages as stale', () => {
    const out = run(new Sequencer(), [m(0), m(1), m(0), m(1)]);
    expect(summary(out)).toEqual(['next:0@0', 'next:1@0', 'stale:0@0', 'stale:1@0']);
  });

  it('starts where the sequencer it is given starts (after a stateless cookie exchange)', () => {
    const out = run(new Sequencer(2), [m(1), m(2), m(3)]);
    expect(summary(out)).toEqual(['stale:1@0', 'next:2@0', 'next:3@0']);
  });

  it('shares the sequencer state with its owner', () => {
    const sequencer = new Sequencer();
    run(sequencer, [m(0), m(1)]);
    expect(sequencer.expected).toBe(2);
  });
});
