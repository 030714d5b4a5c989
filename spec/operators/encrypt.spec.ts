import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { encrypt } from '../../lib/operators/encrypt.js';
import type { OutgoingRecord } from '../../lib/record/seal-records.js';
import { ReadEpochs } from '../../lib/record/read-epochs.js';
import { WriteEpochs } from '../../lib/record/write-epochs.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';
import { SUITE, epochCipher, records } from './helpers/epochs.js';

const batch: OutgoingRecord[] = [
  { epoch: 0, contentType: ContentType.handshake, payload: Uint8Array.of(1, 2, 3) },
  { epoch: 0, contentType: ContentType.change_cipher_spec, payload: Uint8Array.of(1) },
  { epoch: 1, contentType: ContentType.handshake, payload: new Uint8Array(24).fill(5) },
];

function setup() {
  const write = new WriteEpochs();
  write.install(epochCipher(1), SUITE);
  const input = new Subject<OutgoingRecord[]>();
  const out: Uint8Array[][] = [];
  input.pipe(encrypt(write)).subscribe((r) => out.push(r));
  return { input, out };
}

describe('encrypt', () => {
  it('seals each record in its own epoch as DTLS 1.2, in plaintext for epoch 0 and AEAD for epoch 1', () => {
    const { input, out } = setup();
    input.next(batch);
    const sealed = out[0].map((r) => records(r)[0]);
    expect(sealed.map((r) => [r.header.contentType, r.header.epoch, r.header.version])).toEqual([
      [ContentType.handshake, 0, DTLS_1_2],
      [ContentType.change_cipher_spec, 0, DTLS_1_2],
      [ContentType.handshake, 1, DTLS_1_2],
    ]);
    expect(Array.from(sealed[0].fragment)).toEqual([1, 2, 3]);
    expect(sealed[2].fragment.length).toBe(24 + SUITE.recordIvLength + SUITE.tagLength);
    const read = new ReadEpochs();
    read.install(epochCipher(1));
    const opened = read.open(sealed[2]);
    expect(opened !== undefined && opened !== 'future' && opened.payload).toEqual(new Uint8Array(24).fill(5));
  });

  it('gives a retransmitted flight fresh record sequence numbers per epoch (RFC 6347 §4.2.4)', () => {
    const { input, out } = setup();
    input.next(batch);
    input.next(batch);
    const numbers = out.map((datagram) => datagram.map((r) => `${records(r)[0].header.epoch}/${records(r)[0].header.sequenceNumber}`));
    expect(numbers).toEqual([
      ['0/0', '0/1', '1/0'],
      ['0/2', '0/3', '1/1'],
    ]);
  });

  it('throws for an epoch without keys (a programmer error)', () => {
    let error: unknown;
    const write = new WriteEpochs();
    const lone = new Subject<OutgoingRecord[]>();
    lone.pipe(encrypt(write)).subscribe({ error: (e) => (error = e) });
    lone.next([{ epoch: 1, contentType: ContentType.handshake, payload: Uint8Array.of(1) }]);
    expect(error).toBeInstanceOf(Error);
  });
});
