import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { TLS13_CIPHER_SUITES, tls13CipherSuiteByName } from '../../lib/crypto/tls13-cipher-suites.js';
import { trafficKeys } from '../../lib/crypto/tls13-key-schedule.js';
import { createAead } from '../../lib/crypto/aeads.js';
import { KeyUsageExhaustedError } from '../../lib/record/aead-limits13.js';
import { openDatagram13 } from '../../lib/record/open-datagram13.js';
import type { PlainRecord } from '../../lib/record/read-epochs.js';
import { recordNumberMask } from '../../lib/record/record-number-protection.js';
import { sealDatagrams13, sealRecords13 } from '../../lib/record/seal-records13.js';
import { splitRecords13 } from '../../lib/record/split-records13.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';
import { data13, pair13, secretFor } from './helpers/epochs13.js';

const CCM_8 = tls13CipherSuiteByName('TLS_AES_128_CCM_8_SHA256')!;
const GCM = tls13CipherSuiteByName('TLS_AES_128_GCM_SHA256')!;

/**
 * A DTLSCiphertext record written out from RFC 9147 §4 and §4.2.3 with the AEAD and the mask
 * directly (not through RecordCipher13): header 001 0 S L E E, sequence number, length; AAD =
 * that header; nonce = iv XOR sequence number; then the sequence bits masked.
 */
function handBuilt(
  suite: typeof GCM,
  epoch: number,
  sequenceNumber: number,
  inner: Uint8Array,
  { sequenceLength, withLength }: { sequenceLength: 1 | 2; withLength: boolean },
): Uint8Array {
  const { key, iv, snKey } = trafficKeys(suite, secretFor(suite, epoch));
  const encryptedLength = inner.length + suite.tagLength;
  const header = [0x20 | (sequenceLength === 2 ? 0x08 : 0) | (withLength ? 0x04 : 0) | (epoch & 3)];
  if (sequenceLength === 2) header.push(sequenceNumber >> 8);
  header.push(sequenceNumber & 0xff);
  if (withLength) header.push(encryptedLength >> 8, encryptedLength & 0xff);
  const aad = Uint8Array.from(header);
  const nonce = iv.slice();
  for (let i = 0; i < 6; i++) nonce[11 - i] ^= Math.floor(sequenceNumber / 256 ** i) & 0xff;
  const encrypted = createAead(suite.aead, key).seal(nonce, inner, aad);
  const mask = recordNumberMask(suite, snKey, encrypted.subarray(0, 16));
  const masked = aad.slice();
  for (let i = 0; i < sequenceLength; i++) masked[1 + i] ^= mask[i];
  return concatBytes(masked, encrypted);
}

function openAll(datagram: Uint8Array, read: Parameters<typeof openDatagram13>[1]): { records: PlainRecord[]; dropped: number } {
  const records: PlainRecord[] = [];
  const dropped = openDatagram13(datagram, read, (r) => records.push(r) > 0);
  return { records, dropped };
}

