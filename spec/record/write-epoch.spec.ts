import { describe, expect, it } from 'vitest';
import { createAead } from '../../lib/crypto/aeads.js';
import { cipherSuiteByName } from '../../lib/crypto/cipher-suites.js';
import { aeadCipher, nullCipher } from '../../lib/record/record-cipher.js';
import { SequenceNumberExhaustedError } from '../../lib/record/sequence-number-exhausted-error.js';
import { MAX_SEQUENCE_NUMBER } from '../../lib/record/sequence-number.js';
import { splitRecords } from '../../lib/record/split-records.js';
import { WriteEpoch } from '../../lib/record/write-epoch.js';
import { DTLS_1_2 } from '../../lib/wire/constants.js';

describe('WriteEpoch', () => {
  it('takes its epoch from the cipher and numbers records 0, 1, 2, ...', () => {
    const w = new WriteEpoch(nullCipher(0));
    expect(w.epoch).toBe(0);
    expect([w.nextSequenceNumber(), w.nextSequenceNumber(), w.nextSequenceNumber()]).toEqual([0, 1, 2]);
  });

  it('seals each record with the next sequence number, shared with nextSequenceNumber()', () => {
    const suite = cipherSuiteByName('TLS_PSK_WITH_AES_128_CCM_8');
    if (!suite) throw new Error('suite missing');
    const w = new WriteEpoch(aeadCipher(1, suite, new Uint8Array(16).fill(1), new Uint8Array(4).fill(2), createAead));
    const first = w.seal(23, DTLS_1_2, new Uint8Array([1]));
    expect(w.nextSequenceNumber()).toBe(1); // e.g. a record built elsewhere
    const third = w.seal(23, DTLS_1_2, new Uint8Array([3]));
    const headers = splitRecords(new Uint8Array([...first, ...third])).records.map((r) => r.header);
    expect(headers.map((h) => [h.epoch, h.sequenceNumber])).toEqual([
      [1, 0],
      [1, 2],
    ]);
  });

  it('hands out 2^48-1 as the last number, then throws SequenceNumberExhaustedError instead of wrapping (RFC 6347 §4.1)', () => {
    const w = new WriteEpoch(nullCipher(3), { startSequenceNumber: MAX_SEQUENCE_NUMBER - 1 });
    expect(w.nextSequenceNumber()).toBe(MAX_SEQUENCE_NUMBER - 1);
    const last = w.seal(23, DTLS_1_2, new Uint8Array(0));
    expect(splitRecords(last).records[0].header.sequenceNumber).toBe(MAX_SEQUENCE_NUMBER);
    expect(() => w.nextSequenceNumber()).toThrow(SequenceNumberExhaustedError);
    // and stays exhausted: no record with a wrapped number ever comes out
    expect(() => w.seal(23, DTLS_1_2, new Uint8Array(0))).toThrow(SequenceNumberExhaustedError);
    expect(() => w.nextSequenceNumber()).toThrow(expect.objectContaining({ code: 'ESEQUENCE_EXHAUSTED', epoch: 3 }));
  });

  it('burns the sequence number of a record that protect rejected, so no number is ever used twice', () => {
    const w = new WriteEpoch(nullCipher());
    expect(() => w.seal(23, DTLS_1_2, new Uint8Array(16385))).toThrow(RangeError);
    expect(w.nextSequenceNumber()).toBe(1);
  });

  it('rejects a start sequence number outside 0..2^48-1', () => {
    for (const bad of [-1, 0.5, MAX_SEQUENCE_NUMBER + 1]) {
      expect(() => new WriteEpoch(nullCipher(), { startSequenceNumber: bad })).toThrow(RangeError);
    }
  });
});
