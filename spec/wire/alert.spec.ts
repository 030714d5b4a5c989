import { describe, expect, it } from 'vitest';
import { AlertDescription, alertDescriptionName, decodeAlert } from '../../lib/wire/alert.js';
import { itMatchesGoldenBytes } from './helpers/golden-suite.js';
import { hex } from './helpers/hex.js';

describe('Alert', () => {
  itMatchesGoldenBytes('Alert');

  it('has every RFC 5246 §7.2 description code plus the later ones rx-dtls uses', () => {
    expect(AlertDescription).toMatchObject({
      close_notify: 0, unexpected_message: 10, bad_record_mac: 20, decryption_failed_RESERVED: 21,
      record_overflow: 22, decompression_failure: 30, handshake_failure: 40, no_certificate_RESERVED: 41,
      bad_certificate: 42, unsupported_certificate: 43, certificate_revoked: 44, certificate_expired: 45,
      certificate_unknown: 46, illegal_parameter: 47, unknown_ca: 48, access_denied: 49, decode_error: 50,
      decrypt_error: 51, export_restriction_RESERVED: 60, protocol_version: 70, insufficient_security: 71,
      internal_error: 80, user_canceled: 90, no_renegotiation: 100, unsupported_extension: 110,
      unrecognized_name: 112, unknown_psk_identity: 115, inappropriate_fallback: 86,
    });
  });

  it('names descriptions, and unknown codes as unknown(N)', () => {
    expect(alertDescriptionName(40)).toBe('handshake_failure');
    expect(alertDescriptionName(115)).toBe('unknown_psk_identity');
    expect(alertDescriptionName(0)).toBe('close_notify');
    expect(alertDescriptionName(200)).toBe('unknown(200)');
  });

  it('decodes an unknown description code (the receiver decides what it means)', () => {
    expect(decodeAlert(hex('02 c8'))).toEqual({ ok: true, value: { level: 2, description: 200 } });
  });

  it('rejects an unknown level', () => {
    expect(decodeAlert(hex('03 28'))).toEqual({ ok: false, error: { kind: 'invalid', what: 'Alert.level' } });
    expect(decodeAlert(hex('00 00'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
  });

  it('requires exactly two bytes', () => {
    expect(decodeAlert(hex('02'))).toMatchObject({ ok: false, error: { kind: 'truncated' } });
    expect(decodeAlert(hex('02 28 00'))).toMatchObject({ ok: false, error: { kind: 'overlong' } });
  });
});
