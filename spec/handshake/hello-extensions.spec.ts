import { describe, expect, it } from 'vitest';
import { cipherSuiteByName, type CipherSuite } from '../../lib/crypto/cipher-suites.js';
import { NamedGroup } from '../../lib/crypto/ecdhe.js';
import {
  EMPTY_RENEGOTIATION_INFO_SCSV,
  checkServerHelloExtensions,
  clientHelloExtensions,
  serverHelloExtensions,
} from '../../lib/handshake/hello-extensions.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import {
  CertificateType,
  ECPointFormat,
  ExtensionType,
  SignatureScheme,
  decodeServerCertificateTypeListExtension,
  decodeSignatureAlgorithmsExtension,
  decodeEcPointFormatsExtension,
  decodeRenegotiationInfoExtension,
  decodeSupportedGroupsExtension,
  encodeExtendedMasterSecretExtension,
  encodeRenegotiationInfoExtension,
  findExtension,
  type Extension,
} from '../../lib/wire/extensions.js';

const suite = (name: string): CipherSuite => cipherSuiteByName(name)!;
const PSK = suite('TLS_PSK_WITH_AES_128_CCM_8');
const ECDHE_PSK = suite('TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256');
const types = (extensions: readonly Extension[]) => extensions.map((e) => e.type);

describe('clientHelloExtensions', () => {
  it('offers extended_master_secret and an empty renegotiation_info for PSK-only suites, and no ECC extensions', () => {
    const extensions = clientHelloExtensions({ suites: [PSK], groups: [NamedGroup.x25519] });
    expect(types(extensions).sort()).toEqual([ExtensionType.extended_master_secret, ExtensionType.renegotiation_info].sort());
    const reneg = decodeRenegotiationInfoExtension(findExtension(extensions, ExtensionType.renegotiation_info)!.data);
    expect(reneg.ok && reneg.value).toHaveLength(0);
  });

  it('adds supported_groups in our order and uncompressed ec_point_formats when an ECDHE suite is offered (RFC 8422 §5.1)', () => {
    const extensions = clientHelloExtensions({ suites: [PSK, ECDHE_PSK], groups: [NamedGroup.secp256r1, NamedGroup.x25519] });
    const groups = decodeSupportedGroupsExtension(findExtension(extensions, ExtensionType.supported_groups)!.data);
    expect(groups.ok && groups.value).toEqual([NamedGroup.secp256r1, NamedGroup.x25519]);
    const formats = decodeEcPointFormatsExtension(findExtension(extensions, ExtensionType.ec_point_formats)!.data);
    expect(formats.ok && formats.value).toEqual([ECPointFormat.uncompressed]);
    expect(findExtension(extensions, ExtensionType.extended_master_secret)).toBeDefined();
  });
});

describe('checkServerHelloExtensions', () => {
  const offered = clientHelloExtensions({ suites: [PSK], groups: [] });

  it('accepts a ServerHello answering only what was offered', () => {
    expect(checkServerHelloExtensions(offered, [])).toBeUndefined();
    expect(checkServerHelloExtensions(offered, [encodeExtendedMasterSecretExtension(), encodeRenegotiationInfoExtension()])).toBeUndefined();
  });

  it('refuses an extension that was not offered with unsupported_extension (RFC 5246 §7.4.1.4)', () => {
    const problem = checkServerHelloExtensions(offered, [{ type: ExtensionType.supported_groups, data: Uint8Array.of(0, 2, 0, 29) }]);
    expect(problem?.alert).toBe(AlertDescription.unsupported_extension);
  });

  it('refuses a non-empty renegotiation_info in an initial handshake (RFC 5746 §3.4)', () => {
    const problem = checkServerHelloExtensions(offered, [encodeRenegotiationInfoExtension(new Uint8Array(24).fill(1))]);
    expect(problem?.alert).toBe(AlertDescription.handshake_failure);
  });

  it('refuses a malformed renegotiation_info', () => {
    const problem = checkServerHelloExtensions(offered, [{ type: ExtensionType.renegotiation_info, data: Uint8Array.of(5) }]);
    expect(problem?.alert).toBe(AlertDescription.handshake_failure);
  });
});

