import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CredentialFiles } from '../../lib/cli/args.js';
import { loadCredentials } from '../../lib/cli/credential-files.js';
import { UsageError } from '../../lib/cli/usage-error.js';
import { ROOT } from './helpers/run-cli.js';

const PEERS = join(ROOT, 'spec/fixtures/peers');
const CERT = join(PEERS, 'ecdsa-p256-cert.pem');
const CERT_KEY = join(PEERS, 'ecdsa-p256-key.pem'); // PKCS#8
const RPK_KEY = join(PEERS, 'rpk-p256-key.pem'); // SEC1 "EC PRIVATE KEY"
const RPK_PUB = join(PEERS, 'rpk-p256-pub.pem');
const PSK = { identity: 'Client_identity', key: new TextEncoder().encode('secretPSK') };

const dir = mkdtempSync(join(tmpdir(), 'rx-dtls-cli-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = (given: Partial<CredentialFiles>): CredentialFiles => ({ ca: [], trustRpk: [], ...given });
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const spkiOf = (pem: string) => new Uint8Array(createPublicKey(pem).export({ type: 'spki', format: 'der' }));
const newKeyPair = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
};

function usageError(load: () => unknown): string {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('no usage error');
}

describe('loadCredentials', () => {
  it('files a PSK, an X.509 certificate and a raw public key under tag 0 together, so a server offers every key exchange', () => {
    const store = loadCredentials(files({ certificate: { chain: CERT, key: CERT_KEY }, rpkKey: RPK_KEY }), [PSK]);
    expect(store.keyExchanges(0, 'server')).toEqual(['ECDHE_ECDSA', 'PSK', 'ECDHE_PSK']);
    expect(store.localCertificates(0)).toHaveLength(2);
    expect(store.serverPskLookup(0)(new TextEncoder().encode(PSK.identity))).toEqual(PSK.key);
  });

  it('gives a client that trusts a root ECDHE_ECDSA only, and checks the server chain against it', () => {
    const store = loadCredentials(files({ ca: [CERT] }), []);
    expect(store.keyExchanges(0, 'client')).toEqual(['ECDHE_ECDSA']);
    const verify = store.authenticator(0, { role: 'server', serverName: 'localhost' })!.verifyX509!;
    const der = new Uint8Array(Buffer.from(readFileSync(CERT, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    expect(verify([der])).toMatchObject({ ok: true, identity: { kind: 'x509', subject: 'CN=localhost' } });
  });

  it('trusts every public key of every --trust-rpk file, and no other', async () => {
    const other = newKeyPair();
    const stranger = newKeyPair();
    const both = write('two-keys.pem', `${readFileSync(RPK_PUB, 'utf8')}\n${other.publicPem}`);
    const verify = loadCredentials(files({ trustRpk: [both] }), []).authenticator(0, { role: 'client' })!.verifyRawPublicKey!;
    expect(await verify(spkiOf(readFileSync(RPK_PUB, 'utf8')))).toMatchObject({ ok: true });
    expect(await verify(spkiOf(other.publicPem))).toMatchObject({ ok: true });
    expect(await verify(spkiOf(stranger.publicPem))).toMatchObject({ ok: false, reason: 'raw public key not trusted' });
  });

  it('reads a raw public key from a PKCS#8 or a SEC1 private key', () => {
    for (const key of [CERT_KEY, RPK_KEY]) {
      const [certificate] = loadCredentials(files({ rpkKey: key }), []).localCertificates(0);
      // RFC 7250 §3: the certificate body is the SubjectPublicKeyInfo of our key, behind a 3-byte length.
      expect(certificate.certificateBody.subarray(3)).toEqual(spkiOf(readFileSync(key, 'utf8')));
    }
  });

  it.each([
    ['a missing --cert', () => files({ certificate: { chain: join(dir, 'missing.pem'), key: CERT_KEY } }), /^--cert \S+missing\.pem cannot be read: ENOENT: no such file or directory$/],
    ['a directory as --ca', () => files({ ca: [dir] }), /^--ca \S+ cannot be read: EISDIR/],
    ['a missing --trust-rpk', () => files({ trustRpk: [join(dir, 'nope.pem')] }), /^--trust-rpk \S+nope\.pem cannot be read: ENOENT/],
    ['a missing --key', () => files({ certificate: { chain: CERT, key: join(dir, 'nokey.pem') } }), /^--key \S+nokey\.pem cannot be read/],
    ['a key given as --cert', () => files({ certificate: { chain: CERT_KEY, key: CERT_KEY } }), /^--cert \S+ecdsa-p256-key\.pem: no "-----BEGIN CERTIFICATE-----" block/],
    ['a certificate given as --key', () => files({ certificate: { chain: CERT, key: CERT } }), /^--key \S+ecdsa-p256-cert\.pem: not a PEM P-256 private key/],
    ['a public key given as --rpk-key', () => files({ rpkKey: RPK_PUB }), /^--rpk-key \S+rpk-p256-pub\.pem: not a PEM P-256 private key/],
    ['a certificate given as --trust-rpk', () => files({ trustRpk: [CERT] }), /^--trust-rpk \S+ecdsa-p256-cert\.pem: no "-----BEGIN PUBLIC KEY-----" block in it$/],
    ['a key that is not the certificate\'s', () => files({ certificate: { chain: CERT, key: RPK_KEY } }), /^--key \S+rpk-p256-key\.pem is not the private key of the first certificate in --cert \S+ecdsa-p256-cert\.pem$/],
    [
      'a --ca whose certificate block is not DER',
      () => files({ ca: [write('garbage.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')] }),
      /^--ca \S+garbage\.pem: /,
    ],
    [
      'a P-384 key as --rpk-key',
      () => files({ rpkKey: write('p384.pem', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) }),
      /^--rpk-key \S+p384\.pem: not a PEM P-256 private key/,
    ],
  ])('refuses %s with a one-line usage error naming the option and the file', (_what, given, message) => {
    expect(usageError(() => loadCredentials(given(), []))).toMatch(message);
  });

  it.skipIf(spawnSync('openssl', ['version']).status !== 0)('refuses a certificate whose key is not P-256, which rx-dtls cannot sign with', () => {
    const key = join(dir, 'p384-key.pem');
    const cert = join(dir, 'p384-cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=p384', '-days', '1']);
    expect(made.status, made.stderr.toString()).toBe(0);
    expect(usageError(() => loadCredentials(files({ certificate: { chain: cert, key } }), []))).toMatch(
      /^--cert \S+p384-cert\.pem: its first certificate's key is not ECDSA P-256, the only kind rx-dtls signs with$/,
    );
  });
});
