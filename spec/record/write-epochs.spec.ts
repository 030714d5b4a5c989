import { describe, expect, it } from 'vitest';
import { createAead } from '../../lib/crypto/aeads.js';
import { cipherSuiteByName } from '../../lib/crypto/cipher-suites.js';
import { aeadCipher } from '../../lib/record/record-cipher.js';
import { splitRecords } from '../../lib/record/split-records.js';
import { WriteEpochs } from '../../lib/record/write-epochs.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';

const ccm8 = cipherSuiteByName('TLS_PSK_WITH_AES_128_CCM_8')!;
const chacha = cipherSuiteByName('TLS_PSK_WITH_CHACHA20_POLY1305_SHA256')!;
const cipher = (epoch: number, suite = ccm8, keyByte = epoch) =>
  aeadCipher(epoch, suite, new Uint8Array(suite.keyLength).fill(keyByte), new Uint8Array(suite.fixedIvLength).fill(9), createAead);
const headerOf = (record: Uint8Array) => splitRecords(record).records[0].header;

describe('WriteEpochs', () => {
  it('starts with epoch 0 only, numbered from firstSequenceNumber, with no overhead', () => {
    const epochs = new WriteEpochs(41);
    expect([epochs.current, epochs.has(0), epochs.has(1), epochs.overhead(0)]).toEqual([0, true, false, 0]);
    const record = epochs.seal(0, ContentType.handshake, DTLS_1_2, Uint8Array.of(7));
    expect(headerOf(record)).toMatchObject({ epoch: 0, sequenceNumber: 41, length: 1 });
    expect(headerOf(epochs.seal(0, ContentType.handshake, DTLS_1_2, Uint8Array.of(7))).sequenceNumber).toBe(42);
  });

  it('seals in every installed epoch with its own counter from 0, and knows each overhead', () => {
    const epochs = new WriteEpochs(5);
    epochs.install(cipher(1), ccm8);
    epochs.install(cipher(2, chacha), chacha);
    expect(epochs.current).toBe(2);
    expect([epochs.overhead(1), epochs.overhead(2), epochs.overhead(3)]).toEqual([8 + 8, 0 + 16, 0]);
    const numbers = [1, 2, 1, 0, 2].map((e) => headerOf(epochs.seal(e, 23, DTLS_1_2, Uint8Array.of(1))));
    expect(numbers.map((h) => [h.epoch, h.sequenceNumber])).toEqual([[1, 0], [2, 0], [1, 1], [0, 5], [2, 1]]);
  });

  it('throws when asked to seal in an epoch without keys (a caller bug)', () => {
    expect(() => new WriteEpochs().seal(1, 23, DTLS_1_2, Uint8Array.of(1))).toThrow(/epoch 1/);
  });

  it('installing an epoch again replaces its keys and restarts its counter, leaving the others alone', () => {
    const epochs = new WriteEpochs();
    epochs.install(cipher(1, ccm8, 0x11), ccm8);
    epochs.seal(1, 23, DTLS_1_2, Uint8Array.of(1));
    epochs.seal(0, 22, DTLS_1_2, Uint8Array.of(1));
    epochs.install(cipher(1, ccm8, 0x22), ccm8);
    const record = epochs.seal(1, 23, DTLS_1_2, Uint8Array.of(1));
    expect(headerOf(record).sequenceNumber).toBe(0);
    expect(record).toEqual(cipher(1, ccm8, 0x22).protect(23, DTLS_1_2, 0, Uint8Array.of(1)));
    expect(headerOf(epochs.seal(0, 22, DTLS_1_2, Uint8Array.of(1))).sequenceNumber).toBe(1);
  });

  it('keeps every epoch usable whatever the order of installs, and re-installing an older one replaces only it', () => {
    const epochs = new WriteEpochs();
    for (const e of [2, 1, 3]) epochs.install(cipher(e), ccm8);
    expect(epochs.current).toBe(3);
    expect([0, 1, 2, 3, 4].map((e) => epochs.has(e))).toEqual([true, true, true, true, false]);
    for (const e of [1, 2, 3]) epochs.seal(e, 23, DTLS_1_2, Uint8Array.of(e));
    epochs.install(cipher(2, ccm8, 0x44), ccm8);
    expect(epochs.current).toBe(3);
    const sealed = [1, 2, 3].map((e) => epochs.seal(e, 23, DTLS_1_2, Uint8Array.of(e)));
    expect(sealed.map((r) => headerOf(r).sequenceNumber)).toEqual([1, 0, 1]);
    expect(sealed[1]).toEqual(cipher(2, ccm8, 0x44).protect(23, DTLS_1_2, 0, Uint8Array.of(2)));
    expect(sealed[2]).toEqual(cipher(3).protect(23, DTLS_1_2, 1, Uint8Array.of(3)));
  });
});
