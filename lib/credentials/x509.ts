import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { timingSafeEqual } from '../crypto/constant-time.js';
import { ecdsaPublicKey } from '../crypto/ecdsa.js';
import { decodeP256Spki } from '../crypto/spki.js';
import { DtlsError } from '../dtls-error.js';
import type { LocalCertificate, PeerCheck } from '../handshake/peer-authentication.js';
import { AlertDescription } from '../wire/alert.js';
import { encodeCertificate } from '../wire/certificate.js';
import { CertificateType } from '../wire/extensions.js';

/** Every certificate in a PEM text, in order, as DER. */
export function pemCertificates(pem: string): Uint8Array[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new DtlsError('EINVAL', 'no "-----BEGIN CERTIFICATE-----" block in the PEM text');
  return blocks.map((block) => new Uint8Array(new X509Certificate(block).raw));
}

/** Our X.509 certificate: the chain (leaf first) and the private key of the leaf, which must be its P-256 key. */
export function x509Certificate(chain: readonly Uint8Array[], privateKey: Uint8Array): LocalCertificate {
  const leaf = new X509Certificate(chain[0]);
  const leafKey = decodeP256Spki(new Uint8Array(leaf.publicKey.export({ type: 'spki', format: 'der' })));
  if (!leafKey) throw new DtlsError('EINVAL', `the key of certificate "${oneLine(leaf.subject)}" is not ECDSA P-256`);
  if (!timingSafeEqual(leafKey, ecdsaPublicKey(privateKey))) {
    throw new DtlsError('EINVAL', `the private key does not belong to certificate "${oneLine(leaf.subject)}"`);
  }
  return { type: CertificateType.x509, certificateBody: encodeCertificate({ certificates: [...chain] }), privateKey };
}

/** Node writes a distinguished name one attribute per line; users get it on one. */
function oneLine(name: string): string {
  return name.split('\n').join(', ');
}

const rejected = (alert: number, reason: string): PeerCheck => ({ ok: false, alert, reason });

/** A certificate parsed once, with the facts about it that every handshake would otherwise recompute. */
interface ParsedCertificate {
  readonly x509: X509Certificate;
  /**
   * The leaf's uncompressed P-256 point, null when its key is not P-256, undefined until asked:
   * exporting the SPKI from OpenSSL and checking the point cost a tenth of an ECDHE_ECDSA
   * handshake pair when done on every connection.
   */
  p256Key?: Uint8Array | null;
}

/**
 * Parsed certificates by their DER, shared across handshakes: a client parses its
 * roots and the server's chain on every connection otherwise, a sixth of an
 * ECDHE_ECDSA handshake. Only parsing and what follows from the bytes alone is shared;
 * every check (dates, signatures, anchors, usage, name) runs each time.
 */
const parsedCertificates = new Map<string, ParsedCertificate>();
const PARSED_CERTIFICATES_KEPT = 256;

/**
 * Trusted roots by the array that holds them: a credential store hands the same arrays to
 * every authenticator it makes (one per client connection), so they skip the lookup by
 * content, which has to encode the whole certificate as a string.
 */
const parsedRoots = new WeakMap<Uint8Array, { readonly der: Uint8Array; readonly parsed: ParsedCertificate }>();

function parseRoot(der: Uint8Array): X509Certificate {
  const known = parsedRoots.get(der);
  // Same array and still the same bytes: a caller that rewrote its array gets it parsed again.
  if (known !== undefined && timingSafeEqual(known.der, der)) return known.parsed.x509;
  const parsed = parseCertificate(der);
  parsedRoots.set(der, { der: der.slice(), parsed });
  return parsed.x509;
}

function parseCertificate(der: Uint8Array): ParsedCertificate {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  let parsed = parsedCertificates.get(key);
  if (!parsed) {
    parsed = { x509: new X509Certificate(der) };
    if (parsedCertificates.size >= PARSED_CERTIFICATES_KEPT) parsedCertificates.delete(parsedCertificates.keys().next().value!);
    parsedCertificates.set(key, parsed);
  }
  return parsed;
}

function p256Key(parsed: ParsedCertificate): Uint8Array | null {
  if (parsed.p256Key === undefined) {
    parsed.p256Key = decodeP256Spki(new Uint8Array(parsed.x509.publicKey.export({ type: 'spki', format: 'der' })));
  }
  return parsed.p256Key;
}

/**
 * Checks that a server's certificate is for the name the client asked for, as Node's
 * `tls.connect({ checkServerIdentity })` hook does: an Error rejects the server (a
 * bad_certificate alert, the error's message in the reason), undefined accepts it.
 * It replaces only the name check (RFC 6125, `X509Certificate.checkHost`/`checkIP`);
 * the chain, its dates, its roots and the key usage are verified before it is called.
 */
