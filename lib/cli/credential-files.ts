import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { credentials, type CredentialStore } from '../credentials/credential-store.js';
import { privateKeyScalar, publicKeyPoint } from '../credentials/key-material.js';
import { pemCertificates } from '../credentials/x509.js';
import { ecdsaPublicKey } from '../crypto/ecdsa.js';
import { decodeP256Spki } from '../crypto/spki.js';
import type { CredentialFiles } from './args.js';
import type { PskArgument } from './psk-argument.js';
import { UsageError } from './usage-error.js';

/** The command line has one set of credentials, filed under the library's default tag. */
const TAG = 0;

const PUBLIC_KEY_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g;

/**
 * Reads the files the command line names and files them with the pre-shared
 * keys in one store. Every file is read and checked now, so a missing file, a
 * PEM block of the wrong kind or a key that does not match its certificate is
 * a usage error naming the option and the file, before any socket is bound.
 */
export function loadCredentials(files: CredentialFiles, psks: readonly PskArgument[]): CredentialStore {
  const store = credentials();
  for (const { identity, key } of psks) store.psk({ tag: TAG, identity, key });

  const ca = files.ca.map((path) => {
    const text = readText('--ca', path);
    about('--ca', path, () => pemCertificates(text));
    return text;
  });
  if (files.certificate !== undefined) {
    store.x509({ tag: TAG, ...loadCertificate(files.certificate.chain, files.certificate.key), ca });
  } else if (ca.length > 0) {
    store.x509({ tag: TAG, ca });
  }

  if (files.rpkKey !== undefined) {
    const path = files.rpkKey;
    store.ecdsa({ tag: TAG, privateKey: about('--rpk-key', path, () => privateKeyScalar(readText('--rpk-key', path))) });
  }
  const trustedPeers = files.trustRpk.flatMap((path) => {
    const blocks = readText('--trust-rpk', path).match(PUBLIC_KEY_BLOCK);
    if (!blocks) throw new UsageError(`--trust-rpk ${path}: no "-----BEGIN PUBLIC KEY-----" block in it`);
    return blocks.map((block) => about('--trust-rpk', path, () => publicKeyPoint(block)));
  });
  if (trustedPeers.length > 0) store.ecdsa({ tag: TAG, trustedPeers });
  return store;
}

/**
 * An X.509 chain file and the private key of its leaf, checked: P-256, and the key
 * matching the leaf. `options` names the flags in the errors (--cert and --key, or --sni).
 */
export function loadCertificate(chainPath: string, keyPath: string, options = { chain: '--cert', key: '--key' }): { certificate: string; privateKey: Uint8Array } {
  const chain = readText(options.chain, chainPath);
  const leaf = about(options.chain, chainPath, () => new X509Certificate(pemCertificates(chain)[0]));
  const leafPoint = decodeP256Spki(new Uint8Array(leaf.publicKey.export({ type: 'spki', format: 'der' })));
  if (!leafPoint) throw new UsageError(`${options.chain} ${chainPath}: its first certificate's key is not ECDSA P-256, the only kind rx-dtls signs with`);
  const privateKey = about(options.key, keyPath, () => privateKeyScalar(readText(options.key, keyPath)));
  if (!sameBytes(leafPoint, ecdsaPublicKey(privateKey))) {
    throw new UsageError(`${options.key} ${keyPath} is not the private key of the first certificate in ${options.chain} ${chainPath}`);
  }
  return { certificate: chain, privateKey };
}

function readText(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    // Node says "ENOENT: no such file or directory, open 'path'": the path is named already.
    const reason = err instanceof Error ? err.message.replace(/, \w+ '.*'$/, '') : String(err);
    throw new UsageError(`${option} ${path} cannot be read: ${reason}`);
  }
}

/** Runs a parse of a file's contents; its error becomes a usage error naming the option and the file. */
function about<T>(option: string, path: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${option} ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
