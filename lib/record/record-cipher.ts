import type { Aead, AeadAlgorithm } from '../crypto/aead.js';
import type { CipherSuite } from '../crypto/cipher-suites.js';
import { be32, putBe32 } from '../crypto/words.js';
import { ContentType, MAX_CIPHERTEXT_LENGTH, MAX_PLAINTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../wire/constants.js';
import type { RecordHeader } from '../wire/record-header.js';
import { encodeInnerPlaintext } from './inner-plaintext.js';
import { isEpoch, isSequenceNumber, writeEpochAndSequence } from './sequence-number.js';

/**
 * Record protection for one epoch in one direction (RFC 6347 §4.1,
 * RFC 5246 §6.2.3). Which sequence number to use, and whether a record is a
 * replay, is decided by the caller (WriteEpoch, ReadEpoch).
 */
export interface RecordCipher {
  /** The epoch whose keys it holds. */
  readonly epoch: number;
  /**
   * RFC 9146: the Connection ID its records carry (tls12_cid records, whose real content
   * type is inside the protected DTLSInnerPlaintext), or undefined for records without one.
   */
  readonly connectionId?: Uint8Array;
  /** Returns the full record, header and protected fragment. Throws only on programmer errors (bad sequence number, plaintext over 2^14). */
  protect(contentType: number, version: number, sequenceNumber: number, plaintext: Uint8Array): Uint8Array;
  /** Returns the plaintext, or null for anything that does not authenticate or is malformed. Never throws. */
  unprotect(header: RecordHeader, fragment: Uint8Array): Uint8Array | null;
}

/** Length of the AEAD nonce of every suite here (RFC 5116 §3.2 N_MIN = N_MAX = 12 for GCM; RFC 6655 §3; RFC 7905 §2). */
const NONCE_LENGTH = 12;
/** seq_num(8) || type(1) || version(2) || length(2), RFC 5246 §6.2.3.3. */
const ADDITIONAL_DATA_LENGTH = 13;
/** Where epoch(2) || sequence_number(6) sits in the record header (RFC 6347 §4.1). */
const HEADER_SEQUENCE_OFFSET = 3;

/**
 * One nonce and one additional_data buffer for every cipher: protect and unprotect run to
 * completion synchronously, and the Aead contract forbids keeping either after a call, so a
 * record never sees another's. Shared rather than per cipher because an idle session keeps
 * its ciphers for its whole life.
 */
const scratch = new Uint8Array(NONCE_LENGTH + ADDITIONAL_DATA_LENGTH);
const nonceScratch = scratch.subarray(0, NONCE_LENGTH);
const aadScratch = scratch.subarray(NONCE_LENGTH);
/**
 * RFC 9146 §5: seq_num_placeholder(8) || tls12_cid(1) || cid_length(1) || tls12_cid(1) ||
 * version(2) || epoch(2) || sequence_number(6) || cid || length_of_DTLSInnerPlaintext(2).
 */
const CID_ADDITIONAL_DATA_FIXED_LENGTH = 23;
const cidAadScratch = new Uint8Array(CID_ADDITIONAL_DATA_FIXED_LENGTH + 255);

/** The epoch-0 "cipher" (RFC 6347 §4.1: TLS_NULL_WITH_NULL_NULL): the fragment is the plaintext. */
class NullCipher implements RecordCipher {
  constructor(readonly epoch: number) {}

  protect(contentType: number, version: number, sequenceNumber: number, plaintext: Uint8Array): Uint8Array {
    assertProtectable(contentType, version, sequenceNumber, plaintext);
    const record = new Uint8Array(RECORD_HEADER_LENGTH + plaintext.length);
    writeHeader(record, contentType, version, this.epoch, sequenceNumber, plaintext.length);
    record.set(plaintext, RECORD_HEADER_LENGTH);
    return record;
  }

  unprotect(header: RecordHeader, fragment: Uint8Array): Uint8Array | null {
    if (header.epoch !== this.epoch || header.length !== fragment.length || fragment.length > MAX_PLAINTEXT_LENGTH) {
      return null;
    }
    return fragment;
  }
}

/** Every connection starts in epoch 0, so its null cipher (which holds nothing but the epoch) is one shared object. */
const EPOCH_0 = Object.freeze(new NullCipher(0));

/** The null cipher of `epoch` (RFC 6347 §4.1: TLS_NULL_WITH_NULL_NULL): the fragment is the plaintext. */
export function nullCipher(epoch = 0): RecordCipher {
  if (epoch === 0) return EPOCH_0;
  assertEpoch(epoch);
  return new NullCipher(epoch);
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
  /** RFC 9146: the CID of this direction's records (the one the receiver asked for); none, or an empty one, means plain records. */
  connectionId?: Uint8Array,
): RecordCipher {
  assertEpoch(epoch);
  if (connectionId !== undefined && connectionId.length > 255) throw new RangeError(`a connection ID has at most 255 bytes, got ${connectionId.length}`);
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
  // RFC 9146 §4: a zero-length CID means the records of that direction have none.
  const cid = connectionId !== undefined && connectionId.length > 0 ? connectionId.slice() : undefined;
  return new AeadCipher(epoch, aead, fixedIv, suite.recordIvLength, cid);
}

/**
 * The fixed IV is kept as 32-bit words (ours, so the caller may reuse its key block
 * buffer), which costs an idle session less than a typed array would.
 */
class AeadCipher implements RecordCipher {
  private readonly iv0: number;
  private readonly iv1: number;
  private readonly iv2: number;
  /** Bytes the fragment adds to the plaintext: explicit nonce and tag. */
  private readonly overhead: number;

  constructor(
    readonly epoch: number,
    private readonly aead: Aead,
    fixedIv: Uint8Array,
    /** 8 (RFC 5288/6655: the explicit nonce leads the fragment) or 0 (RFC 7905: none). */
    private readonly explicitLength: number,
    readonly connectionId?: Uint8Array,
  ) {
    this.iv0 = be32(fixedIv, 0);
    this.iv1 = explicitLength === 0 ? be32(fixedIv, 4) : 0;
    this.iv2 = explicitLength === 0 ? be32(fixedIv, 8) : 0;
    this.overhead = explicitLength + aead.tagLength;
  }

  protect(contentType: number, version: number, sequenceNumber: number, plaintext: Uint8Array): Uint8Array {
    assertProtectable(contentType, version, sequenceNumber, plaintext);
    if (this.connectionId !== undefined) return this.protectWithCid(contentType, version, sequenceNumber, plaintext, this.connectionId);
    const { aead, explicitLength } = this;
    const fragmentLength = plaintext.length + this.overhead;
    const record = new Uint8Array(RECORD_HEADER_LENGTH + fragmentLength);
    writeHeader(record, contentType, version, this.epoch, sequenceNumber, fragmentLength);
    if (explicitLength !== 0) {
      // RFC 5288 §3, RFC 6655 §3: nonce = salt(4) || nonce_explicit(8). The explicit part
      // must be unique per key; epoch||sequence_number is, and it is what the RFCs suggest
      // for DTLS. It travels at the start of the fragment (GenericAEADCipher.nonce_explicit).
      record.copyWithin(RECORD_HEADER_LENGTH, HEADER_SEQUENCE_OFFSET, HEADER_SEQUENCE_OFFSET + 8);
    }
    const nonce = this.nonce(record, HEADER_SEQUENCE_OFFSET);
    const aad = additionalData(record, HEADER_SEQUENCE_OFFSET, contentType, version, plaintext.length);
    const offset = RECORD_HEADER_LENGTH + explicitLength;
    if (aead.sealInto !== undefined) aead.sealInto(nonce, plaintext, aad, record, offset);
    else record.set(aead.seal(nonce, plaintext, aad), offset);
    return record;
  }

  /**
   * RFC 9146 §4-5: a tls12_cid record, type(25) || version || epoch || sequence_number ||
   * cid || length, whose fragment protects the DTLSInnerPlaintext (content, real type)
   * under the additional data of §5 (not the draft's, which put the real type in it).
   */
  private protectWithCid(contentType: number, version: number, sequenceNumber: number, plaintext: Uint8Array, cid: Uint8Array): Uint8Array {
    const { aead, explicitLength } = this;
    const inner = encodeInnerPlaintext(contentType, plaintext);
    const headerLength = RECORD_HEADER_LENGTH + cid.length;
    const fragmentLength = inner.length + this.overhead;
    const record = new Uint8Array(headerLength + fragmentLength);
    writeHeader(record, ContentType.tls12_cid, version, this.epoch, sequenceNumber, fragmentLength, cid);
    if (explicitLength !== 0) record.copyWithin(headerLength, HEADER_SEQUENCE_OFFSET, HEADER_SEQUENCE_OFFSET + 8);
    const nonce = this.nonce(record, HEADER_SEQUENCE_OFFSET);
    const aad = cidAdditionalData(record, HEADER_SEQUENCE_OFFSET, version, cid, inner.length);
    const offset = headerLength + explicitLength;
    if (aead.sealInto !== undefined) aead.sealInto(nonce, inner, aad, record, offset);
    else record.set(aead.seal(nonce, inner, aad), offset);
    return record;
  }

  unprotect(header: RecordHeader, fragment: Uint8Array): Uint8Array | null {
    const { epoch, sequenceNumber } = header;
    if (epoch !== this.epoch || header.length !== fragment.length || !isSequenceNumber(sequenceNumber)) return null;
    const { connectionId: cid } = this;
    // RFC 9146 §4: once a CID is in use for a direction, its records carry it, and only those do.
    if ((header.contentType === ContentType.tls12_cid) !== (cid !== undefined)) return null;
    if (cid !== undefined) return this.unprotectWithCid(header, fragment, cid);
    const { explicitLength, overhead } = this;
    if (fragment.length < overhead || fragment.length - overhead > MAX_PLAINTEXT_LENGTH) return null;
    // additional_data first: the nonce below may need epoch||seq, which it leaves in aadScratch.
    writeEpochAndSequence(aadScratch, 0, epoch, sequenceNumber);
    const plaintextLength = fragment.length - overhead;
    const aad = additionalData(aadScratch, 0, header.contentType, header.version, plaintextLength);
    // Use the explicit nonce the peer sent: RFC 5288 §3 lets it choose any unique value,
    // not necessarily its sequence number.
    const nonce = explicitLength !== 0 ? this.nonce(fragment, 0) : this.nonce(aadScratch, 0);
    return this.aead.open(nonce, explicitLength === 0 ? fragment : fragment.subarray(explicitLength), aad);
  }

  private unprotectWithCid(header: RecordHeader, fragment: Uint8Array, cid: Uint8Array): Uint8Array | null {
    const { explicitLength, overhead } = this;
    if (header.cid === undefined || !sameBytes(header.cid, cid)) return null;
    // The inner plaintext holds the content, its type, and any padding the peer chose.
    if (fragment.length <= overhead || fragment.length > MAX_CIPHERTEXT_LENGTH) return null;
    writeEpochAndSequence(aadScratch, 0, header.epoch, header.sequenceNumber);
    const aad = cidAdditionalData(aadScratch, 0, header.version, cid, fragment.length - overhead);
    const nonce = explicitLength !== 0 ? this.nonce(fragment, 0) : this.nonce(aadScratch, 0);
    return this.aead.open(nonce, explicitLength === 0 ? fragment : fragment.subarray(explicitLength), aad);
  }

  /**
   * The 12-byte nonce in nonceScratch, from the 8 bytes at `source[offset]`: the explicit
   * nonce (RFC 5288 §3, RFC 6655 §3: salt(4) || explicit(8)), or, for RFC 7905 §2, the
   * 64-bit epoch||sequence_number left-padded with four zero bytes and XORed into the
   * 12-byte write IV.
   */
  private nonce(source: Uint8Array, offset: number): Uint8Array {
    const n = nonceScratch;
    putBe32(n, 0, this.iv0);
    for (let i = 0; i < 8; i++) n[4 + i] = source[offset + i];
    if (this.explicitLength === 0) {
      putBe32(n, 4, be32(n, 4) ^ this.iv1);
      putBe32(n, 8, be32(n, 8) ^ this.iv2);
    }
    return n;
  }
}

/**
 * RFC 5246 §6.2.3.3 additional_data = seq_num || type || version || length in aadScratch,
 * where seq_num is epoch || sequence_number in DTLS (RFC 6347 §4.1.2.1), copied from
 * `source[offset]`, and length is that of the plaintext, not of the fragment on the wire.
 */
function additionalData(source: Uint8Array, offset: number, contentType: number, version: number, length: number): Uint8Array {
  const aad = aadScratch;
  if (source !== aad) for (let i = 0; i < 8; i++) aad[i] = source[offset + i];
  aad[8] = contentType;
  aad[9] = version >>> 8;
  aad[10] = version & 0xff;
  aad[11] = length >>> 8;
  aad[12] = length & 0xff;
  return aad;
}

/**
 * RFC 9146 §5 additional_data in cidAadScratch: eight 0xff bytes (seq_num_placeholder),
 * tls12_cid, cid_length, tls12_cid, version, epoch || sequence_number (copied from
 * `source[offset]`), the cid, and the length of the DTLSInnerPlaintext.
 */
function cidAdditionalData(source: Uint8Array, offset: number, version: number, cid: Uint8Array, innerLength: number): Uint8Array {
  const aad = cidAadScratch;
  aad.fill(0xff, 0, 8);
  aad[8] = ContentType.tls12_cid;
  aad[9] = cid.length;
  aad[10] = ContentType.tls12_cid;
  aad[11] = version >>> 8;
  aad[12] = version & 0xff;
  for (let i = 0; i < 8; i++) aad[13 + i] = source[offset + i];
  aad.set(cid, 21);
  aad[21 + cid.length] = innerLength >>> 8;
  aad[22 + cid.length] = innerLength & 0xff;
  return aad.subarray(0, CID_ADDITIONAL_DATA_FIXED_LENGTH + cid.length);
}

/** CIDs are public (they travel in clear): no need for a constant-time comparison. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * RFC 6347 §4.1: type(1) || version(2) || epoch(2) || sequence_number(6) || length(2);
 * RFC 9146 §4: a tls12_cid record has its cid before length.
 */
function writeHeader(
  record: Uint8Array,
  contentType: number,
  version: number,
  epoch: number,
  sequenceNumber: number,
  length: number,
  cid?: Uint8Array,
): void {
  record[0] = contentType;
  record[1] = version >>> 8;
  record[2] = version & 0xff;
  writeEpochAndSequence(record, HEADER_SEQUENCE_OFFSET, epoch, sequenceNumber);
  const lengthAt = 11 + (cid?.length ?? 0);
  if (cid !== undefined) record.set(cid, 11);
  record[lengthAt] = length >>> 8;
  record[lengthAt + 1] = length & 0xff;
}

function assertEpoch(epoch: number): void {
  if (!isEpoch(epoch)) throw new RangeError(`epoch must be an integer in 0..65535, got ${epoch}`);
}

function assertProtectable(contentType: number, version: number, sequenceNumber: number, plaintext: Uint8Array): void {
  if (!isUint(contentType, 0xff)) throw new RangeError(`content type must be a uint8, got ${contentType}`);
  if (!isUint(version, 0xffff)) throw new RangeError(`version must be a uint16, got ${version}`);
  if (!isSequenceNumber(sequenceNumber)) throw new RangeError(`sequence number out of range: ${sequenceNumber}`);
  // RFC 6347 §4.1 / RFC 5246 §6.2.1: fragments above 2^14 must be split by the layer above
  if (plaintext.length > MAX_PLAINTEXT_LENGTH) {
    throw new RangeError(`plaintext of ${plaintext.length} bytes exceeds the 2^14-byte record limit`);
  }
}

function isUint(n: number, max: number): boolean {
  return n >>> 0 === n && n <= max;
}