describe('DTLS 1.3 record protection, round trips (RFC 9147 §4)', () => {
  for (const suite of TLS13_CIPHER_SUITES) {
    for (const sequenceLength of [1, 2] as const) {
      it(`${suite.name}, ${sequenceLength * 8}-bit sequence numbers: every content length 0..40 and 2^14 comes back with its type and number`, () => {
        const { write, read } = pair13(suite, [3], { write: { sequenceLength } });
        const lengths = [...Array.from({ length: 41 }, (_, i) => i), 1000, 16384];
        for (const [i, length] of lengths.entries()) {
          const payload = new Uint8Array(length).map((_, j) => j * 7 + i);
          const [record] = sealRecords13([{ epoch: 3, contentType: ContentType.application_data, payload }], write);
          // RFC 9147 §4.2.3: the ciphertext is never shorter than the 16 bytes the mask samples.
          expect(record.length - (3 + sequenceLength)).toBeGreaterThanOrEqual(16);
          expect(record[0]).toBe(0x20 | (sequenceLength === 2 ? 0x08 : 0) | 0x04 | 3);
          const { records, dropped } = openAll(record, read);
          expect(dropped).toBe(0);
          expect(records).toEqual([{ contentType: ContentType.application_data, epoch: 3, sequenceNumber: i, payload, newest: true }]);
        }
      });
    }
  }

  it('builds the record RFC 9147 describes, checked with the AEAD and mask directly: AAD = header with clear sequence number, nonce = iv XOR seq', () => {
    const { write } = pair13(GCM, [2]);
    for (let i = 0; i < 5; i++) write.seal(2, ContentType.handshake, Uint8Array.of(9));
    const record = write.seal(2, ContentType.handshake, Uint8Array.of(1, 2, 3)); // sequence number 5
    const { key, iv, snKey } = trafficKeys(GCM, secretFor(GCM, 2));
    const header = record.subarray(0, 5);
    const encrypted = record.subarray(5);
    expect(bytesToHex(header.subarray(0, 1))).toBe('2e'); // 001 0 1 1 10: no CID, 16-bit seq, length, epoch 2
    expect((header[3] << 8) | header[4]).toBe(encrypted.length);
    const mask = recordNumberMask(GCM, snKey, encrypted.subarray(0, 16));
    const clearHeader = header.slice();
    clearHeader[1] ^= mask[0];
    clearHeader[2] ^= mask[1];
    expect((clearHeader[1] << 8) | clearHeader[2]).toBe(5);
    const nonce = iv.slice();
    nonce[11] ^= 5;
    expect(createAead('AES_128_GCM', key).open(nonce, encrypted, clearHeader)).toEqual(Uint8Array.of(1, 2, 3, ContentType.handshake));
  });

  it('pads a short CCM_8 record so that its ciphertext is 16 bytes, and the padding does not come back', () => {
    const { write, read } = pair13(CCM_8);
    const [record] = sealRecords13([{ epoch: 3, contentType: ContentType.alert, payload: Uint8Array.of(1, 0) }], write);
    expect(record.length).toBe(5 + 16);
    expect(openAll(record, read).records[0]).toMatchObject({ contentType: ContentType.alert, payload: Uint8Array.of(1, 0) });
  });

  it('carries the peer CID (C bit) and reads records with our CID; another CID, or none, is dropped', () => {
    const cid = Uint8Array.of(0xc1, 0xd2);
    const { write, read } = pair13(GCM, [3], { cid });
    const [record] = sealRecords13([data13(1)], write);
    expect(record[0] & 0x10).toBe(0x10);
    expect(record.subarray(1, 3)).toEqual(cid);
    expect(openAll(record, read).records).toHaveLength(1);
    const other = pair13(GCM, [3], { cid: Uint8Array.of(0xc1, 0xd3) });
    expect(openAll(sealRecords13([data13(2)], other.write)[0], read)).toEqual({ records: [], dropped: 1 });
    const none = pair13(GCM, [3]);
    expect(openAll(sealRecords13([data13(3)], none.write)[0], read)).toEqual({ records: [], dropped: 1 });
  });

  it('moves the writing to a new CID in every epoch (RFC 9147 §9), and reads the CIDs of ours it accepts besides, of our length only', () => {
    const cid = Uint8Array.of(0xc1, 0xd2);
    const next = Uint8Array.of(0x0e, 0x0f);
    const { write, read } = pair13(GCM, [3, 4], { cid });
    write.useConnectionId(next);
    const [in3, in4] = sealRecords13([data13(1), data13(2, 4)], write);
    expect([in3.subarray(1, 3), in4.subarray(1, 3)]).toEqual([next, next]);
    expect(openAll(in3, read)).toEqual({ records: [], dropped: 1 });
    read.acceptConnectionId(next);
    expect(openAll(concatBytes(in3, in4), read).records.map((r) => r.payload[0])).toEqual([1, 2]);
    // The installed CID still opens.
    write.useConnectionId(cid);
    expect(openAll(sealRecords13([data13(3)], write)[0], read).records).toHaveLength(1);
    expect(() => read.acceptConnectionId(Uint8Array.of(1, 2, 3))).toThrow(RangeError);
    // No CID at all: the C bit goes.
    write.useConnectionId(undefined);
    expect(sealRecords13([data13(4)], write)[0][0] & 0x10).toBe(0);
  });

  it('discards the rest of a datagram after a record whose CID is not the first one\'s (RFC 9147 §4)', () => {
    const a = pair13(GCM, [3], { cid: Uint8Array.of(1, 1) });
    const b = pair13(GCM, [3], { cid: Uint8Array.of(2, 2) });
    const datagram = concatBytes(...sealRecords13([data13(1), data13(2)], a.write), sealRecords13([data13(3)], b.write)[0], sealRecords13([data13(4)], a.write)[0]);
    const { records, dropped } = openAll(datagram, a.read);
    expect(records.map((r) => r.payload[0])).toEqual([1, 2]);
    expect(dropped).toBe(2);
  });

  it('reads a record without a length (L clear), 8-bit sequence number, as running to the end of the datagram', () => {
    const { write, read } = pair13(GCM);
    const first = write.seal(3, ContentType.application_data, Uint8Array.of(1)); // sequence number 0
    const last = handBuilt(GCM, 3, 1, Uint8Array.of(2, ContentType.application_data), { sequenceLength: 1, withLength: false });
    expect(last[0]).toBe(0x23);
    const { records, dropped } = openAll(concatBytes(first, last), read);
    expect(dropped).toBe(0);
    expect(records.map((r) => [r.sequenceNumber, r.payload[0]])).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('opens a record built by hand from the RFC 9147 rules with padding in its inner plaintext', () => {
    const { read } = pair13(GCM, [2]);
    const record = handBuilt(GCM, 2, 0, Uint8Array.of(7, 7, ContentType.handshake, 0, 0, 0), { sequenceLength: 2, withLength: true });
    expect(openAll(record, read).records).toMatchObject([{ epoch: 2, contentType: ContentType.handshake, payload: Uint8Array.of(7, 7) }]);
  });

  it('passes epoch-0 DTLSPlaintext (handshake, alert, ack) through with its record number, and packs it with protected records', () => {
    const { write, read } = pair13(GCM, [2]);
    const datagrams = sealDatagrams13(
      [
        { epoch: 0, contentType: ContentType.handshake, payload: Uint8Array.of(2, 0, 0, 0) },
        { epoch: 2, contentType: ContentType.handshake, payload: Uint8Array.of(8, 0, 0, 0) },
      ],
      write,
      1200,
    );
    expect(datagrams).toHaveLength(1);
    expect(datagrams[0][0]).toBe(ContentType.handshake);
    expect((datagrams[0][1] << 8) | datagrams[0][2]).toBe(DTLS_1_2);
    const { records } = openAll(datagrams[0], read);
    expect(records.map((r) => [r.epoch, r.contentType, r.payload[0]])).toEqual([
      [0, ContentType.handshake, 2],
      [2, ContentType.handshake, 8],
    ]);
  });
});

describe('DTLS 1.3 record tampering (RFC 9147 §4.5.2: dropped, never thrown)', () => {
  it('drops the record when any bit of the header, the masked sequence number, the ciphertext or the tag is flipped', () => {
    const cid = Uint8Array.of(7, 7);
    const { write } = pair13(GCM, [3], { cid });
    const record = write.seal(3, ContentType.application_data, new Uint8Array(20).fill(0xab));
    for (let bit = 0; bit < record.length * 8; bit++) {
      const { read } = pair13(GCM, [3], { cid });
      const forged = record.slice();
      forged[bit >> 3] ^= 0x80 >> (bit & 7);
      const { records, dropped } = openAll(forged, read);
      expect(records, `bit ${bit}`).toEqual([]);
      expect(dropped, `bit ${bit}`).toBeGreaterThan(0);
    }
    const { read } = pair13(GCM, [3], { cid });
    expect(openAll(record, read).records).toHaveLength(1);
  });

  it('counts a forgery against the epoch only when the AEAD refused it', () => {
    const { write, read } = pair13(GCM);
    const record = write.seal(3, ContentType.application_data, Uint8Array.of(1));
    const forged = record.slice();
    forged[forged.length - 1] ^= 1;
    openAll(forged, read);
    openAll(record, read);
    openAll(record, read); // a replay deprotects: not a forgery
    expect(read.forgeries(3)).toBe(1);
  });
});

describe('DTLS 1.3 replay and reordering (RFC 9147 §4.2.2, §4.5.1)', () => {
  it('drops replays, accepts reordered records within the window', () => {
    const { write, read } = pair13(GCM);
    const records = Array.from({ length: 10 }, (_, i) => write.seal(3, ContentType.application_data, Uint8Array.of(i)));
    const order = [0, 2, 1, 5, 3, 4, 9, 8, 6, 7];
    const got = order.flatMap((i) => openAll(records[i], read).records.map((r) => r.sequenceNumber));
    expect(got).toEqual(order);
    expect(order.map((i) => openAll(records[i], read).dropped)).toEqual(order.map(() => 1));
  });

  for (const sequenceLength of [1, 2] as const) {
    const space = sequenceLength === 1 ? 256 : 65536;
    it(`reconstructs ${sequenceLength * 8}-bit sequence numbers across the wrap, with reordering on both sides of it`, () => {
      const { write, read } = pair13(GCM, [3], { write: { sequenceLength } });
      const sealed = new Map<number, Uint8Array>();
      const total = space + 40;
      for (let n = 0; n < total; n++) {
        const record = write.seal(3, ContentType.application_data, Uint8Array.of(n & 0xff));
        if (n >= space - 30) sealed.set(n, record);
        else if (n < space - 60 && n % 512 === 0) expect(openAll(record, read).records[0].sequenceNumber).toBe(n);
      }
      // Deliver around the wrap out of order: a block after the wrap before one before it.
      const order = [space - 30, space - 28, space + 1, space - 29, space + 3, space - 1, space, space + 2, space - 2];
      for (let n = space - 27; n < space - 2; n++) order.push(n);
      for (let n = space + 10; n < space + 40; n++) order.push(n);
      const seen = order.map((n) => openAll(sealed.get(n)!, read).records[0]?.sequenceNumber);
      expect(seen).toEqual(order);
    });
  }

  it('cannot place a record older than half the sequence space behind the newest: it is dropped, not opened as a newer number', () => {
    const { write, read } = pair13(GCM, [3], { write: { sequenceLength: 1 } });
    const records = Array.from({ length: 200 }, (_, i) => write.seal(3, ContentType.application_data, Uint8Array.of(i)));
    openAll(records[199], read);
    // 60 behind the newest: reconstructed, and inside the 64-record window.
    expect(openAll(records[139], read).records[0]?.sequenceNumber).toBe(139);
    // 130 behind: its low bits are read as 325 (nearer 200 than 69 is), and under that number it does not deprotect.
    expect(openAll(records[69], read)).toEqual({ records: [], dropped: 1 });
  });
});

describe('DTLS 1.3 epochs (RFC 9147 §4.2.2, §6.1)', () => {
  it('opens each epoch with its own keys from the two E bits, takes the newest installed epoch with those bits, and holds none of a retired one', () => {
    const { write, read } = pair13(GCM, [2, 3, 4, 5, 6]);
    // Epochs 2 and 6 share the bits 10: a record of 6 opens with 6's keys, one of 2 fails there.
    const e6 = write.seal(6, ContentType.application_data, Uint8Array.of(6));
    const e2 = write.seal(2, ContentType.handshake, Uint8Array.of(2));
    const e3 = write.seal(3, ContentType.application_data, Uint8Array.of(3));
    expect(openAll(e6, read).records.map((r) => r.epoch)).toEqual([6]);
    expect(openAll(e3, read).records.map((r) => r.epoch)).toEqual([3]);
    expect(openAll(e2, read)).toEqual({ records: [], dropped: 1 });
    read.retire(3);
    expect(read.has(3)).toBe(false);
    expect(openAll(write.seal(3, ContentType.application_data, Uint8Array.of(3)), read).dropped).toBe(1);
  });

  it("says 'future' for the next epoch's records (2 before any keys, then the newest + 1), drops others", () => {
    const { write } = pair13(GCM, [2, 3, 4]);
    const [r2, r3, r4] = [2, 3, 4].map((e) => splitRecords13(write.seal(e, ContentType.handshake, Uint8Array.of(e))).records[0]);
    const fresh = pair13(GCM, []).read;
    expect(fresh.open(r2)).toBe('future');
    expect(fresh.open(r3)).toBeUndefined();
    const { read } = pair13(GCM, [2]);
    expect(read.open(r3)).toBe('future');
    expect(read.open(r4)).toBeUndefined();
    read.install(3, GCM, secretFor(GCM, 3));
    expect(read.open(r3)).toMatchObject({ epoch: 3, sequenceNumber: 0 });
  });

  it('marks a record newest only when no record of a later epoch or number deprotected before it', () => {
    const { write, read } = pair13(GCM, [3, 4]);
    const a = write.seal(3, ContentType.application_data, Uint8Array.of(1));
    const b = write.seal(4, ContentType.application_data, Uint8Array.of(2));
    const c = write.seal(3, ContentType.application_data, Uint8Array.of(3));
    expect([b, a, c].map((r) => openAll(r, read).records[0].newest)).toEqual([true, false, false]);
  });
});

describe('WriteEpochs13.nextSequenceNumber', () => {
  it('tells the number the next record of an epoch gets, epoch 0 from firstSequenceNumber, so an ACK can name it', () => {
    const { write, read } = pair13(GCM, [2], { write: { firstSequenceNumber: 5 } });
    expect([write.nextSequenceNumber(0), write.nextSequenceNumber(2), write.nextSequenceNumber(3)]).toEqual([5, 0, undefined]);
    write.seal(0, ContentType.handshake, Uint8Array.of(1));
    const expected = write.nextSequenceNumber(2);
    const record = write.seal(2, ContentType.handshake, Uint8Array.of(1));
    expect([write.nextSequenceNumber(0), write.nextSequenceNumber(2)]).toEqual([6, 1]);
    expect(openAll(record, read).records[0].sequenceNumber).toBe(expected);
  });
});

describe('DTLS 1.3 AEAD limits (RFC 9147 §4.5.3)', () => {
  it('advises a KeyUpdate at half the protection limit and refuses to seal at the limit', () => {
    const { write } = pair13(GCM, [3], { write: { protectLimits: { AES_128_GCM: 4 } } });
    const usage = [write.usage(3)];
    for (let i = 0; i < 4; i++) {
      write.seal(3, ContentType.application_data, Uint8Array.of(i));
      usage.push(write.usage(3));
    }
    expect(usage).toEqual(['fresh', 'fresh', 'update-advised', 'update-advised', 'exhausted']);
    expect(() => write.seal(3, ContentType.application_data, Uint8Array.of(9))).toThrow(KeyUsageExhaustedError);
    expect(write.usage(7)).toBeUndefined();
  });

  it('counts forgeries per epoch, advises a KeyUpdate at half the limit, and opens nothing more in that epoch at the limit', () => {
    const { write, read } = pair13(GCM, [3, 4], { read: { forgeryLimits: { AES_128_GCM: 4 } } });
    const genuine = write.seal(3, ContentType.application_data, Uint8Array.of(1));
    const usage: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      const forged = write.seal(3, ContentType.application_data, Uint8Array.of(i));
      forged[forged.length - 1] ^= 1;
      openAll(forged, read);
      usage.push(read.usage(3));
    }
    expect(usage).toEqual(['fresh', 'update-advised', 'update-advised', 'exhausted']);
    expect(openAll(genuine, read).records).toEqual([]);
    expect(openAll(write.seal(4, ContentType.application_data, Uint8Array.of(4)), read).records).toHaveLength(1);
    expect(read.usage(4)).toBe('fresh');
  });

  it("uses RFC 9147's limits unless told otherwise: CCM_8 ends its key after 2^7 forgeries", () => {
    const { write, read } = pair13(CCM_8);
    for (let i = 0; i < 128; i++) {
      const forged = write.seal(3, ContentType.application_data, Uint8Array.of(i));
      forged[forged.length - 1] ^= 1;
      openAll(forged, read);
    }
    expect(read.usage(3)).toBe('exhausted');
  });
});
