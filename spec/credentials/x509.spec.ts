import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { privateKeyScalar } from '../../lib/credentials/key-material.js';
import { pemCertificates, verifyX509Chain } from '../../lib/credentials/x509.js';
import { ecdsaPublicKey } from '../../lib/crypto/ecdsa.js';
import type { PeerCheck } from '../../lib/handshake/peer-authentication.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { peerFixture } from '../crypto/helpers/fixtures.js';

/** The committed CN=localhost P-256 certificate (SAN localhost, 127.0.0.1, ::1), valid 2026-11-21 to 2036-11-18. */
const [CERT] = pemCertificates(peerFixture('ecdsa-p256-cert.pem'));
const LEAF_POINT = ecdsaPublicKey(privateKeyScalar(peerFixture('ecdsa-p256-key.pem')));
const DURING = () => new Date('2030-01-01T00:00:00Z');

function accepted(check: PeerCheck): Extract<PeerCheck, { ok: true }> {
  if (!check.ok) throw new Error(`expected the chain to be accepted, got: ${check.reason}`);
  return check;
}

function alertOf(check: PeerCheck): number | undefined {
  return check.ok ? undefined : check.alert;
}

describe('verifyX509Chain', () => {
  it("returns the leaf's P-256 point and who the peer is", () => {
    const verify = verifyX509Chain([CERT], { purpose: 'server', serverName: '127.0.0.1', now: DURING });
    const check = accepted(verify([CERT]));
    expect(check.publicKey).toEqual(LEAF_POINT);
    expect(check.identity).toEqual({ kind: 'x509', subject: 'CN=localhost', chain: [CERT] });
  });

  it('hands every handshake its own copy of the key, so one caller cannot change what the next one sees', () => {
    const verify = verifyX509Chain([CERT], { purpose: 'server', serverName: 'localhost', now: DURING });
    const first = accepted(verify([CERT]));
    first.publicKey.fill(0);
    expect(accepted(verify([CERT])).publicKey).toEqual(LEAF_POINT);
    expect(accepted(verify([CERT.slice()])).publicKey).toEqual(LEAF_POINT);
  });

  it('checks the validity dates on every call, also for a certificate it has seen before', () => {
    let now = DURING();
    const verify = verifyX509Chain([CERT], { purpose: 'server', now: () => now });
    expect(verify([CERT]).ok).toBe(true);
    now = new Date('2037-01-01T00:00:00Z');
    expect(alertOf(verify([CERT]))).toBe(AlertDescription.certificate_expired);
    now = new Date('2026-01-01T00:00:00Z');
    expect(alertOf(verify([CERT]))).toBe(AlertDescription.certificate_expired);
  });

  it('checks the server name on every call', () => {
    const good = verifyX509Chain([CERT], { purpose: 'server', serverName: 'localhost', now: DURING });
    const wrong = verifyX509Chain([CERT], { purpose: 'server', serverName: 'example.com', now: DURING });
    const wrongIp = verifyX509Chain([CERT], { purpose: 'server', serverName: '10.0.0.1', now: DURING });
    expect(good([CERT]).ok).toBe(true);
    expect(alertOf(wrong([CERT]))).toBe(AlertDescription.bad_certificate);
    expect(alertOf(wrongIp([CERT]))).toBe(AlertDescription.bad_certificate);
    expect(good([CERT]).ok).toBe(true);
  });

  it('refuses a peer that is not anchored in the roots it was given, even after another verifier accepted it', () => {
    const trusting = verifyX509Chain([CERT], { purpose: 'server', now: DURING });
    const trustingNothing = verifyX509Chain([], { purpose: 'server', now: DURING });
    expect(trusting([CERT]).ok).toBe(true);
    expect(alertOf(trustingNothing([CERT]))).toBe(AlertDescription.unknown_ca);
  });

  it('parses a root array again when its bytes were rewritten in place', () => {
    const root = CERT.slice();
    expect(verifyX509Chain([root], { purpose: 'server', now: DURING })([CERT]).ok).toBe(true);
    root.fill(0);
    // No longer a certificate at all: parsing it fails rather than finding the old parse.
    expect(() => verifyX509Chain([root], { purpose: 'server', now: DURING })).toThrow();
  });

  it('refuses bytes that are not a certificate with bad_certificate', () => {
    const verify = verifyX509Chain([CERT], { purpose: 'server', now: DURING });
    expect(alertOf(verify([CERT.subarray(0, CERT.length - 1)]))).toBe(AlertDescription.bad_certificate);
  });

  const openssl = spawnSync('openssl', ['version']).status === 0;
  describe.skipIf(!openssl)('with a certificate whose key is not P-256 (made by openssl)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rx-dtls-x509-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('refuses it as unsupported_certificate each time it is presented', () => {
      const out = join(dir, 'p384.pem');
      const made = spawnSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-subj', '/CN=localhost',
        '-days', '1', '-keyout', join(dir, 'p384-key.pem'), '-out', out,
      ]);
      expect(made.status).toBe(0);
      const [p384] = pemCertificates(readFileSync(out, 'utf8'));
      const verify = verifyX509Chain([p384], { purpose: 'server' });
      expect(alertOf(verify([p384]))).toBe(AlertDescription.unsupported_certificate);
      expect(alertOf(verify([p384]))).toBe(AlertDescription.unsupported_certificate);
    });
  });
});
