import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** RFC 5246 §7.2 AlertLevel. */
export const AlertLevel = {
  /** A warning-level alert; the connection may continue. */
  warning: 1,
  /** A fatal alert; the connection is terminated immediately (RFC 5246 §7.2). */
  fatal: 2,
} as const;
export type AlertLevel = (typeof AlertLevel)[keyof typeof AlertLevel];

/** RFC 5246 §7.2 AlertDescription, plus the later registrations rx-dtls can send or meet. */
export const AlertDescription = {
  /** The sender will send no more messages on this connection (RFC 5246 §7.2.1). */
  close_notify: 0,
  /** An inappropriate message was received. Always fatal. */
  unexpected_message: 10,
  /** A record failed authentication (MAC or AEAD tag check). Always fatal in TLS; DTLS may instead silently discard such records (RFC 6347 §4.1.2.7). */
  bad_record_mac: 20,
  /** Reserved; used by some earlier TLS versions and must not be sent (RFC 5246 §7.2.2). */
  decryption_failed_RESERVED: 21,
  /** A record exceeded the permitted plaintext or ciphertext length. Always fatal. */
  record_overflow: 22,
  /** The decompression function received improper input. Always fatal. */
  decompression_failure: 30,
  /** No acceptable set of security parameters could be negotiated. Always fatal. */
  handshake_failure: 40,
  /** Reserved; used in SSLv3 only and must not be sent (RFC 5246 §7.2.2). */
  no_certificate_RESERVED: 41,
  /** A certificate was corrupt or contained signatures that did not verify. */
  bad_certificate: 42,
  /** A certificate was of an unsupported type. */
  unsupported_certificate: 43,
  /** A certificate was revoked by its signer. */
  certificate_revoked: 44,
  /** A certificate has expired or is not currently valid. */
  certificate_expired: 45,
  /** Some other unspecified issue arose in processing the certificate, rendering it unacceptable. */
  certificate_unknown: 46,
  /** A handshake field was out of range or inconsistent with other fields. Always fatal. */
  illegal_parameter: 47,
  /** A valid certificate chain was received, but its CA certificate is not trusted or could not be located. Always fatal. */
  unknown_ca: 48,
  /** A valid certificate was received, but access control led the sender not to proceed with the negotiation. Always fatal. */
  access_denied: 49,
  /** A message could not be decoded because a field was out of range or the length was incorrect. Always fatal. */
  decode_error: 50,
  /** A handshake cryptographic operation failed, e.g. a signature or Finished verify_data did not verify. */
  decrypt_error: 51,
  /** Reserved; used by some earlier TLS versions and must not be sent (RFC 5246 §7.2.2). */
  export_restriction_RESERVED: 60,
  /** The protocol version offered by the client is recognized but not supported. Always fatal. */
  protocol_version: 70,
  /** The server requires ciphers more secure than those the client supports. Always fatal. */
  insufficient_security: 71,
  /** An internal error unrelated to the peer or the protocol makes it impossible to continue. Always fatal. */
  internal_error: 80,
  /** Sent by a server that received TLS_FALLBACK_SCSV with a client version lower than its highest supported one (RFC 7507 §3). Always fatal. */
  inappropriate_fallback: 86, // RFC 7507
  /** The handshake is being cancelled for a reason unrelated to a protocol failure. Generally a warning. */
  user_canceled: 90,
  /** The peer declined a renegotiation request. Always a warning. */
  no_renegotiation: 100,
  /** A (D)TLS 1.3 handshake message lacks an extension it must carry for what was offered or negotiated (RFC 8446 §6.2). */
  missing_extension: 109, // RFC 8446
  /** A ServerHello contained an extension the client did not offer in its ClientHello (RFC 5246 §7.2.2). Always fatal. */
  unsupported_extension: 110,
  /** The server does not recognize the name sent in the server_name extension (RFC 6066 §3). */
  unrecognized_name: 112, // RFC 6066
  /** The server does not recognize the PSK identity offered by the client (RFC 4279 §2). */
  unknown_psk_identity: 115, // RFC 4279
  /** A 1.3 server that requires client authentication got none (RFC 8446 §6.2). */
  certificate_required: 116, // RFC 8446
  /** The client offered application protocols (ALPN) and the server supports none of them (RFC 7301 §3.2). Always fatal. */
  no_application_protocol: 120, // RFC 7301
} as const;
export type AlertDescription = (typeof AlertDescription)[keyof typeof AlertDescription];

const names = new Map<number, string>(Object.entries(AlertDescription).map(([name, code]) => [code, name]));

/** "handshake_failure" for 40, "unknown(N)" for codes not in AlertDescription. */
export function alertDescriptionName(code: number): string {
  return names.get(code) ?? `unknown(${code})`;
}

/** A decoded Alert message (RFC 5246 §7.2): two bytes, level then description. */
export interface Alert {
  /** The {@link AlertLevel} byte; decodeAlert accepts only warning or fatal. */
  level: number;
  /** The {@link AlertDescription} byte; codes rx-dtls does not know are kept as-is. */
  description: number;
}

/** Encodes an alert as its two-byte wire form, level(1) + description(1). */
export function encodeAlert(x: Alert): Uint8Array {
  return new Writer(2).uint8(x.level).uint8(x.description).finish();
}

/**
 * Exactly level(1) + description(1). An unknown level is 'invalid' (nothing says
 * whether it is fatal); an unknown description decodes, and the receiver decides
 * (RFC 5246 §7.2: unknown warnings may be ignored, any fatal alert ends the session).
 */
export function decodeAlert(payload: Uint8Array): Result<Alert> {
  return decode('Alert', payload, (r) => {
    const level = r.uint8('level');
    if (level !== AlertLevel.warning && level !== AlertLevel.fatal) r.fail('invalid', 'level');
    return { level, description: r.uint8('description') };
  });
}
