import { concatBytes } from '@noble/hashes/utils.js';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { decodeHandshake, type EpochFragment } from '../../lib/operators/decode-handshake.js';
import type { PlainRecord } from '../../lib/record/read-epochs.js';
import { ContentType, HandshakeType } from '../../lib/wire/constants.js';
import { encodeHandshakeFragment, encodeHandshakeMessage } from '../../lib/wire/handshake-header.js';

const record = (payload: Uint8Array, epoch = 0): PlainRecord => ({ contentType: ContentType.handshake, epoch, sequenceNumber: 0, payload });

function run(records: PlainRecord[]) {
  const input = new Subject<PlainRecord>();
  const out: EpochFragment[] = [];
  let malformed = 0;
  input.pipe(decodeHandshake(() => malformed++)).subscribe((f) => out.push(f));
  records.forEach((r) => input.next(r));
  return { out, malformed: () => malformed };
}

describe('decodeHandshake', () => {
  it('emits every fragment of a record with the record epoch (RFC 6347 §4.2.3)', () => {
    const payload = concatBytes(
      encodeHandshakeMessage(HandshakeType.server_hello, 1, new Uint8Array(38).fill(2)),
      encodeHandshakeFragment({ msgType: HandshakeType.certificate, length: 100, messageSeq: 2, fragmentOffset: 0, fragmentLength: 10, body: new Uint8Array(10) }),
      encodeHandshakeMessage(HandshakeType.server_hello_done, 3, new Uint8Array(0)),
    );
    const { out, malformed } = run([record(payload, 0), record(encodeHandshakeMessage(HandshakeType.finished, 4, new Uint8Array(12)), 1)]);
    expect(out.map((f) => [f.epoch, f.fragment.msgType, f.fragment.messageSeq, f.fragment.fragmentLength])).toEqual([
      [0, HandshakeType.server_hello, 1, 38],
      [0, HandshakeType.certificate, 2, 10],
      [0, HandshakeType.server_hello_done, 3, 0],
      [1, HandshakeType.finished, 4, 12],
    ]);
    expect(malformed()).toBe(0);
  });

  it('drops a record whose fragments do not decode, whole, and reports it', () => {
    const good = encodeHandshakeMessage(HandshakeType.finished, 4, new Uint8Array(12));
    const { out, malformed } = run([record(concatBytes(good, Uint8Array.of(20, 0, 0))), record(new Uint8Array(0)), record(good)]);
    expect(out).toHaveLength(1);
    expect(malformed()).toBe(2);
  });

  it('drops a fragment that claims bytes past the end of its message', () => {
    const bad = encodeHandshakeMessage(HandshakeType.finished, 0, new Uint8Array(12));
    bad[3] = 5; // length 5 < fragment_length 12
    const { out, malformed } = run([record(bad)]);
    expect(out).toEqual([]);
    expect(malformed()).toBe(1);
  });
});
