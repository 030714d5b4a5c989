import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** RFC 5246 §7.2 AlertLevel. */
export const AlertLevel = {
  warning: 1,
  fatal: 2,
} as const;
export type AlertLevel = (typeof AlertLevel)[keyof typeof AlertLevel];

/** RFC 5246 §7.2 AlertDescription, plus the later registrations rx-dtls can send or meet. */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  decryption_failed_RESERVED: 21,
  record_overflow: 22,
  decompression_failure: 30,
  handshake_failure: 40,
  no_certificate_RESERVED: 41,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  export_restriction_RESERVED: 60,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86, // RFC 7507
  user_canceled: 90,
  no_renegotiation: 100,
  unsupported_extension: 110,
  unrecognized_name: 112, // RFC 6066
  unknown_psk_identity: 115, // RFC 4279
} as const;
export type AlertDescription = (typeof AlertDescription)[keyof typeof AlertDescription];

const names = new Map<number, string>(Object.entries(AlertDescription).map(([name, code]) => [code, name]));

/** "handshake_failure" for 40, "unknown(N)" for codes not in AlertDescription. */
export function alertDescriptionName(code: number): string {
  return names.get(code) ?? `unknown(${code})`;
}

export interface Alert {
  level: number;
  description: number;
}

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
