import { describe, expect, it } from 'vitest';
import { credentials } from '../../lib/credentials/credential-store.js';
import { nobleProvider } from '../../lib/crypto/provider.js';
import { ecdsaPublicKey } from '../../lib/crypto/ecdsa.js';
import { certificateVerifyContent, checkCertificateVerify13, signCertificateVerify13 } from '../../lib/handshake/certificate-verify13.js';
import { certificate13Body, decodePeerCertificate13, verifyPeerCertificate13 } from '../../lib/handshake/certificates13.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { encodeCertificate13 } from '../../lib/wire/certificate13.js';
import { CertificateType } from '../../lib/wire/extensions.js';
import { PEER_KEYS, readPem } from '../interop/helpers/peer-keys.js';

const HASH = new Uint8Array(32).fill(0xab);

describe('the 1.3 CertificateVerify (RFC 8446 §4.4.3)', () => {
  it('signs 64 spaces, the role\'s context string, a zero byte and the transcript hash', () => {
    const content = certificateVerifyContent('server', HASH);
    const context = 'TLS 1.3, server CertificateVerify';
    expect(content.subarray(0, 64).every((b) => b === 0x20)).toBe(true);
    expect(new TextDecoder().decode(content.subarray(64, 64 + context.length))).toBe(context);
    expect(content[64 + context.length]).toBe(0);
    expect(content.subarray(65 + context.length)).toEqual(HASH);
    expect(new TextDecoder().decode(certificateVerifyContent('client', HASH).subarray(64, 97))).toBe('TLS 1.3, client CertificateVerify');
  });

  it('verifies what the same role signed, and nothing signed for the other role or another transcript (decrypt_error)', () => {
    const [certificate] = credentials().ecdsa({ tag: 0, privateKey: readPem(PEER_KEYS.rawPrivateKey) }).localCertificates(0);
    const publicKey = ecdsaPublicKey(certificate.privateKey);
    const body = signCertificateVerify13(nobleProvider, certificate.privateKey, 'client', HASH);
    expect(checkCertificateVerify13(nobleProvider, publicKey, 'client', HASH, body)).toBeUndefined();
    expect(checkCertificateVerify13(nobleProvider, publicKey, 'server', HASH, body)?.alert).toBe(AlertDescription.decrypt_error);
    expect(checkCertificateVerify13(nobleProvider, publicKey, 'client', new Uint8Array(32), body)?.alert).toBe(AlertDescription.decrypt_error);
    expect(checkCertificateVerify13(nobleProvider, publicKey, 'client', HASH, body.subarray(0, 3))?.alert).toBe(AlertDescription.decode_error);
    const otherScheme = body.slice();
    otherScheme[1] = 0x04; // rsa_pss_rsae_sha256's low byte: 0x0804
    otherScheme[0] = 0x08;
    expect(checkCertificateVerify13(nobleProvider, publicKey, 'client', HASH, otherScheme)?.alert).toBe(AlertDescription.illegal_parameter);
  });
});

describe('the 1.3 Certificate (RFC 8446 §4.4.2, RFC 7250 §3)', () => {
  it('carries an X.509 chain and a raw public key as CertificateEntries, an absent certificate as an empty list', () => {
    const [x509] = credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey) }).localCertificates(0);
    const [rpk] = credentials().ecdsa({ tag: 0, privateKey: readPem(PEER_KEYS.rawPrivateKey) }).localCertificates(0);
    for (const [certificate, entries] of [[x509, 1], [rpk, 1], [undefined, 0]] as const) {
      const decoded = decodePeerCertificate13(certificate13Body(certificate));
      expect(decoded.ok && decoded.entries.length).toBe(entries);
    }
  });

  it('refuses a certificate_request_context in the handshake (illegal_parameter) and a malformed body (decode_error)', () => {
    expect(decodePeerCertificate13(encodeCertificate13({ context: Uint8Array.of(7), entries: [] }))).toMatchObject({ ok: false, alert: AlertDescription.illegal_parameter });
    expect(decodePeerCertificate13(Uint8Array.of(0, 0, 0, 9))).toMatchObject({ ok: false, alert: AlertDescription.decode_error });
  });

  it('verifies through the 1.2 authenticator: a pinned raw key is accepted, one raw key entry too many is bad_certificate', async () => {
    const store = credentials().ecdsa({ tag: 0, trustedPeers: [readPem(PEER_KEYS.rawPublicKey)] });
    const authenticator = store.authenticator(0, { role: 'client' });
    const [rpk] = credentials().ecdsa({ tag: 0, privateKey: readPem(PEER_KEYS.rawPrivateKey) }).localCertificates(0);
    const decoded = decodePeerCertificate13(certificate13Body(rpk));
    if (!decoded.ok) throw new Error('undecodable');
    expect(await verifyPeerCertificate13(authenticator, CertificateType.raw_public_key, decoded.entries)).toMatchObject({ ok: true, identity: { kind: 'raw-public-key' } });
    expect(await verifyPeerCertificate13(authenticator, CertificateType.raw_public_key, [...decoded.entries, ...decoded.entries])).toMatchObject({ ok: false, alert: AlertDescription.bad_certificate });
    expect(await verifyPeerCertificate13(authenticator, CertificateType.x509, decoded.entries)).toMatchObject({ ok: false, alert: AlertDescription.unsupported_certificate });
  });
});
