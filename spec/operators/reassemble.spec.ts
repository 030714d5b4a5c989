import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fragmentMessage } from '../../lib/handshake/fragmenter.js';
import type { EpochFragment } from '../../lib/operators/decode-handshake.js';
import { reassemble, type EpochMessage } from '../../lib/operators/reassemble.js';
import { HANDSHAKE_HEADER_LENGTH, HandshakeType } from '../../lib/wire/constants.js';

const body = Uint8Array.from({ length: 250 }, (_, i) => i);
const message = { msgType: HandshakeType.certificate, messageSeq: 2, body };
const pieces = (epoch = 0): EpochFragment[] => fragmentMessage(message, HANDSHAKE_HEADER_LENGTH + 60).map((fragment) => ({ epoch, fragment }));

function subscribe(input: Subject<EpochFragment>, options = { maxBufferedBytes: 10_000, maxMessageLength: 10_000 }) {
  const out: EpochMessage[] = [];
  input.pipe(reassemble(options)).subscribe((m) => out.push(m));
  return out;
}

describe('reassemble', () => {
  it('emits a message once its fragments are all in, whatever their order, with their epoch', () => {
    const input = new Subject<EpochFragment>();
    const out = subscribe(input);
    const [a, b, c, d, e] = pieces(1);
    [d, a, e, c].forEach((f) => input.next(f));
    expect(out).toEqual([]);
    input.next(b);
    expect(out).toEqual([{ epoch: 1, message }]);
  });

  it('emits duplicated and overlapping fragments once', () => {
    const input = new Subject<EpochFragment>();
    const out = subscribe(input);
    const all = pieces();
    [all[0], all[0], all[1], all[1], all[2], all[3]].forEach((f) => input.next(f));
    input.next({ epoch: 0, fragment: { ...all[3].fragment, fragmentOffset: 190, fragmentLength: 60, body: body.subarray(190, 250) } });
    expect(out).toHaveLength(1);
    expect(out[0].message.body).toEqual(body);
  });

  it('gives each subscription its own buffer', () => {
    const input = new Subject<EpochFragment>();
    const first = subscribe(input);
    const [a, b, c, d, e] = pieces();
    [a, b].forEach((f) => input.next(f));
    const second = subscribe(input);
    [c, d, e].forEach((f) => input.next(f));
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(0);
  });

  it('drops fragments past the buffer bound', () => {
    const input = new Subject<EpochFragment>();
    const out = subscribe(input, { maxBufferedBytes: 100, maxMessageLength: 10_000 });
    pieces().forEach((f) => input.next(f));
    expect(out).toEqual([]);
  });
});
