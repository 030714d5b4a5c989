// Real DTLS 1.2 handshakes between OpenSSL 3.0 / GnuTLS 3.7 peers, recorded on loopback
// (spec/fixtures/wire/README.md). Every plaintext message must decode to what the peers
// were configured with and re-encode to the very bytes they sent.
import { describe, expect, it } from 'vitest';
import * as wire from '../../lib/wire/index.js';
import type { Result } from '../../lib/wire/index.js';
import { capturedMessage, capturedMessages, pemFixture, type Direction } from './helpers/captures.js';
import { ascii, toHex } from './helpers/hex.js';

const H = wire.HandshakeType;
const E = wire.ExtensionType;

/** Decodes a captured body, checks it re-encodes byte for byte, and returns the value. */
function roundTrip<T>(body: Uint8Array, decode: (b: Uint8Array) => Result<T>, encode: (v: T) => Uint8Array): T {
  const decoded = decode(body);
  if (!decoded.ok) throw new Error(`did not decode: ${JSON.stringify(decoded.error)}`);
  expect(toHex(encode(decoded.value))).toBe(toHex(body));
  return decoded.value;
}

function message(capture: string, direction: Direction, type: number): Uint8Array {
  return capturedMessage(capture, direction, type).body;
}

function extensionData(exts: wire.Extension[], type: number): Uint8Array {
  const found = wire.findExtension(exts, type);
  if (!found) throw new Error(`no extension ${type}`);
  return found.data;
}

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`did not decode: ${JSON.stringify(r.error)}`);
  return r.value;
}

describe('messages captured from OpenSSL (PSK-AES128-CCM8)', () => {
  const cap = 'openssl-psk-ccm8.hex';
  const hellos = capturedMessages(cap).filter((m) => m.msgType === H.client_hello);

  it('has a first ClientHello without a cookie and a second echoing the HelloVerifyRequest cookie', () => {
    expect(hellos.map((m) => m.messageSeq)).toEqual([0, 1]);
    const first = roundTrip(hellos[0].body, wire.decodeClientHello, wire.encodeClientHello);
    const hvr = roundTrip(message(cap, 's>c', H.hello_verify_request), wire.decodeHelloVerifyRequest, wire.encodeHelloVerifyRequest);
    const second = roundTrip(hellos[1].body, wire.decodeClientHello, wire.encodeClientHello);

    expect(first.clientVersion).toBe(wire.DTLS_1_2);
    expect(first.cookie.length).toBe(0);
    // -cipher PSK-AES128-CCM8, plus TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3)
    expect(first.cipherSuites).toEqual([0xc0a8, 0x00ff]);
    expect(first.compressionMethods).toEqual([0]);
    expect(first.extensions.map((e) => e.type)).toEqual([
      E.session_ticket,
      E.encrypt_then_mac,
      E.extended_master_secret,
      E.signature_algorithms,
    ]);

    // RFC 6347 §4.2.1: HelloVerifyRequest.server_version is DTLS 1.0 whatever is negotiated
    expect(hvr.serverVersion).toBe(wire.DTLS_1_0);
    expect(hvr.cookie.length).toBe(20);
    expect(toHex(second.cookie)).toBe(toHex(hvr.cookie));
    expect(toHex(second.random)).toBe(toHex(first.random));
  });

  it('has a ServerHello choosing the suite with renegotiation_info, session_ticket and EMS', () => {
    const sh = roundTrip(message(cap, 's>c', H.server_hello), wire.decodeServerHello, wire.encodeServerHello);
    expect(sh.serverVersion).toBe(wire.DTLS_1_2);
    expect(sh.cipherSuite).toBe(0xc0a8);
    expect(sh.compressionMethod).toBe(0);
    expect(sh.extensions.map((e) => e.type)).toEqual([E.renegotiation_info, E.session_ticket, E.extended_master_secret]);
    expect(value(wire.decodeRenegotiationInfoExtension(extensionData(sh.extensions, E.renegotiation_info)))).toEqual(new Uint8Array(0));
  });

  it('carries the configured PSK hint and identity', () => {
    const ske = roundTrip(message(cap, 's>c', H.server_key_exchange), wire.decodeServerKeyExchangePsk, wire.encodeServerKeyExchangePsk);
    expect(ske.pskIdentityHint).toEqual(ascii('Server_hint'));
    const cke = roundTrip(message(cap, 'c>s', H.client_key_exchange), wire.decodeClientKeyExchangePsk, wire.encodeClientKeyExchangePsk);
    expect(cke.pskIdentity).toEqual(ascii('Client_identity'));
    expect(wire.decodeServerHelloDone(message(cap, 's>c', H.server_hello_done))).toEqual({ ok: true, value: true });
  });
});

