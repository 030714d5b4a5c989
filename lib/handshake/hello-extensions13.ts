import { AlertDescription } from '../wire/alert.js';
import { MAX_PLAINTEXT_LENGTH } from '../wire/constants.js';
import { ExtensionType, decodeRecordSizeLimitExtension, encodeRecordSizeLimitExtension, encodeServerNameExtension, findExtension, type Extension } from '../wire/extensions.js';
import { alpnOffer, checkAlpnAnswer, chooseAlpn } from './alpn-negotiation.js';
import { clientConnectionIds, offerConnectionId, serverConnectionIds, type ConnectionIdPolicy, type NegotiatedConnectionIds } from './connection-id-negotiation.js';
import { malformedExtension, refused, settled, type Negotiated } from './extension-failure.js';
import type { HandshakeFailure } from './handshake-step.js';
import { isIpAddress } from './hello-extensions.js';
import type { NegotiatedExtensions, ServerExtensionOptions } from './negotiated-extensions.js';
import type { RecordLimit } from './record-size-negotiation.js';
import { selectByServerName } from './server-name-selection.js';

/**
 * The hello extensions of a DTLS 1.3 handshake beyond its key exchange: ALPN (RFC 7301),
 * server_name (RFC 6066 §3), record_size_limit (RFC 8449) and connection_id (RFC 9146),
 * negotiated with the 1.2 code where 1.3 does not change it. What moves in 1.3 (RFC 8446
 * §4.2): the server answers ALPN, server_name and record_size_limit in EncryptedExtensions,
 * connection_id in the ServerHello (the IANA registry lists it for CH and SH only; wolfSSL
 * sends it there too), and record_size_limit counts the inner content type (RFC 8449 §4).
 */

/** What a 1.3 client offers: the 1.2 options of the same names. */
export interface ClientExtensions13Options {
  /** Application protocols to offer, most preferred first. */
  readonly alpn?: readonly string[];
  /** The most plaintext per record we take (64..2^14, default 2^14); announced as one more, for the inner type. */
  readonly recordSizeLimit?: number;
  /** The host name sent as server_name (never an IP address, RFC 6066 §3). */
  readonly serverName?: string;
  /** The Connection ID we want to receive with, and whether CIDs are required. */
  readonly connectionId?: ConnectionIdPolicy;
}

/** How a 1.3 server answers them; `T` is what it keeps per host name (a PSK lookup). */
export interface ServerExtensions13Options<T> extends ServerExtensionOptions<T> {
  /** The CID this session is found by; without it an offer is ignored. */
  readonly connectionId?: ConnectionIdPolicy;
}

/** What the hello extensions of a 1.3 handshake agreed, for the summary. */
export interface Agreed13 {
  /** ALPN, server_name and the peer's record limit. */
  readonly negotiated?: NegotiatedExtensions;
  /** The Connection IDs, used from epoch 2 on (RFC 9147 §9; wolfSSL's records carry them from there). */
  readonly connectionIds?: NegotiatedConnectionIds;
  /** The most content the peer may put in a record to us, when both sides sent record_size_limit. */
  readonly receiveLimit?: number;
}

/** RFC 8449 §4: in TLS 1.3 the limit counts the inner content type, so 2^14 + 1 is "no limit". */
const MAX_RECORD_SIZE_LIMIT13 = MAX_PLAINTEXT_LENGTH + 1;

/** The record_size_limit we announce for `plaintext` bytes of content per record. */
function recordSizeLimitExtension(plaintext: number | undefined): Extension {
  return encodeRecordSizeLimitExtension((plaintext ?? MAX_PLAINTEXT_LENGTH) + 1);
}

/**
 * The peer's record_size_limit as a limit on our records' content (RFC 8449 §4): under 64 is
 * illegal_parameter (the codec says 'invalid'); above 2^14 + 1 a client may refuse (it does),
 * a server "MUST NOT enforce" it (the client may know an extension it does not).
 */
