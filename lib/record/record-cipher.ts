import type { Aead, AeadAlgorithm } from '../crypto/aead.js';
import type { CipherSuite } from '../crypto/cipher-suites.js';
import { MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../wire/constants.js';
import { encodeRecordHeader, type RecordHeader } from '../wire/record-header.js';
import { isEpoch, isSequenceNumber, writeEpochAndSequence } from './sequence-number.js';

/**
 * Record protection for one epoch in one direction (RFC 6347 §4.1,
 * RFC 5246 §6.2.3). Which sequence number to use, and whether a record is a
 * replay, is decided by the caller (WriteEpoch, ReadEpoch).
 */
export interface RecordCipher {
  readonly epoch: number;
  /** Returns the full record, header and protected fragment. Throws only on programmer errors (bad sequence number, plaintext over 2^14). */
  protect(contentType: number, version: number, sequenceNumber: number, plaintext: Uint8Array): Uint8Array;
  /** Returns the plaintext, or null for anything that does not authenticate or is malformed. Never throws. */
  unprotect(header: RecordHeader, fragment: Uint8Array): Uint8Array | null;
}

/** Length of the AEAD nonce of every suite here (RFC 5116 §3.2 N_MIN = N_MAX = 12 for GCM; RFC 6655 §3; RFC 7905 §2). */
const NONCE_LENGTH = 12;
/** seq_num(8) || type(1) || version(2) || length(2), RFC 5246 §6.2.3.3. */
const ADDITIONAL_DATA_LENGTH = 13;

/** The epoch-0 "cipher" (RFC 6347 §4.1: TLS_NULL_WITH_NULL_NULL): the fragment is the plaintext. */
export function nullCipher(epoch = 0): RecordCipher {
  assertEpoch(epoch);
  return {
    epoch,
    protect(contentType, version, sequenceNumber, plaintext) {
      assertProtectable(sequenceNumber, plaintext);
      return buildRecord(contentType, version, epoch, sequenceNumber, plaintext.length, (record, offset) => {
        record.set(plaintext, offset);
      });
    },
    unprotect(header, fragment) {
      if (header.epoch !== epoch || header.length !== fragment.length || fragment.length > MAX_PLAINTEXT_LENGTH) {
        return null;
      }
      return fragment;
    },
  };
}

/**
 * AEAD record protection (RFC 5246 §6.2.3.3) for AES-GCM (RFC 5288),
 * AES-CCM / CCM-8 (RFC 6655) and ChaCha20-Poly1305 (RFC 7905).
 * `key` and `fixedIv` are this direction's write key and write IV from the key block.
 */
export function aeadCipher(
  epoch: number,
  suite: CipherSuite,
  key: Uint8Array,
  fixedIv: Uint8Array,
  createAead: (algorithm: AeadAlgorithm, key: Uint8Array) => Aead,
): RecordCipher {
  assertEpoch(epoch);
  if (key.length !== suite.keyLength) {
    throw new RangeError(`${suite.name} needs a ${suite.keyLength}-byte key, got ${key.length}`);
  }
  if (fixedIv.length !== suite.fixedIvLength) {
    throw new RangeError(`${suite.name} needs a ${suite.fixedIvLength}-byte fixed IV, got ${fixedIv.length}`);
  }
  // The two nonce layouts of RFC 5288/6655 (salt 4 + explicit 8) and RFC 7905 (implicit 12).
  const partlyExplicit = suite.fixedIvLength === 4 && suite.recordIvLength === 8;
  const implicit = suite.fixedIvLength === NONCE_LENGTH && suite.recordIvLength === 0;
  if (!partlyExplicit && !implicit) throw new RangeError(`${suite.name}: unsupported nonce layout`);
  const aead = createAead(suite.aead, key);
  if (aead.tagLength !== suite.tagLength) {
    throw new RangeError(`${suite.name} needs a ${suite.tagLength}-byte tag, the AEAD has ${aead.tagLength}`);
  }
  const iv = fixedIv.slice(); // our own copy: the caller may reuse its key block buffer
  const explicitLength = suite.recordIvLength;
  const overhead = explicitLength + aead.tagLength;

  return {
    epoch,
    protect(contentType, version, sequenceNumber, plaintext) {
      assertProtectable(sequenceNumber, plaintext);
      const nonce = new Uint8Array(NONCE_LENGTH);
      if (partlyExplicit) {
        // RFC 5288 §3, RFC 6655 §3: nonce = salt(4) || nonce_explicit(8). The
        // explicit part must be unique per key; epoch||sequence_number is, and
        // it is what the RFCs suggest for DTLS.
        nonce.set(iv, 0);
        writeEpochAndSequence(nonce, iv.length, epoch, sequenceNumber);
      } else {
        chachaNonce(nonce, iv, epoch, sequenceNumber);
      }
      const aad = additionalData(epoch, sequenceNumber, contentType, version, plaintext.length);
      const sealed = aead.seal(nonce, plaintext, aad);
      return buildRecord(contentType, version, epoch, sequenceNumber, explicitLength + sealed.length, (record, offset) => {
        // the explicit nonce travels at the start of the fragment (GenericAEADCipher.nonce_explicit)
        record.set(nonce.subarray(iv.length), offset);
        record.set(sealed, offset + explicitLength);
      });
    },
    unprotect(header, fragment) {
      if (header.epoch !== epoch || header.length !== fragment.length || !isSequenceNumber(header.sequenceNumber)) {
        return null;
      }
      if (fragment.length < overhead || fragment.length - overhead > MAX_PLAINTEXT_LENGTH) return null;
      const nonce = new Uint8Array(NONCE_LENGTH);
      if (partlyExplicit) {
        // Use the explicit nonce the peer sent: RFC 5288 §3 lets it choose any
        // unique value, not necessarily its sequence number.
        nonce.set(iv, 0);
        nonce.set(fragment.subarray(0, explicitLength), iv.length);
      } else {
        chachaNonce(nonce, iv, epoch, header.sequenceNumber);
      }
      const plaintextLength = fragment.length - overhead;
      const aad = additionalData(epoch, header.sequenceNumber, header.contentType, header.version, plaintextLength);
      return aead.open(nonce, fragment.subarray(explicitLength), aad);
    },
  };
}

/**
 * RFC 7905 §2: the 64-bit sequence number (in DTLS, epoch || sequence_number)
 * is left-padded with four zero bytes and XORed into the 12-byte write IV.
 */
function chachaNonce(out: Uint8Array, iv: Uint8Array, epoch: number, sequenceNumber: number): void {
  writeEpochAndSequence(out, NONCE_LENGTH - 8, epoch, sequenceNumber);
  for (let i = 0; i < NONCE_LENGTH; i++) out[i] ^= iv[i];
}

/**
 * RFC 5246 §6.2.3.3 additional_data = seq_num || type || version || length,
 * where seq_num is epoch || sequence_number in DTLS (RFC 6347 §4.1.2.1) and
 * length is that of the plaintext, not of the fragment on the wire.
 */
function additionalData(epoch: number, sequenceNumber: number, contentType: number, version: number, length: number): Uint8Array {
  const aad = new Uint8Array(ADDITIONAL_DATA_LENGTH);
  writeEpochAndSequence(aad, 0, epoch, sequenceNumber);
  aad[8] = contentType;
  aad[9] = version >>> 8;
  aad[10] = version & 0xff;
  aad[11] = length >>> 8;
  aad[12] = length & 0xff;
  return aad;
}

/** Allocates header + fragment once and lets `fill` write the fragment after the header. */
function buildRecord(
  contentType: number,
  version: number,
  epoch: number,
  sequenceNumber: number,
  fragmentLength: number,
  fill: (record: Uint8Array, offset: number) => void,
): Uint8Array {
  const header = encodeRecordHeader({ contentType, version, epoch, sequenceNumber, length: fragmentLength });
  const record = new Uint8Array(RECORD_HEADER_LENGTH + fragmentLength);
  record.set(header, 0);
  fill(record, RECORD_HEADER_LENGTH);
  return record;
}

function assertEpoch(epoch: number): void {
  if (!isEpoch(epoch)) throw new RangeError(`epoch must be an integer in 0..65535, got ${epoch}`);
}

function assertProtectable(sequenceNumber: number, plaintext: Uint8Array): void {
  if (!isSequenceNumber(sequenceNumber)) throw new RangeError(`sequence number out of range: ${sequenceNumber}`);
  // RFC 6347 §4.1 / RFC 5246 §6.2.1: fragments above 2^14 must be split by the layer above
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
    throw new RangeError(`plaintext of ${plaintext.length} bytes exceeds the 2^14-byte record limit`);
  }
}