describe('serverHelloExtensions', () => {
  it('echoes extended_master_secret and renegotiation_info only when the client sent them', () => {
    expect(serverHelloExtensions({ clientExtensions: [], clientSuites: [PSK.id], suite: PSK })).toEqual([]);
    const answered = serverHelloExtensions({ clientExtensions: clientHelloExtensions({ suites: [PSK], groups: [] }), clientSuites: [PSK.id], suite: PSK });
    expect(types(answered).sort()).toEqual([ExtensionType.extended_master_secret, ExtensionType.renegotiation_info].sort());
  });

  it('answers the renegotiation SCSV with an empty renegotiation_info (RFC 5746 §3.6)', () => {
    const answered = serverHelloExtensions({ clientExtensions: [], clientSuites: [PSK.id, EMPTY_RENEGOTIATION_INFO_SCSV], suite: PSK });
    expect(types(answered)).toEqual([ExtensionType.renegotiation_info]);
    const info = decodeRenegotiationInfoExtension(answered[0].data);
    expect(info.ok && info.value).toHaveLength(0);
  });

  it('answers ec_point_formats only for an ECDHE suite, and never supported_groups', () => {
    const offered = clientHelloExtensions({ suites: [PSK, ECDHE_PSK], groups: [NamedGroup.x25519] });
    expect(types(serverHelloExtensions({ clientExtensions: offered, clientSuites: [PSK.id, ECDHE_PSK.id], suite: ECDHE_PSK }))).toContain(ExtensionType.ec_point_formats);
    expect(types(serverHelloExtensions({ clientExtensions: offered, clientSuites: [PSK.id, ECDHE_PSK.id], suite: PSK }))).not.toContain(ExtensionType.ec_point_formats);
    expect(types(serverHelloExtensions({ clientExtensions: offered, clientSuites: [ECDHE_PSK.id], suite: ECDHE_PSK }))).not.toContain(ExtensionType.supported_groups);
  });

  it('answers what the client checker then accepts', () => {
    const offered = clientHelloExtensions({ suites: [PSK, ECDHE_PSK], groups: [NamedGroup.x25519] });
    for (const chosen of [PSK, ECDHE_PSK]) {
      expect(checkServerHelloExtensions(offered, serverHelloExtensions({ clientExtensions: offered, clientSuites: [PSK.id, ECDHE_PSK.id], suite: chosen }))).toBeUndefined();
    }
  });
});

describe('ECDHE_ECDSA hello extensions', () => {
  const ECDSA = suite('TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8');
  const rpkOnly = { verifyRawPublicKey: () => ({ ok: false as const, alert: 42, reason: 'unused' }) };

  it('offers signature_algorithms with ecdsa_secp256r1_sha256 and, for raw public keys, server_certificate_type (RFC 7250 §4.1)', () => {
    const extensions = clientHelloExtensions({ suites: [ECDSA], groups: [NamedGroup.secp256r1], authenticator: rpkOnly });
    const schemes = decodeSignatureAlgorithmsExtension(findExtension(extensions, ExtensionType.signature_algorithms)!.data);
    expect(schemes.ok && schemes.value).toEqual([SignatureScheme.ecdsa_secp256r1_sha256]);
    const offered = decodeServerCertificateTypeListExtension(findExtension(extensions, ExtensionType.server_certificate_type)!.data);
    expect(offered.ok && offered.value).toEqual([CertificateType.raw_public_key]);
  });

  it('sends server_name for a DNS name but not for an IP literal (RFC 6066 §3)', () => {
    const named = clientHelloExtensions({ suites: [ECDSA], groups: [23], serverName: 'device.example' });
    expect(findExtension(named, ExtensionType.server_name)).toBeDefined();
    const literal = clientHelloExtensions({ suites: [ECDSA], groups: [23], serverName: '127.0.0.1' });
    expect(findExtension(literal, ExtensionType.server_name)).toBeUndefined();
  });

  it('answers the certificate types chosen only where the client offered the extension', () => {
    const offered = clientHelloExtensions({ suites: [ECDSA], groups: [23], authenticator: rpkOnly });
    const answered = serverHelloExtensions({
      clientExtensions: offered,
      clientSuites: [ECDSA.id],
      suite: ECDSA,
      serverCertificateType: CertificateType.raw_public_key,
      clientCertificateType: CertificateType.raw_public_key,
    });
    expect(types(answered)).toContain(ExtensionType.server_certificate_type);
    expect(types(answered)).not.toContain(ExtensionType.client_certificate_type);
    expect(checkServerHelloExtensions(offered, answered)).toBeUndefined();
  });
});