describe('messages captured from OpenSSL (ECDHE-PSK-AES128-CBC-SHA256)', () => {
  const cap = 'openssl-ecdhe-psk.hex';

  it('offers X25519 and P-256 and uncompressed points in the ClientHello', () => {
    const ch = roundTrip(message(cap, 'c>s', H.client_hello), wire.decodeClientHello, wire.encodeClientHello);
    expect(ch.cipherSuites).toEqual([0xc037, 0x00ff]);
    expect(value(wire.decodeSupportedGroupsExtension(extensionData(ch.extensions, E.supported_groups)))).toEqual([29, 23, 30, 25, 24]);
    expect(value(wire.decodeEcPointFormatsExtension(extensionData(ch.extensions, E.ec_point_formats)))).toEqual([0, 1, 2]);
    const schemes = value(wire.decodeSignatureAlgorithmsExtension(extensionData(ch.extensions, E.signature_algorithms)));
    expect(schemes).toContain(wire.SignatureScheme.ecdsa_secp256r1_sha256);
    expect(schemes).toContain(wire.SignatureScheme.ed25519);
  });

  it('has an ECDHE_PSK ServerKeyExchange and ClientKeyExchange on X25519 (RFC 5489 §2)', () => {
    const ske = roundTrip(
      message(cap, 's>c', H.server_key_exchange),
      wire.decodeServerKeyExchangeEcdhePsk,
      wire.encodeServerKeyExchangeEcdhePsk,
    );
    expect(ske.pskIdentityHint).toEqual(ascii('Server_hint'));
    expect(ske.namedGroup).toBe(wire.NamedGroup.x25519);
    expect(ske.publicKey.length).toBe(32);
    const cke = roundTrip(
      message(cap, 'c>s', H.client_key_exchange),
      wire.decodeClientKeyExchangeEcdhePsk,
      wire.encodeClientKeyExchangeEcdhePsk,
    );
    expect(cke.pskIdentity).toEqual(ascii('Client_identity'));
    expect(cke.publicKey.length).toBe(32);
  });
});

describe('messages captured from OpenSSL (ECDHE-ECDSA with client certificates)', () => {
  const cap = 'openssl-ecdhe-ecdsa.hex';

  it('carries the -servername in the ClientHello server_name extension', () => {
    const ch = roundTrip(message(cap, 'c>s', H.client_hello), wire.decodeClientHello, wire.encodeClientHello);
    const sni = value(wire.decodeServerNameExtension(extensionData(ch.extensions, E.server_name)));
    expect(sni.hostName).toEqual(ascii('rx.example'));
  });

  it('sends each side its own certificate, DER-identical to the PEM it was given', () => {
    const server = roundTrip(message(cap, 's>c', H.certificate), wire.decodeCertificate, wire.encodeCertificate);
    expect(server.certificates.map(toHex)).toEqual([toHex(pemFixture('openssl-ecdhe-ecdsa-server.crt.pem'))]);
    const client = roundTrip(message(cap, 'c>s', H.certificate), wire.decodeCertificate, wire.encodeCertificate);
    expect(client.certificates.map(toHex)).toEqual([toHex(pemFixture('openssl-ecdhe-ecdsa-client.crt.pem'))]);
  });

  it('has a signed X25519 ServerKeyExchange (RFC 8422 §5.4)', () => {
    const ske = roundTrip(message(cap, 's>c', H.server_key_exchange), wire.decodeServerKeyExchangeEcdhe, wire.encodeServerKeyExchangeEcdhe);
    expect(ske.namedGroup).toBe(wire.NamedGroup.x25519);
    expect(ske.publicKey.length).toBe(32);
    expect(ske.signatureScheme).toBe(wire.SignatureScheme.ecdsa_secp256r1_sha256);
    expect(ske.signature[0]).toBe(0x30); // a DER ECDSA-Sig-Value
  });

  it('has a CertificateRequest naming the trusted client certificate as CA', () => {
    const cr = roundTrip(message(cap, 's>c', H.certificate_request), wire.decodeCertificateRequest, wire.encodeCertificateRequest);
    expect(cr.certificateTypes).toEqual([1, 2, 64]); // rsa_sign, dss_sign, ecdsa_sign
    expect(cr.signatureSchemes).toContain(wire.SignatureScheme.ecdsa_secp256r1_sha256);
    expect(cr.certificateAuthorities.length).toBe(1);
    // The DN's CN is the client certificate's subject, "rx-dtls-test-client".
    expect(toHex(cr.certificateAuthorities[0])).toContain(toHex(ascii('rx-dtls-test-client')));
  });

  it('has the client answer with an X25519 ClientKeyExchange and an ECDSA CertificateVerify', () => {
    const cke = roundTrip(message(cap, 'c>s', H.client_key_exchange), wire.decodeClientKeyExchangeEcdhe, wire.encodeClientKeyExchangeEcdhe);
    expect(cke.publicKey.length).toBe(32);
    const cv = roundTrip(message(cap, 'c>s', H.certificate_verify), wire.decodeCertificateVerify, wire.encodeCertificateVerify);
    expect(cv.signatureScheme).toBe(wire.SignatureScheme.ecdsa_secp256r1_sha256);
    expect(cv.signature[0]).toBe(0x30);
  });
});

