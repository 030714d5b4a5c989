import { gcm } from '@noble/ciphers/aes.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { createAead } from '../../lib/crypto/aeads.js';
import { CIPHER_SUITES, cipherSuiteByName, type CipherSuite } from '../../lib/crypto/cipher-suites.js';
import { decodeInnerPlaintext, encodeInnerPlaintext } from '../../lib/record/inner-plaintext.js';
import { ReadEpochs } from '../../lib/record/read-epochs.js';
import { aeadCipher, type RecordCipher } from '../../lib/record/record-cipher.js';
import { splitRecords } from '../../lib/record/split-records.js';
import { WriteEpochs } from '../../lib/record/write-epochs.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';

const CID = Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd);
const cipher = (suite: CipherSuite, cid?: Uint8Array): RecordCipher =>
  aeadCipher(1, suite, new Uint8Array(suite.keyLength).fill(7), new Uint8Array(suite.fixedIvLength).fill(9), createAead, cid);
const reader = (suite: CipherSuite, cid?: Uint8Array): ReadEpochs => {
  const epochs = new ReadEpochs(64, cid?.length ?? 0);
  epochs.install(cipher(suite, cid));
  return epochs;
};
const open = (epochs: ReadEpochs, record: Uint8Array) => {
  const [raw] = splitRecords(record, epochs.cidLength).records;
  return raw && epochs.open(raw);
};

describe('tls12_cid records (RFC 9146 §4-5)', () => {
  it.each(CIPHER_SUITES.map((s) => [s.name, s] as const))('%s: the header carries the CID, the real type travels inside, and the receiver gets both back', (_, suite) => {
    const record = cipher(suite, CID).protect(ContentType.application_data, DTLS_1_2, 3, Uint8Array.of(1, 2, 3));
    // type 25, version, epoch 1, sequence 3, the CID, then the length of the protected inner plaintext
    expect(bytesToHex(record.subarray(0, 15))).toBe('19fefd0001000000000003aabbccdd');
    const length = (record[15] << 8) | record[16];
    expect(length).toBe(record.length - 17);
    expect(length).toBe(3 + 1 + suite.recordIvLength + suite.tagLength);
    expect(open(reader(suite, CID), record)).toEqual({ contentType: 23, epoch: 1, sequenceNumber: 3, payload: Uint8Array.of(1, 2, 3), newest: true });
  });

  it('protects under the final RFC\'s additional data: 8 x 0xff, 25, cid_length, 25, version, epoch, sequence_number, cid, inner length', () => {
    const suite = cipherSuiteByName('TLS_PSK_WITH_AES_128_GCM_SHA256')!;
    const record = cipher(suite, CID).protect(ContentType.application_data, DTLS_1_2, 3, Uint8Array.of(0x68, 0x69));
    // Built here from RFC 9146 §5 and RFC 5288 §3, with noble's GCM directly.
    const aad = hexToBytes('ffffffffffffffff' + '19' + '04' + '19' + 'fefd' + '0001' + '000000000003' + 'aabbccdd' + '0003');
    const explicit = hexToBytes('0001000000000003');
    const nonce = concatBytes(new Uint8Array(4).fill(9), explicit);
    const sealed = gcm(new Uint8Array(16).fill(7), nonce, aad).encrypt(Uint8Array.of(0x68, 0x69, 23));
    expect(bytesToHex(record.subarray(17))).toBe(bytesToHex(concatBytes(explicit, sealed)));
  });

  it('adds the CID and the inner content type to what a record costs, so fragments still fit the MTU', () => {
    const suite = cipherSuiteByName('TLS_PSK_WITH_AES_128_CCM_8')!;
    const epochs = new WriteEpochs();
    epochs.install(cipher(suite, CID), suite);
    const record = epochs.seal(1, ContentType.handshake, DTLS_1_2, new Uint8Array(10));
    expect(record.length).toBe(13 + 10 + epochs.overhead(1));
  });

  it('drops a CID record where no CID was agreed, a plain record where one was, and a record with another CID', () => {
    const suite = cipherSuiteByName('TLS_PSK_WITH_AES_128_CCM_8')!;
    const withCid = cipher(suite, CID).protect(ContentType.application_data, DTLS_1_2, 1, Uint8Array.of(1));
    const plain = cipher(suite).protect(ContentType.application_data, DTLS_1_2, 1, Uint8Array.of(1));
    const otherCid = cipher(suite, Uint8Array.of(1, 2, 3, 4)).protect(ContentType.application_data, DTLS_1_2, 1, Uint8Array.of(1));
    expect(open(reader(suite), withCid)).toBeUndefined();
    expect(open(reader(suite, CID), plain)).toBeUndefined();
    expect(open(reader(suite, CID), otherCid)).toBeUndefined();
  });

  it('an empty CID means plain records (RFC 9146 §4: a zero-length CID was asked for)', () => {
    const suite = cipherSuiteByName('TLS_PSK_WITH_AES_128_CCM_8')!;
    const record = cipher(suite, new Uint8Array(0)).protect(ContentType.application_data, DTLS_1_2, 1, Uint8Array.of(1));
    expect(record[0]).toBe(ContentType.application_data);
    expect(open(reader(suite), record)).toMatchObject({ contentType: 23, payload: Uint8Array.of(1) });
  });

  it('marks a record newest only when it is newer (epoch, then sequence number) than every record before it', () => {
    const suite = cipherSuiteByName('TLS_PSK_WITH_AES_128_CCM_8')!;
    const epochs = reader(suite, CID);
    const seal = (seq: number) => cipher(suite, CID).protect(ContentType.application_data, DTLS_1_2, seq, Uint8Array.of(seq));
    const newest = (seq: number) => {
      const record = open(epochs, seal(seq));
      return typeof record === 'object' ? record.newest : undefined;
    };
    expect([5, 3, 6, 4].map(newest)).toEqual([true, false, true, false]);
  });
});

describe('DTLSInnerPlaintext', () => {
  it('is the content, then the real type, then optional zero padding, which the reader strips', () => {
    expect(encodeInnerPlaintext(22, Uint8Array.of(1, 2))).toEqual(Uint8Array.of(1, 2, 22));
    expect(decodeInnerPlaintext(Uint8Array.of(1, 0, 23, 0, 0, 0))).toEqual({ contentType: 23, content: Uint8Array.of(1, 0) });
  });

  it('without a non-zero byte has no type, and is refused', () => {
    expect(decodeInnerPlaintext(new Uint8Array(16))).toBeUndefined();
    expect(decodeInnerPlaintext(new Uint8Array(0))).toBeUndefined();
  });
});
