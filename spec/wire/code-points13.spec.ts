// The DTLS 1.3 code points, checked against the IANA registries RFC 8446 §11 and RFC 9147
// §14 fill: a typo here would make a peer's message unreadable.
import { describe, expect, it } from 'vitest';
import { AlertDescription } from '../../lib/wire/alert.js';
import { ContentType, DTLS_1_3, HandshakeType } from '../../lib/wire/constants.js';
import { ExtensionType } from '../../lib/wire/extension-type.js';

describe('DTLS 1.3 code points', () => {
  it('names the 1.3 handshake types (RFC 8446 §4, RFC 9147 §5.2)', () => {
    expect(HandshakeType).toMatchObject({
      new_session_ticket: 4,
      end_of_early_data: 5,
      encrypted_extensions: 8,
      request_connection_id: 9,
      new_connection_id: 10,
      key_update: 24,
      message_hash: 254,
    });
  });

  it('gives ACK content type 26 and DTLS 1.3 the version 0xfefc (RFC 9147 §7, §5.3)', () => {
    expect(ContentType.ack).toBe(26);
    expect(DTLS_1_3).toBe(0xfefc);
  });

  it('numbers the 1.3 extensions (RFC 8446 §4.2)', () => {
    expect(ExtensionType).toMatchObject({
      pre_shared_key: 41,
      early_data: 42,
      supported_versions: 43,
      cookie: 44,
      psk_key_exchange_modes: 45,
      certificate_authorities: 47,
      post_handshake_auth: 49,
      signature_algorithms_cert: 50,
      key_share: 51,
    });
  });

  it('knows the alerts 1.3 adds (RFC 8446 §6.2)', () => {
    expect(AlertDescription).toMatchObject({ missing_extension: 109, certificate_required: 116 });
  });
});