function peerRecordLimit13(extension: Extension, role: 'client' | 'server'): Negotiated<RecordLimit> {
  const decoded = decodeRecordSizeLimitExtension(extension.data);
  if (!decoded.ok) return refused(malformedExtension('record_size_limit', decoded.error));
  if (role === 'client' && decoded.value > MAX_RECORD_SIZE_LIMIT13) {
    return refused({ alert: AlertDescription.illegal_parameter, reason: `server record_size_limit ${decoded.value} is above the DTLS 1.3 maximum ${MAX_RECORD_SIZE_LIMIT13}` });
  }
  return settled({ plaintext: Math.min(decoded.value, MAX_RECORD_SIZE_LIMIT13) - 1, unprotectedToo: false, negotiatedBy: 'record_size_limit' });
}

/** RFC 8446 §4.2: what EncryptedExtensions may carry; any other extension we know there is illegal_parameter. */
const ENCRYPTED_EXTENSIONS = new Set<number>([
  ExtensionType.server_name,
  ExtensionType.max_fragment_length,
  ExtensionType.supported_groups,
  ExtensionType.heartbeat,
  ExtensionType.application_layer_protocol_negotiation,
  ExtensionType.client_certificate_type,
  ExtensionType.server_certificate_type,
  ExtensionType.early_data,
  ExtensionType.record_size_limit,
]);
const KNOWN_EXTENSIONS = new Set<number>(Object.values(ExtensionType));

/**
 * The client's side: what it offers in its first ClientHello (kept in the second), what it
 * reads in the ServerHello (connection_id) and in EncryptedExtensions (the rest).
 */
export class ClientExtensions13 {
  private connectionIds?: NegotiatedConnectionIds;
  private negotiated?: NegotiatedExtensions;
  private receiveLimit?: number;
  private readonly offered: readonly Extension[];
  /** The extensions of the ClientHello the server answered: all it may answer in EncryptedExtensions. */
  private sent: readonly Extension[] = [];

  constructor(private readonly options: ClientExtensions13Options) {
    const { serverName, connectionId } = options;
    const cid = offerConnectionId(connectionId);
    this.offered = [
      ...(serverName && !isIpAddress(serverName) ? [encodeServerNameExtension(new TextEncoder().encode(serverName))] : []),
      ...alpnOffer(options.alpn),
      recordSizeLimitExtension(options.recordSizeLimit),
      ...(cid ? [cid] : []),
    ];
  }

  /** Our extensions for the ClientHello, before pre_shared_key (which stays last, RFC 8446 §4.2.11). */
  offer(): Extension[] {
    return [...this.offered];
  }

  /**
   * The ServerHello's connection_id (RFC 9146 §3): our CID and the server's, or none.
   * `sent` is the ClientHello it answers, whose extensions (ours and the handshake's) are
   * what EncryptedExtensions may answer.
   */
  onServerHello(extensions: readonly Extension[], sent: readonly Extension[]): HandshakeFailure | undefined {
    this.sent = sent;
    if (findExtension(extensions, ExtensionType.connection_id) && !this.options.connectionId) {
      return { alert: AlertDescription.unsupported_extension, reason: 'server sent connection_id, which we did not offer' };
    }
    const ids = clientConnectionIds(this.options.connectionId, extensions);
    if (!ids.ok) return { alert: ids.alert, reason: ids.reason };
    this.connectionIds = ids.value;
    return undefined;
  }

