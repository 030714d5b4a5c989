import { describe, expect, it } from 'vitest';
import { createAead } from '../../lib/crypto/aeads.js';
import { cipherSuiteByName } from '../../lib/crypto/cipher-suites.js';
import { ReadEpoch } from '../../lib/record/read-epoch.js';
import { aeadCipher, nullCipher, type RecordCipher } from '../../lib/record/record-cipher.js';
import { splitRecords, type RawRecord } from '../../lib/record/split-records.js';
import { DTLS_1_2 } from '../../lib/wire/constants.js';

const suite = cipherSuiteByName('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
if (!suite) throw new Error('suite missing');
const key = new Uint8Array(16).fill(7);
const iv = new Uint8Array(4).fill(9);
const cipher = (epoch = 1): RecordCipher => aeadCipher(epoch, suite, key, iv, createAead);

function raw(record: Uint8Array): RawRecord {
  const { records } = splitRecords(record);
  if (records.length !== 1) throw new Error('expected one record');
  return records[0];
}

function sealed(seq: number, byte = seq & 0xff, epoch = 1): RawRecord {
  return raw(cipher(epoch).protect(23, DTLS_1_2, seq, new Uint8Array([byte])));
}

function forged(seq: number): RawRecord {
  const r = sealed(seq);
  const fragment = r.fragment.slice();
  fragment[fragment.length - 1] ^= 1; // break the tag
  return { header: r.header, fragment };
}

describe('ReadEpoch', () => {
  it('opens authentic records and reports its epoch', () => {
    const reader = new ReadEpoch(cipher());
    expect(reader.epoch).toBe(1);
    expect(reader.open(sealed(0))).toEqual(new Uint8Array([0]));
    expect(reader.open(sealed(5))).toEqual(new Uint8Array([5]));
    expect(reader.open(sealed(3))).toEqual(new Uint8Array([3]));
  });

  it('drops a replayed record (RFC 6347 §4.1.2.6)', () => {
    const reader = new ReadEpoch(cipher());
    const r = sealed(10);
    expect(reader.open(r)).not.toBeNull();
    expect(reader.open(r)).toBeNull();
  });

  it('drops a record from another epoch even if its cipher could open it', () => {
    const reader = new ReadEpoch(nullCipher(0));
    const otherEpoch = raw(nullCipher(1).protect(22, DTLS_1_2, 0, new Uint8Array([1])));
    expect(reader.open(otherEpoch)).toBeNull();
  });

  it('does not mark a forged record seen, so the genuine one with that number still opens', () => {
    const reader = new ReadEpoch(cipher());
    expect(reader.open(forged(4))).toBeNull();
    expect(reader.open(sealed(4))).toEqual(new Uint8Array([4]));
  });

  it('does not let a forged far-ahead record slide the window (RFC 6347 §4.1.2.7: silently discarded)', () => {
    const reader = new ReadEpoch(cipher(), 64);
    expect(reader.open(sealed(0))).not.toBeNull();
    expect(reader.open(forged(1_000_000))).toBeNull();
    expect(reader.open(sealed(1))).toEqual(new Uint8Array([1]));
    // and the real far-ahead record is still fresh afterwards
    expect(reader.open(sealed(1_000_000, 42))).toEqual(new Uint8Array([42]));
    expect(reader.open(sealed(2))).toBeNull(); // now left of the window
  });

  it('does not decrypt a record that is too old (checked before unprotect)', () => {
    let unprotectCalls = 0;
    const inner = cipher();
    const counting: RecordCipher = {
      epoch: inner.epoch,
      protect: inner.protect,
      unprotect: (h, f) => {
        unprotectCalls++;
        return inner.unprotect(h, f);
      },
    };
    const reader = new ReadEpoch(counting, 32);
    reader.open(sealed(100));
    unprotectCalls = 0;
    expect(reader.open(sealed(50))).toBeNull(); // 100 - 50 >= 32
    expect(reader.open(sealed(100))).toBeNull(); // replay
    expect(unprotectCalls).toBe(0);
  });

  it('honours the replay window size it was given', () => {
    const small = new ReadEpoch(cipher(), 32);
    const large = new ReadEpoch(cipher(), 1024);
    for (const reader of [small, large]) expect(reader.open(sealed(2000))).not.toBeNull();
    expect(small.open(sealed(1900))).toBeNull();
    expect(large.open(sealed(1900))).not.toBeNull();
  });
});
