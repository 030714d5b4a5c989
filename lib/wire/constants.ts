/** DTLS protocol versions on the wire (RFC 6347 §4.1: the one's complement of 1.0 / 1.2). */
export const DTLS_1_0 = 0xfeff;
/** DTLS 1.2 (RFC 6347), encoded as 0xfefd. */
export const DTLS_1_2 = 0xfefd;
/**
 * DTLS 1.3 (RFC 9147 §5.3), 0xfefc. It appears only in the supported_versions extension:
 * the hellos' legacy_version and the DTLSPlaintext records keep 0xfefd (RFC 9147 §4, §5.3).
 */
export const DTLS_1_3 = 0xfefc;

/** RFC 5246 §6.2.1 record content types. */
export const ContentType = {
  /** ChangeCipherSpec: the sender switches to the newly negotiated keys and starts the next epoch (RFC 5246 §7.1, RFC 6347 §4.1). */
  change_cipher_spec: 20,
  /** Alert messages (RFC 5246 §7.2). */
  alert: 21,
  /** Handshake messages (RFC 5246 §7.4, RFC 6347 §4.2). */
  handshake: 22,
  /** Application data, protected by the current epoch's keys (RFC 5246 §10). */
  application_data: 23,
  /** A record carrying a Connection ID; the real type travels inside the protected DTLSInnerPlaintext (RFC 9146 §4). */
  tls12_cid: 25,
  /** Heartbeat messages, protected like application data (RFC 6520 §3). */
  heartbeat: 24,
  /**
   * DTLS 1.3 ACK (RFC 9147 §7): a content type of its own, not a handshake message, so it
   * never enters the transcript; sent in an epoch no lower than the records it acknowledges.
   */
  ack: 26,
} as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

/** RFC 5246 §7.4, RFC 6347 §4.3.2, RFC 8446 §4 and RFC 9147 §5.2 handshake message types. */
export const HandshakeType = {
  /** HelloRequest: the server asks the client to renegotiate (RFC 5246 §7.4.1.1). */
  hello_request: 0,
  /** ClientHello: the client's first message, and its retry carrying the cookie (RFC 5246 §7.4.1.2, RFC 6347 §4.2.1). */
  client_hello: 1,
  /** ServerHello: the server's chosen version, cipher suite and extensions (RFC 5246 §7.4.1.3). */
  server_hello: 2,
  /** HelloVerifyRequest: DTLS-only stateless cookie exchange (RFC 6347 §4.2.1). */
  hello_verify_request: 3,
  /** NewSessionTicket: a ticket the client may offer to resume the session (RFC 5077 §3.3; in 1.3 post-handshake, RFC 8446 §4.6.1). */
  new_session_ticket: 4,
  /** EndOfEarlyData: ends 0-RTT data (RFC 8446 §4.5). DTLS 1.3 does without it (RFC 9147 §5.6) and rx-dtls refuses early data. */
  end_of_early_data: 5,
  /** EncryptedExtensions: the 1.3 server's extensions that need no ServerHello, under handshake keys (RFC 8446 §4.3.1). */
  encrypted_extensions: 8,
  /** RequestConnectionId: asks the peer for more CIDs (RFC 9147 §9). */
  request_connection_id: 9,
  /** NewConnectionId: offers the peer CIDs to send with (RFC 9147 §9). */
  new_connection_id: 10,
  /** Certificate: the sender's certificate chain or raw public key (RFC 5246 §7.4.2, RFC 7250). */
  certificate: 11,
  /** ServerKeyExchange: the server's key-exchange parameters, e.g. its ephemeral ECDH share (RFC 5246 §7.4.3). */
  server_key_exchange: 12,
  /** CertificateRequest: the server asks the client to authenticate (RFC 5246 §7.4.4). */
  certificate_request: 13,
  /** ServerHelloDone: end of the server's hello flight (RFC 5246 §7.4.5). */
  server_hello_done: 14,
  /** CertificateVerify: the client proves possession of its certificate's private key (RFC 5246 §7.4.8). */
  certificate_verify: 15,
  /** ClientKeyExchange: the client's key-exchange contribution (RFC 5246 §7.4.7). */
  client_key_exchange: 16,
  /** Finished: verify_data over the handshake transcript, the first message under the new keys (RFC 5246 §7.4.9). */
  finished: 20,
  /** KeyUpdate: the sender switches to its next traffic secret (RFC 8446 §4.6.3, RFC 9147 §8). */
  key_update: 24,
  /**
   * message_hash: never sent. After a HelloRetryRequest the 1.3 transcript replaces the first
   * ClientHello by a synthetic message of this type holding its hash (RFC 8446 §4.4.1).
   */
  message_hash: 254,
} as const;
export type HandshakeType = (typeof HandshakeType)[keyof typeof HandshakeType];

/** Size of the DTLS record header: type(1) version(2) epoch(2) sequence_number(6) length(2). */
export const RECORD_HEADER_LENGTH = 13;
/** Size of the DTLS handshake header: msg_type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3). */
export const HANDSHAKE_HEADER_LENGTH = 12;
/** RFC 6347 §4.1: a record's length must not exceed 2^14 bytes of plaintext (+2048 when protected). */
export const MAX_PLAINTEXT_LENGTH = 16384;
export const MAX_CIPHERTEXT_LENGTH = 16384 + 2048;