describe('messages captured from GnuTLS (raw public keys, RFC 7250)', () => {
  const cap = 'gnutls-rpk.hex';

  it('negotiates raw public keys: list form in the ClientHello, single form in the ServerHello', () => {
    const ch = roundTrip(message(cap, 'c>s', H.client_hello), wire.decodeClientHello, wire.encodeClientHello);
    expect(value(wire.decodeClientCertificateTypeListExtension(extensionData(ch.extensions, E.client_certificate_type)))).toEqual([2]);
    expect(value(wire.decodeServerCertificateTypeListExtension(extensionData(ch.extensions, E.server_certificate_type)))).toEqual([2]);
    expect(value(wire.decodeRecordSizeLimitExtension(extensionData(ch.extensions, E.record_size_limit)))).toBe(16384);
    const sh = roundTrip(message(cap, 's>c', H.server_hello), wire.decodeServerHello, wire.encodeServerHello);
    expect(sh.sessionId.length).toBe(32);
    expect(value(wire.decodeClientCertificateTypeSingleExtension(extensionData(sh.extensions, E.client_certificate_type)))).toBe(
      wire.CertificateType.raw_public_key,
    );
    expect(value(wire.decodeServerCertificateTypeSingleExtension(extensionData(sh.extensions, E.server_certificate_type)))).toBe(
      wire.CertificateType.raw_public_key,
    );
  });

  it('sends each raw public key as the bare SPKI, equal to the configured public key', () => {
    const encode = (v: { spki: Uint8Array }) => wire.encodeRawPublicKeyCertificate(v.spki);
    const server = roundTrip(message(cap, 's>c', H.certificate), wire.decodeRawPublicKeyCertificate, encode);
    expect(toHex(server.spki)).toBe(toHex(pemFixture('gnutls-rpk-server.pub.pem')));
    const client = roundTrip(message(cap, 'c>s', H.certificate), wire.decodeRawPublicKeyCertificate, encode);
    expect(toHex(client.spki)).toBe(toHex(pemFixture('gnutls-rpk-client.pub.pem')));
  });

  it('uses P-256 for the key exchange and ECDSA-SHA256 signatures', () => {
    const ske = roundTrip(message(cap, 's>c', H.server_key_exchange), wire.decodeServerKeyExchangeEcdhe, wire.encodeServerKeyExchangeEcdhe);
    expect(ske.namedGroup).toBe(wire.NamedGroup.secp256r1);
    expect(ske.publicKey.length).toBe(65);
    expect(ske.publicKey[0]).toBe(0x04); // uncompressed point
    expect(ske.signatureScheme).toBe(wire.SignatureScheme.ecdsa_secp256r1_sha256);
    const cke = roundTrip(message(cap, 'c>s', H.client_key_exchange), wire.decodeClientKeyExchangeEcdhe, wire.encodeClientKeyExchangeEcdhe);
    expect(cke.publicKey.length).toBe(65);
    const cv = roundTrip(message(cap, 'c>s', H.certificate_verify), wire.decodeCertificateVerify, wire.encodeCertificateVerify);
    expect(cv.signatureScheme).toBe(wire.SignatureScheme.ecdsa_secp256r1_sha256);
  });

  it('has a CertificateRequest with no CA list', () => {
    const cr = roundTrip(message(cap, 's>c', H.certificate_request), wire.decodeCertificateRequest, wire.encodeCertificateRequest);
    expect(cr.certificateTypes).toEqual([1, 64]);
    expect(cr.certificateAuthorities).toEqual([]);
  });
});

describe('messages captured from OpenSSL (DHE-PSK, fragmented)', () => {
  const cap = 'openssl-dhe-psk.hex';

  it('reassembles and decodes the hellos around a fragmented flight', () => {
    const hellos = capturedMessages(cap).filter((m) => m.msgType === H.client_hello);
    const second = roundTrip(hellos[1].body, wire.decodeClientHello, wire.encodeClientHello);
    const hvr = value(wire.decodeHelloVerifyRequest(message(cap, 's>c', H.hello_verify_request)));
    expect(toHex(second.cookie)).toBe(toHex(hvr.cookie));
    const sh = roundTrip(message(cap, 's>c', H.server_hello), wire.decodeServerHello, wire.encodeServerHello);
    expect(sh.cipherSuite).toBe(0x00ab); // TLS_DHE_PSK_WITH_AES_256_GCM_SHA384
    expect(capturedMessage(cap, 's>c', H.server_key_exchange).fragments).toBe(5);
  });
});
