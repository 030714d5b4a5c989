import { describe, expect, it } from 'vitest';
import { createAead } from '../../lib/crypto/aeads.js';
import { cipherSuiteByName } from '../../lib/crypto/cipher-suites.js';
import { ReadEpochs } from '../../lib/record/read-epochs.js';
import { aeadCipher, nullCipher, type RecordCipher } from '../../lib/record/record-cipher.js';
import { splitRecords, type RawRecord } from '../../lib/record/split-records.js';
import { ContentType, DTLS_1_2 } from '../../lib/wire/constants.js';

const suite = cipherSuiteByName('TLS_PSK_WITH_AES_128_CCM_8')!;
/** Epoch `epoch`'s cipher; `keyByte` picks its key, so two ciphers of one epoch can differ. */
const cipher = (epoch: number, keyByte = epoch): RecordCipher =>
  aeadCipher(epoch, suite, new Uint8Array(16).fill(keyByte), new Uint8Array(4).fill(9), createAead);
const raw = (record: Uint8Array): RawRecord => splitRecords(record).records[0];
const sealed = (c: RecordCipher, seq: number, byte = seq & 0xff): RawRecord => raw(c.protect(ContentType.application_data, DTLS_1_2, seq, Uint8Array.of(byte)));

describe('ReadEpochs', () => {
  it('opens epoch 0 without keys and without a replay window (a repeated number still opens)', () => {
    const epochs = new ReadEpochs();
    const record = raw(nullCipher(0).protect(ContentType.handshake, DTLS_1_2, 3, Uint8Array.of(1, 2)));
    for (let i = 0; i < 2; i++) expect(epochs.open(record)).toEqual({ contentType: 22, epoch: 0, sequenceNumber: 3, payload: Uint8Array.of(1, 2) });
    expect(epochs.current).toBe(0);
  });

  it('opens each installed epoch, rejects replays per epoch, and reports the newest as current', () => {
    const epochs = new ReadEpochs();
    epochs.install(cipher(1));
    epochs.install(cipher(2));
    expect(epochs.current).toBe(2);
    for (const epoch of [1, 2]) {
      const record = sealed(cipher(epoch), 5, epoch);
      expect(epochs.open(record)).toEqual({ contentType: 23, epoch, sequenceNumber: 5, payload: Uint8Array.of(epoch), newest: true });
      expect(epochs.open(record)).toBeUndefined();
    }
  });

  it('says "future" only for the epoch after the newest, until told no next epoch will come', () => {
    const epochs = new ReadEpochs();
    expect(epochs.open(sealed(cipher(1), 0))).toBe('future');
    epochs.install(cipher(1));
    expect(epochs.open(sealed(cipher(2), 0))).toBe('future');
    expect(epochs.open(sealed(cipher(3), 0))).toBeUndefined();
    epochs.expectNoNextEpoch();
    expect(epochs.open(sealed(cipher(2), 0))).toBeUndefined();
  });

  it('installing an epoch again replaces its keys and starts a fresh replay window', () => {
    const epochs = new ReadEpochs();
    epochs.install(cipher(1, 0x11));
    const first = sealed(cipher(1, 0x11), 7);
    expect(epochs.open(first)).toBeDefined();
    epochs.install(cipher(1, 0x22));
    expect(epochs.open(first)).toBeUndefined(); // old keys gone
    expect(epochs.open(sealed(cipher(1, 0x22), 7))).toBeDefined(); // number 7 fresh again
    expect(epochs.current).toBe(1);
  });

  it('keeps the newest epoch current when an older one is installed after it', () => {
    const epochs = new ReadEpochs();
    epochs.install(cipher(2));
    epochs.install(cipher(1));
    expect(epochs.current).toBe(2);
    expect(epochs.open(sealed(cipher(1), 0))).toBeDefined();
    expect(epochs.open(sealed(cipher(2), 0))).toBeDefined();
  });

  it('uses the replay window size it was given for every epoch', () => {
    const epochs = new ReadEpochs(32);
    epochs.install(cipher(1));
    expect(epochs.open(sealed(cipher(1), 100))).toBeDefined();
    expect(epochs.open(sealed(cipher(1), 68))).toBeUndefined(); // 100 - 68 = 32: left of the window
    expect(epochs.open(sealed(cipher(1), 69))).toBeDefined();
  });

  it('opens every installed epoch whatever the order of installs, with "future" only after the newest', () => {
    const epochs = new ReadEpochs();
    for (const e of [3, 1, 2]) epochs.install(cipher(e));
    expect(epochs.current).toBe(3);
    for (const e of [1, 2, 3]) expect(epochs.open(sealed(cipher(e), 0, e))).toMatchObject({ epoch: e, payload: Uint8Array.of(e) });
    expect(epochs.open(sealed(cipher(4), 0))).toBe('future');
    expect(epochs.open(sealed(cipher(5), 0))).toBeUndefined();
    epochs.install(cipher(1, 0x55));
    expect(epochs.open(sealed(cipher(1, 0x55), 0, 9))).toMatchObject({ epoch: 1, payload: Uint8Array.of(9) });
    expect(epochs.open(sealed(cipher(3), 1, 3))).toMatchObject({ epoch: 3 });
  });
});
