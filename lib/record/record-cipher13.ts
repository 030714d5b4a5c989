import type { Aead, AeadAlgorithm } from '../crypto/aead.js';
import { createAead as nobleCreateAead } from '../crypto/aeads.js';
import type { Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import { trafficKeys } from '../crypto/tls13-key-schedule.js';
import { be32, putBe32 } from '../crypto/words.js';
import { MAX_CONNECTION_ID_LENGTH } from '../wire/connection-id-extension.js';
import { MAX_PLAINTEXT_LENGTH } from '../wire/constants.js';
import { unifiedHeaderLength, unifiedSequenceOffset, writeUnifiedHeader, writeUnifiedSequence, type UnifiedHeader } from '../wire/unified-header.js';
import { decodeInnerPlaintext } from './inner-plaintext.js';
import { maskPaddingLength, RECORD_NUMBER_SAMPLE_LENGTH, recordNumberMasker, type RecordNumberMasker } from './record-number-protection.js';
import { isSequenceNumber, writeEpochAndSequence } from './sequence-number.js';
import type { CiphertextRecord } from './split-records13.js';

/**
 * DTLS 1.3 record protection for one epoch in one direction (RFC 9147 §4, RFC 8446 §5.2-5.3):
 * DTLSInnerPlaintext (content || real type || zeros) sealed under the traffic key, with
 *   nonce = iv XOR the 64-bit record sequence number, left-padded (RFC 8446 §5.3; RFC 9147 §4:
 *           the epoch is not part of it, unlike DTLS 1.2),
 *   additional data = the unified header as sent, but with the sequence number bits in clear,
 * and then the sequence number bits masked (§4.2.3). Which sequence number to use, and whether
 * a record is a replay, is decided by WriteEpoch13 / ReadEpoch13.
 *
 *   const cipher = recordCipher13(3, suite, trafficSecret);       // keys, IV and sn_key derived here
 *   const record = cipher.protect(ContentType.application_data, 7, bytes);
 *   const low = cipher.unmaskSequence(raw);                       // receiving: the clear low bits
 *   const inner = cipher.unprotect(raw, fullSequenceNumber);      // { contentType, content } or null
 */
export interface RecordCipher13 {
  readonly epoch: number;
  readonly suite: Tls13CipherSuite;
  /** The Connection ID this direction's records carry (RFC 9147 §9), or undefined for none. */
  readonly connectionId?: Uint8Array;
  /** Bytes a record adds to its content at most: header (1, CID, 2 of sequence number, 2 of length), real type, tag. */
  readonly overhead: number;
  /** Writes `cid` (empty or undefined: none) in the records protected from now on: the peer gave a new one (RFC 9147 §9). */
  useConnectionId(cid: Uint8Array | undefined): void;
  /**
   * The whole record: unified header with C, S (sequenceLength 2) and L set, the epoch's low
   * bits, and the encrypted DTLSInnerPlaintext. Throws RangeError only on programmer errors
   * (sequence number out of range, content over 2^14, content type not a byte).
   */
  protect(contentType: number, sequenceNumber: number, content: Uint8Array, sequenceLength?: 1 | 2): Uint8Array;
  /** The record's 8 or 16 sequence number bits in clear (the mask is the epoch's: call it on the epoch the E bits chose). */
  unmaskSequence(record: CiphertextRecord): number;
  /**
   * The real content type and the content of a record whose full sequence number is
   * `sequenceNumber`; 'forged' when it does not authenticate (what the AEAD limits count,
   * RFC 9147 §4.5.3), 'invalid' when it does but its inner plaintext has no content type or
   * too much content (RFC 8446 §5.4). Never throws.
   */
  unprotect(record: CiphertextRecord, sequenceNumber: number): InnerPlaintext | 'forged' | 'invalid';
}

/** What a DTLS 1.3 record carried. */
export interface InnerPlaintext {
  readonly contentType: number;
  readonly content: Uint8Array;
}

export type CreateAead = (algorithm: AeadAlgorithm, key: Uint8Array) => Aead;

const NONCE_LENGTH = 12;
const nonceScratch = new Uint8Array(NONCE_LENGTH);
/**
 * The DTLSInnerPlaintext being sealed: content, type and any padding (at most 2^14 + 1 + 15
 * bytes). One for every cipher, as protect runs to completion and the Aead contract forbids
 * keeping the plaintext: a record costs no allocation besides itself.
 */
const innerScratch = new Uint8Array(MAX_PLAINTEXT_LENGTH + 1 + RECORD_NUMBER_SAMPLE_LENGTH);
/** The additional data of the record being opened: its header with the sequence number unmasked. */
const headerScratch = new Uint8Array(unifiedHeaderLength({ cid: new Uint8Array(MAX_CONNECTION_ID_LENGTH), sequenceLength: 2, length: 0 }));

/**
 * The cipher of `epoch` from the sender's traffic secret (RFC 8446 §7.3, RFC 9147 §4.2.3).
 * `createAead` is the CryptoProvider's (noble's by default). The derived key and sn_key are
 * wiped once the AEAD and the masker hold what they need.
 */
export function recordCipher13(
  epoch: number,
  suite: Tls13CipherSuite,
  trafficSecret: Uint8Array,
  createAead: CreateAead = nobleCreateAead,
  connectionId?: Uint8Array,
): RecordCipher13 {
  if (!Number.isSafeInteger(epoch) || epoch < 1) throw new RangeError(`a protected epoch is an integer from 1 on, got ${epoch}`);
  if (connectionId !== undefined && connectionId.length > MAX_CONNECTION_ID_LENGTH) throw new RangeError(`a connection ID has at most 255 bytes, got ${connectionId.length}`);
  const { key, iv, snKey } = trafficKeys(suite, trafficSecret);
  const aead = createAead(suite.aead, key);
  const masker = recordNumberMasker(suite, snKey);
  key.fill(0);
  snKey.fill(0);
  const cid = connectionId !== undefined && connectionId.length > 0 ? connectionId.slice() : undefined;
  return new AeadCipher13(epoch, suite, aead, masker, iv, cid);
}

class AeadCipher13 implements RecordCipher13 {
  overhead: number;
  /** The header of the record being sealed: the epoch bits and CID fixed, the rest set per record, so sealing allocates no header. */
  private readonly outgoing: UnifiedHeader;
  private readonly iv0: number;
  private readonly iv1: number;
  private readonly iv2: number;

  constructor(
    readonly epoch: number,
    readonly suite: Tls13CipherSuite,
    private readonly aead: Aead,
    private readonly masker: RecordNumberMasker,
    iv: Uint8Array,
    public connectionId?: Uint8Array,
  ) {
    this.iv0 = be32(iv, 0);
    this.iv1 = be32(iv, 4);
    this.iv2 = be32(iv, 8);
    iv.fill(0);
    // The largest header this cipher writes (16-bit sequence number, a length), the real type, the tag.
    this.overhead = unifiedHeaderLength({ cid: connectionId, sequenceLength: 2, length: 0 }) + 1 + aead.tagLength;
    this.outgoing = { epochBits: epoch & 0x03, sequenceBits: 0, sequenceLength: 2, cid: connectionId, length: 0 };
  }

  useConnectionId(cid: Uint8Array | undefined): void {
    if (cid !== undefined && cid.length > MAX_CONNECTION_ID_LENGTH) throw new RangeError(`a connection ID has at most 255 bytes, got ${cid.length}`);
    const connectionId = cid !== undefined && cid.length > 0 ? cid.slice() : undefined;
    this.connectionId = connectionId;
    this.outgoing.cid = connectionId;
    this.overhead = unifiedHeaderLength({ cid: connectionId, sequenceLength: 2, length: 0 }) + 1 + this.aead.tagLength;
  }

  protect(contentType: number, sequenceNumber: number, content: Uint8Array, sequenceLength: 1 | 2 = 2): Uint8Array {
    if (contentType >>> 0 !== contentType || contentType > 0xff || contentType === 0) throw new RangeError(`content type must be a non-zero uint8, got ${contentType}`);
    if (!isSequenceNumber(sequenceNumber)) throw new RangeError(`sequence number out of range: ${sequenceNumber}`);
    if (content.length > MAX_PLAINTEXT_LENGTH) throw new RangeError(`content of ${content.length} bytes exceeds the 2^14-byte record limit`);
    const { aead, connectionId: cid } = this;
    // RFC 9147 §4: content || real type || zeros, the zeros only where the mask needs them (§4.2.3).
    const innerLength = content.length + 1 + maskPaddingLength(this.suite, content.length + 1);
    const inner = innerScratch.subarray(0, innerLength);
    inner.set(content);
    inner[content.length] = contentType;
    inner.fill(0, content.length + 1);
    const encryptedLength = inner.length + aead.tagLength;
    // RFC 9147 §4: C if we send a CID, S as asked, L always (records may share a datagram).
    const header = this.outgoing;
    header.sequenceLength = sequenceLength;
    header.sequenceBits = sequenceNumber & (sequenceLength === 2 ? 0xffff : 0xff);
    header.length = encryptedLength;
    const headerLength = unifiedHeaderLength(header);
    const record = new Uint8Array(headerLength + encryptedLength);
    writeUnifiedHeader(header, record, 0);
    const aad = record.subarray(0, headerLength);
    const nonce = this.nonce(sequenceNumber);
    if (aead.sealInto !== undefined) aead.sealInto(nonce, inner, aad, record, headerLength);
    else record.set(aead.seal(nonce, inner, aad), headerLength);
    // §4.2.3: mask the sequence number bits with the mask of the first 16 ciphertext bytes.
    const mask = this.masker(record, headerLength);
    const sequenceAt = unifiedSequenceOffset(record[0], cid?.length ?? 0);
    for (let i = 0; i < sequenceLength; i++) record[sequenceAt + i] ^= mask[i];
    return record;
  }

  unmaskSequence(record: CiphertextRecord): number {
    const mask = this.masker(record.encrypted, 0);
    return record.sequenceLength === 2 ? record.maskedSequence ^ ((mask[0] << 8) | mask[1]) : record.maskedSequence ^ mask[0];
  }

  unprotect(record: CiphertextRecord, sequenceNumber: number): InnerPlaintext | 'forged' | 'invalid' {
    const { header, encrypted, sequenceLength } = record;
    if (encrypted.length < RECORD_NUMBER_SAMPLE_LENGTH || !isSequenceNumber(sequenceNumber) || header.length > headerScratch.length) return 'invalid';
    const aad = headerScratch.subarray(0, header.length);
    aad.set(header);
    // §4.2.3: the additional data has the sequence number bits in clear, where the header holds them.
    writeUnifiedSequence(aad, unifiedSequenceOffset(header[0], record.cid?.length ?? 0), sequenceLength, sequenceNumber);
    const inner = this.aead.open(this.nonce(sequenceNumber), encrypted, aad);
    if (inner === null) return 'forged';
    // RFC 8446 §5.4: the inner plaintext holds at most 2^14 bytes of content; all zeros has no type.
    return decodeInnerPlaintext(inner) ?? 'invalid';
  }

  /** RFC 8446 §5.3: the 64-bit sequence number, big-endian, left-padded to 12 bytes and XORed with the IV. */
  private nonce(sequenceNumber: number): Uint8Array {
    const n = nonceScratch;
    writeEpochAndSequence(n, 4, 0, sequenceNumber); // bytes 4..11: the 64-bit number (below 2^48 here)
    putBe32(n, 0, this.iv0);
    putBe32(n, 4, be32(n, 4) ^ this.iv1);
    putBe32(n, 8, be32(n, 8) ^ this.iv2);
    return n;
  }
}