export type CheckServerIdentity = (serverName: string, certificate: X509Certificate) => Error | undefined;

/** The built-in name check: a DNS name in the leaf, or an IP address. */
const defaultCheckServerIdentity: CheckServerIdentity = (serverName, leaf) =>
  (isIP(serverName) ? leaf.checkIP(serverName) : leaf.checkHost(serverName)) ? undefined : new Error(`certificate is not for ${serverName}`);

/** Extended key usage OIDs (RFC 5280 §4.2.1.12). */
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/**
 * Verifies a peer's chain (leaf first) with Node's X509Certificate: validity
 * dates, each certificate signed by the next and every issuer a CA, the last one
 * a trusted root or signed by one, the leaf's extended key usage allowing the
 * peer's role, and (for clients) the server name in the leaf (RFC 6125 via
 * checkHost/checkIP). Only P-256 leaf keys can sign ECDHE_ECDSA handshakes.
 */
export function verifyX509Chain(
  roots: readonly Uint8Array[],
  options: {
    readonly serverName?: string;
    readonly purpose: 'server' | 'client';
    readonly now?: () => Date;
    readonly checkServerIdentity?: CheckServerIdentity;
  },
) {
  const { serverName, purpose, now = () => new Date(), checkServerIdentity } = options;
  const anchors = roots.map(parseRoot);
  return (chainDer: readonly Uint8Array[]): PeerCheck => {
    let parsedChain: ParsedCertificate[];
    try {
      parsedChain = chainDer.map(parseCertificate);
    } catch {
      return rejected(AlertDescription.bad_certificate, 'a certificate does not parse');
    }
    const chain = parsedChain.map((p) => p.x509);
    const time = now().getTime();
    for (const cert of chain) {
      if (time < Date.parse(cert.validFrom) || time > Date.parse(cert.validTo)) {
        return rejected(AlertDescription.certificate_expired, `certificate "${cert.subject}" is not valid now (${cert.validFrom} to ${cert.validTo})`);
      }
    }
    for (let i = 0; i + 1 < chain.length; i++) {
      if (!chain[i].checkIssued(chain[i + 1]) || !chain[i].verify(chain[i + 1].publicKey)) {
        return rejected(AlertDescription.bad_certificate, `certificate "${chain[i].subject}" is not signed by the next in the chain`);
      }
      // RFC 5280 §6.1.4 (k): only a CA certificate (basicConstraints cA) may issue others.
      if (!chain[i + 1].ca) return rejected(AlertDescription.bad_certificate, `"${chain[i + 1].subject}" is not a CA but issued "${chain[i].subject}"`);
    }
    const last = chain[chain.length - 1];
    // A root given as trusted anchors the chain: either it is the last certificate itself
    // (a pinned self-signed peer), or it issued the last one and is a CA.
    const anchored = anchors.some(
      (root) => root.fingerprint256 === last.fingerprint256 || (root.ca && last.checkIssued(root) && last.verify(root.publicKey)),
    );
    if (!anchored) return rejected(AlertDescription.unknown_ca, `no trusted root for "${last.issuer}"`);
    const leaf = chain[0];
    // RFC 5280 §4.2.1.12: when a leaf restricts its extended key usage, it must allow this role.
    const usage = purpose === 'server' ? SERVER_AUTH : CLIENT_AUTH;
    if (leaf.keyUsage && leaf.keyUsage.length > 0 && !leaf.keyUsage.includes(usage) && !leaf.keyUsage.includes(ANY_EXTENDED_KEY_USAGE)) {
      return rejected(AlertDescription.unsupported_certificate, `certificate "${leaf.subject}" is not for ${purpose} authentication`);
    }
    if (purpose === 'server' && (serverName || checkServerIdentity)) {
      const failure = nameCheckFailure(checkServerIdentity ?? defaultCheckServerIdentity, serverName ?? '', leaf);
      if (failure) return rejected(AlertDescription.bad_certificate, failure);
    }
    const publicKey = p256Key(parsedChain[0]);
    if (!publicKey) return rejected(AlertDescription.unsupported_certificate, 'the certificate key is not P-256');
    // A copy: the cached point is shared by every handshake that sees this certificate.
    return { ok: true, publicKey: publicKey.slice(), identity: { kind: 'x509', subject: oneLine(leaf.subject), chain: chainDer } };
  };
}

/** What a name check found wrong, or undefined; a hook that throws rejects the server too. */
function nameCheckFailure(check: CheckServerIdentity, serverName: string, leaf: X509Certificate): string | undefined {
  try {
    return check(serverName, leaf)?.message;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
