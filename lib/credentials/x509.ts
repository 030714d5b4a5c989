import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
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

/** Our X.509 certificate: the chain (leaf first) and the private key of the leaf. */
export function x509Certificate(chain: readonly Uint8Array[], privateKey: Uint8Array): LocalCertificate {
  return { type: CertificateType.x509, certificateBody: encodeCertificate({ certificates: [...chain] }), privateKey };
}

const rejected = (alert: number, reason: string): PeerCheck => ({ ok: false, alert, reason });

/**
 * Verifies a peer's chain (leaf first) with Node's X509Certificate: validity
 * dates, each certificate signed by the next, the last one a trusted root or
 * signed by one, and (for clients) the server name in the leaf (RFC 6125 via
 * checkHost/checkIP). Only P-256 leaf keys can sign ECDHE_ECDSA handshakes.
 */
export function verifyX509Chain(roots: readonly Uint8Array[], serverName?: string, now: () => Date = () => new Date()) {
  const anchors = roots.map((der) => new X509Certificate(der));
  return (chainDer: readonly Uint8Array[]): PeerCheck => {
    let chain: X509Certificate[];
    try {
      chain = chainDer.map((der) => new X509Certificate(der));
    } catch {
      return rejected(AlertDescription.bad_certificate, 'a certificate does not parse');
    }
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
    }
    const last = chain[chain.length - 1];
    const anchored = anchors.some(
      (root) => root.fingerprint256 === last.fingerprint256 || (last.checkIssued(root) && last.verify(root.publicKey)),
    );
    if (!anchored) return rejected(AlertDescription.unknown_ca, `no trusted root for "${last.issuer}"`);
    const leaf = chain[0];
    if (serverName && !(isIP(serverName) ? leaf.checkIP(serverName) : leaf.checkHost(serverName))) {
      return rejected(AlertDescription.bad_certificate, `certificate is not for ${serverName}`);
    }
    const spki = new Uint8Array(leaf.publicKey.export({ type: 'spki', format: 'der' }));
    const publicKey = decodeP256Spki(spki);
    if (!publicKey) return rejected(AlertDescription.unsupported_certificate, 'the certificate key is not P-256');
    return { ok: true, publicKey, identity: { kind: 'x509', subject: leaf.subject, chain: chainDer } };
  };
}
