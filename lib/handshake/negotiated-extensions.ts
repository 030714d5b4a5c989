import type { MaxFragmentLength } from '../wire/max-fragment-length-extension.js';
import { ExtensionType, type Extension } from '../wire/extensions.js';
import { alpnOffer, checkAlpnAnswer, chooseAlpn, type ServerAlpn } from './alpn-negotiation.js';
import { settled, type Negotiated } from './extension-failure.js';
import { answerRecordLimits, checkRecordLimitAnswer, recordLimitOffer, type RecordLimit, type RecordLimitOptions } from './record-size-negotiation.js';
import { selectByServerName, type ServerNameSelection } from './server-name-selection.js';

/** What ALPN, server_name, record_size_limit and max_fragment_length settled. */
export interface NegotiatedExtensions {
  /** The application protocol both sides agreed on (RFC 7301). */
  readonly alpn?: string;
  /** The host name the client sent (RFC 6066 §3), on the server. */
  readonly serverName?: string;
  /** The peer's limit on the records we send to it (RFC 8449, RFC 6066 §4). */
  readonly recordLimit?: RecordLimit;
}

/** What a client offers beyond the handshake's own extensions. */
export interface ClientExtensionOptions {
  /** Application protocols to offer, most preferred first. */
  readonly alpn?: readonly string[];
  /** The record_size_limit we announce (default: maxFragmentLength when set, otherwise 2^14: we take any record). */
  readonly recordSizeLimit?: number;
  /** A max_fragment_length to ask for, for servers without record_size_limit. */
  readonly maxFragmentLength?: MaxFragmentLength;
}

/** How a server answers them; `T` is what it keeps per host name. */
export interface ServerExtensionOptions<T> {
  /** The protocols (or the callback) ALPN chooses from; without it a client's ALPN is not answered. */
  readonly alpn?: ServerAlpn;
  /** The record_size_limit we announce to a client that offers the extension (default 2^14). */
  readonly recordSizeLimit?: number;
  /** Credentials per host name, and whether an unknown name is refused. */
  readonly serverNames?: ServerNameSelection<T>;
}

/** RFC 8449 §4: 2^14 is "no limit" in (D)TLS 1.2. */
export const DEFAULT_RECORD_SIZE_LIMIT = 16_384;

/**
 * The record limits a client announces. A client that asks for a max_fragment_length
 * announces the same record_size_limit unless told otherwise: a server that knows both
 * takes only record_size_limit (RFC 8449 §5), and 2^14 there would undo the request.
 */
function clientRecordLimits(options: ClientExtensionOptions): RecordLimitOptions {
  const recordSizeLimit = options.recordSizeLimit ?? options.maxFragmentLength ?? DEFAULT_RECORD_SIZE_LIMIT;
  return { recordSizeLimit, maxFragmentLength: options.maxFragmentLength };
}

/** The extensions of our ClientHello that these options add. */
export function clientExtensionOffer(options: ClientExtensionOptions): Extension[] {
  return [...alpnOffer(options.alpn), ...recordLimitOffer(clientRecordLimits(options))];
}

/** The client's reading of the ServerHello's answers (its extensions were already checked to be ones we offered). */
export function checkServerExtensionAnswers(options: ClientExtensionOptions, serverExtensions: readonly Extension[]): Negotiated<NegotiatedExtensions> {
  const alpn = checkAlpnAnswer(options.alpn, serverExtensions);
  if (!alpn.ok) return alpn;
  const limit = checkRecordLimitAnswer(clientRecordLimits(options), serverExtensions);
  if (!limit.ok) return limit;
  return settled({ ...(alpn.value === undefined ? {} : { alpn: alpn.value }), ...(limit.value === undefined ? {} : { recordLimit: limit.value }) });
}

/**
 * The server's answers, in the order they depend on each other: server_name picks the
 * credentials (and is acknowledged with an empty extension when it did, RFC 6066 §3),
 * ALPN may look at that name, then the record limits.
 */
export function answerClientExtensions<T>(
  clientExtensions: readonly Extension[],
  options: ServerExtensionOptions<T>,
): Negotiated<{ negotiated: NegotiatedExtensions; extensions: Extension[]; credentials?: T }> {
  const name = selectByServerName(clientExtensions, options.serverNames);
  if (!name.ok) return name;
  const { serverName, credentials } = name.value;
  const alpn = chooseAlpn(clientExtensions, options.alpn, serverName);
  if (!alpn.ok) return alpn;
  const limits = answerRecordLimits(clientExtensions, options.recordSizeLimit ?? DEFAULT_RECORD_SIZE_LIMIT);
  if (!limits.ok) return limits;
  const acknowledgement: Extension[] = credentials === undefined ? [] : [{ type: ExtensionType.server_name, data: new Uint8Array(0) }];
  const negotiated: NegotiatedExtensions = {
    ...(alpn.value.protocol === undefined ? {} : { alpn: alpn.value.protocol }),
    ...(serverName === undefined ? {} : { serverName }),
    ...(limits.value.limit === undefined ? {} : { recordLimit: limits.value.limit }),
  };
  return settled({ negotiated, extensions: [...acknowledgement, ...alpn.value.extensions, ...limits.value.extensions], credentials });
}
