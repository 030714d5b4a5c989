import { describe, expect, it } from 'vitest';
import { DOWNGRADE_SENTINEL, carriesDowngradeSentinel, chooseVersion, withDowngradeSentinel } from '../../lib/handshake/version-negotiation.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { DTLS_1_0, DTLS_1_2, DTLS_1_3 } from '../../lib/wire/constants.js';
import { ExtensionType } from '../../lib/wire/extensions.js';
import { encodeSupportedVersionsOffer } from '../../lib/wire/supported-versions-extension.js';
import { clientHello } from './helpers/client-hello.js';

/** NSS's draft-43 DTLS 1.3 code point, which is not RFC 9147's. */
const NSS_DRAFT_DTLS13 = 0x7f2b;

function offering(versions: number[], clientVersion = DTLS_1_2) {
  return clientHello({ clientVersion, extensions: [encodeSupportedVersionsOffer(versions)] });
}

describe('chooseVersion (RFC 8446 §4.2.1, RFC 9147 §5.3)', () => {
  it('takes 1.3 from supported_versions when the server accepts it, whatever the order offered', () => {
    expect(chooseVersion(offering([DTLS_1_2, DTLS_1_3]), ['1.2', '1.3'])).toEqual({ ok: true, version: '1.3' });
    expect(chooseVersion(offering([DTLS_1_3]), ['1.3'])).toEqual({ ok: true, version: '1.3' });
  });

  it('takes 1.2 from supported_versions when 1.3 is not offered, or the server accepts only 1.2', () => {
    expect(chooseVersion(offering([DTLS_1_2]), ['1.2', '1.3'])).toEqual({ ok: true, version: '1.2' });
    expect(chooseVersion(offering([DTLS_1_3, DTLS_1_2]), ['1.2'])).toEqual({ ok: true, version: '1.2' });
  });

  it('never takes NSS draft 0x7f2b for 1.3: 1.2 when offered beside it, protocol_version when alone', () => {
    expect(chooseVersion(offering([NSS_DRAFT_DTLS13, DTLS_1_2]), ['1.2', '1.3'])).toEqual({ ok: true, version: '1.2' });
    const alone = chooseVersion(offering([NSS_DRAFT_DTLS13, 0x7a7a]), ['1.2', '1.3']);
    expect(alone.ok).toBe(false);
    expect(!alone.ok && alone.alert).toBe(AlertDescription.protocol_version);
    expect(!alone.ok && alone.reason).toMatch(/0x7f2b/);
  });

  it('at a server accepting 1.3 reads only supported_versions, where a 1.2-only server goes by legacy_version (RFC 8446 §4.2.1)', () => {
    expect(chooseVersion(offering([NSS_DRAFT_DTLS13]), ['1.2'])).toEqual({ ok: true, version: '1.2' });
    expect(chooseVersion(offering([NSS_DRAFT_DTLS13]), ['1.2', '1.3']).ok).toBe(false);
  });

  it('goes by legacy_version without the extension: 1.2 for a DTLS 1.2 client, protocol_version for DTLS 1.0 or a 1.3-only server', () => {
    expect(chooseVersion(clientHello(), ['1.2', '1.3'])).toEqual({ ok: true, version: '1.2' });
    const old = chooseVersion(clientHello({ clientVersion: DTLS_1_0 }), ['1.2']);
    expect(!old.ok && old.alert).toBe(AlertDescription.protocol_version);
    const only13 = chooseVersion(clientHello(), ['1.3']);
    expect(!only13.ok && only13.alert).toBe(AlertDescription.protocol_version);
  });

  it('answers decode_error to a malformed supported_versions', () => {
    const hello = clientHello({ extensions: [{ type: ExtensionType.supported_versions, data: Uint8Array.of(3, 0xfe) }] });
    const choice = chooseVersion(hello, ['1.2', '1.3']);
    expect(!choice.ok && choice.alert).toBe(AlertDescription.decode_error);
  });
});

describe('the downgrade sentinel (RFC 8446 §4.1.3)', () => {
  it('is "DOWNGRD" and 01 in the last 8 bytes of the random, the first 24 kept', () => {
    const random = Uint8Array.from({ length: 32 }, (_, i) => i);
    const marked = withDowngradeSentinel(random);
    expect(new TextDecoder().decode(DOWNGRADE_SENTINEL.subarray(0, 7))).toBe('DOWNGRD');
    expect(marked.subarray(24)).toEqual(DOWNGRADE_SENTINEL);
    expect(marked.subarray(0, 24)).toEqual(random.subarray(0, 24));
    expect(random[31]).toBe(31);
    expect(carriesDowngradeSentinel(marked)).toBe(true);
    expect(carriesDowngradeSentinel(random)).toBe(false);
  });
});