  /**
   * EncryptedExtensions (RFC 8446 §4.3.1): nothing that belongs elsewhere (illegal_parameter),
   * nothing our ClientHello did not offer (unsupported_extension, §4.2), then each of our
   * extensions' answers as 1.2 reads it (the handshake reads the others).
   */
  onEncryptedExtensions(extensions: readonly Extension[]): HandshakeFailure | undefined {
    for (const { type } of extensions) {
      if (KNOWN_EXTENSIONS.has(type) && !ENCRYPTED_EXTENSIONS.has(type)) return { alert: AlertDescription.illegal_parameter, reason: `server sent extension ${type} in EncryptedExtensions` };
      if (!findExtension(this.sent, type)) return { alert: AlertDescription.unsupported_extension, reason: `server sent extension ${type}, which we did not offer` };
    }
    const serverName = findExtension(extensions, ExtensionType.server_name);
    // RFC 6066 §3: the server's acknowledgement is empty.
    if (serverName && serverName.data.length > 0) return { alert: AlertDescription.decode_error, reason: 'server_name in EncryptedExtensions is not empty' };
    const alpn = checkAlpnAnswer(this.options.alpn, extensions);
    if (!alpn.ok) return alpn.failure;
    const limitExtension = findExtension(extensions, ExtensionType.record_size_limit);
    const limit = limitExtension && peerRecordLimit13(limitExtension, 'client');
    if (limit && !limit.ok) return limit.failure;
    this.negotiated = {
      ...(alpn.value === undefined ? {} : { alpn: alpn.value }),
      ...(limit ? { recordLimit: limit.value } : {}),
    };
    if (limit) this.receiveLimit = this.options.recordSizeLimit ?? MAX_PLAINTEXT_LENGTH;
    return undefined;
  }

  /** What the ServerHello told: the CIDs to install with the handshake epoch. */
  get agreedConnectionIds(): NegotiatedConnectionIds | undefined {
    return this.connectionIds;
  }

  /** Everything agreed, for the summary. */
  agreed(): Agreed13 {
    return agreed(this.negotiated, this.connectionIds, this.receiveLimit);
  }
}

/** The server's answers: for the ServerHello, for EncryptedExtensions, the credentials server_name chose, and what they agreed. */
export interface ServerAnswer13<T> {
  readonly serverHello: Extension[];
  readonly encryptedExtensions: Extension[];
  readonly credentials?: T;
  readonly agreed: Agreed13;
}

/**
 * The server's side, from the second ClientHello, in the order 1.2 answers (server_name
 * picks the credentials and is acknowledged with an empty extension when it did, ALPN may
 * look at the name, then the record limit), and connection_id (RFC 9146 §3).
 */
export function answerExtensions13<T>(clientExtensions: readonly Extension[], options: ServerExtensions13Options<T>): Negotiated<ServerAnswer13<T>> {
  const name = selectByServerName(clientExtensions, options.serverNames);
  if (!name.ok) return name;
  const { serverName, credentials } = name.value;
  const alpn = chooseAlpn(clientExtensions, options.alpn, serverName);
  if (!alpn.ok) return alpn;
  const limitExtension = findExtension(clientExtensions, ExtensionType.record_size_limit);
  const limit = limitExtension && peerRecordLimit13(limitExtension, 'server');
  if (limit && !limit.ok) return limit;
  const cids = serverConnectionIds(options.connectionId, clientExtensions);
  if (!cids.ok) return refused({ alert: cids.alert, reason: cids.reason });
  const negotiated: NegotiatedExtensions = {
    ...(alpn.value.protocol === undefined ? {} : { alpn: alpn.value.protocol }),
    ...(serverName === undefined ? {} : { serverName }),
    ...(limit ? { recordLimit: limit.value } : {}),
  };
  return settled({
    serverHello: cids.value ? [cids.value.extension] : [],
    encryptedExtensions: [
      ...(credentials === undefined ? [] : [{ type: ExtensionType.server_name, data: new Uint8Array(0) }]),
      ...alpn.value.extensions,
      ...(limit ? [recordSizeLimitExtension(options.recordSizeLimit)] : []),
    ],
    credentials,
    agreed: agreed(negotiated, cids.value?.ids, limit ? (options.recordSizeLimit ?? MAX_PLAINTEXT_LENGTH) : undefined),
  });
}

function agreed(negotiated: NegotiatedExtensions | undefined, connectionIds: NegotiatedConnectionIds | undefined, receiveLimit: number | undefined): Agreed13 {
  return {
    ...(negotiated === undefined || Object.keys(negotiated).length === 0 ? {} : { negotiated }),
    ...(connectionIds === undefined ? {} : { connectionIds }),
    ...(receiveLimit === undefined ? {} : { receiveLimit }),
  };
}
