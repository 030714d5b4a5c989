import { AlertDescription } from '../wire/alert.js';
import { MAX_PLAINTEXT_LENGTH } from '../wire/constants.js';
import {
  ExtensionType,
  decodeMaxFragmentLengthExtension,
  decodeRecordSizeLimitExtension,
  encodeMaxFragmentLengthExtension,
  encodeRecordSizeLimitExtension,
  findExtension,
  type Extension,
  type MaxFragmentLength,
} from '../wire/extensions.js';
import { malformedExtension, refused, settled, type Negotiated } from './extension-failure.js';

/** The most plaintext one record to the peer may carry, as the peer asked. */
export interface RecordLimit {
  /** Plaintext bytes per record, at most. */
  readonly plaintext: number;
  /**
   * record_size_limit binds protected records only (RFC 8449 §4: "Unprotected messages
   * are not subject to this limit"); max_fragment_length binds every record from the
   * ServerHello on, handshake messages included (RFC 6066 §4).
   */
  readonly unprotectedToo: boolean;
  /** Which extension set it. */
  readonly negotiatedBy: 'record_size_limit' | 'max_fragment_length';
}

/** What an endpoint announces: the record_size_limit it takes (64..2^14), and a client's max_fragment_length request. */
export interface RecordLimitOptions {
  readonly recordSizeLimit: number;
  readonly maxFragmentLength?: MaxFragmentLength;
}

/** The most plaintext a record of `epoch` may carry under `limit` (2^14 when the peer set none). */
export function plaintextLimit(limit: RecordLimit | undefined, epoch: number): number {
  if (!limit || (epoch === 0 && !limit.unprotectedToo)) return MAX_PLAINTEXT_LENGTH;
  return limit.plaintext;
}

/**
 * The client's offer: record_size_limit always, so that a constrained server can tell us
 * its limit (a server answers only extensions the client sent); max_fragment_length too
 * when asked for, for servers that know only that (RFC 8449 §5 lets a client send both).
 */
export function recordLimitOffer(options: RecordLimitOptions): Extension[] {
  const extensions = [encodeRecordSizeLimitExtension(options.recordSizeLimit)];
  if (options.maxFragmentLength !== undefined) extensions.push(encodeMaxFragmentLengthExtension(options.maxFragmentLength));
  return extensions;
}

/**
 * The peer's record_size_limit. RFC 8449 §4: under 64 is illegal_parameter; in DTLS 1.2
 * it counts the plaintext of a protected record (no inner content type as in 1.3), and
 * a larger value than 2^14 means "no limit" to a server (which "MUST NOT enforce" the
 * protocol maximum: the client may know an extension it does not).
 */
function peerRecordSizeLimit(extension: Extension): Negotiated<RecordLimit> {
  const decoded = decodeRecordSizeLimitExtension(extension.data);
  if (!decoded.ok) return refused(malformedExtension('record_size_limit', decoded.error));
  return settled({ plaintext: Math.min(decoded.value, MAX_PLAINTEXT_LENGTH), unprotectedToo: false, negotiatedBy: 'record_size_limit' });
}

/**
 * The server's answer: RFC 8449 §5, record_size_limit wins when the client sent both
 * (max_fragment_length is then ignored); a max_fragment_length alone is accepted by
 * echoing it (RFC 6066 §4), and a code outside 2^9..2^12 is illegal_parameter.
 */
export function answerRecordLimits(
  clientExtensions: readonly Extension[],
  ourRecordSizeLimit: number,
): Negotiated<{ limit?: RecordLimit; extensions: Extension[] }> {
  const recordSizeLimit = findExtension(clientExtensions, ExtensionType.record_size_limit);
  const maxFragmentLength = findExtension(clientExtensions, ExtensionType.max_fragment_length);
  if (maxFragmentLength) {
    // Checked even when record_size_limit wins: a malformed extension is malformed.
    const decoded = decodeMaxFragmentLengthExtension(maxFragmentLength.data);
    if (!decoded.ok) return refused(malformedExtension('max_fragment_length', decoded.error));
    if (!recordSizeLimit) {
      const limit: RecordLimit = { plaintext: decoded.value, unprotectedToo: true, negotiatedBy: 'max_fragment_length' };
      return settled({ limit, extensions: [encodeMaxFragmentLengthExtension(decoded.value)] });
    }
  }
  if (!recordSizeLimit) return settled({ extensions: [] });
  const peer = peerRecordSizeLimit(recordSizeLimit);
  if (!peer.ok) return peer;
  return settled({ limit: peer.value, extensions: [encodeRecordSizeLimitExtension(ourRecordSizeLimit)] });
}

/**
 * The client's check of the ServerHello: a max_fragment_length must echo ours (RFC 6066
 * §4), both extensions at once are illegal_parameter (RFC 8449 §5), and a
 * record_size_limit above 2^14 is one RFC 8449 §4 lets a client refuse (it does).
 */
export function checkRecordLimitAnswer(options: RecordLimitOptions, serverExtensions: readonly Extension[]): Negotiated<RecordLimit | undefined> {
  const recordSizeLimit = findExtension(serverExtensions, ExtensionType.record_size_limit);
  const maxFragmentLength = findExtension(serverExtensions, ExtensionType.max_fragment_length);
  if (recordSizeLimit && maxFragmentLength) {
    return refused({ alert: AlertDescription.illegal_parameter, reason: 'server sent both record_size_limit and max_fragment_length' });
  }
  if (maxFragmentLength) {
    const decoded = decodeMaxFragmentLengthExtension(maxFragmentLength.data);
    if (!decoded.ok) return refused(malformedExtension('max_fragment_length', decoded.error));
    if (decoded.value !== options.maxFragmentLength) {
      return refused({ alert: AlertDescription.illegal_parameter, reason: `server answered max_fragment_length ${decoded.value}, not the ${String(options.maxFragmentLength)} asked for` });
    }
    return settled({ plaintext: decoded.value, unprotectedToo: true, negotiatedBy: 'max_fragment_length' });
  }
  if (!recordSizeLimit) return settled(undefined);
  const decoded = decodeRecordSizeLimitExtension(recordSizeLimit.data);
  if (decoded.ok && decoded.value > MAX_PLAINTEXT_LENGTH) {
    return refused({ alert: AlertDescription.illegal_parameter, reason: `server record_size_limit ${decoded.value} is above the DTLS 1.2 maximum ${MAX_PLAINTEXT_LENGTH}` });
  }
  return peerRecordSizeLimit(recordSizeLimit);
}
