import { AlertDescription } from '../wire/alert.js';
import { decodeCertificate, decodeRawPublicKeyCertificate, encodeCertificate, encodeRawPublicKeyCertificate } from '../wire/certificate.js';
import { decodeCertificate13, encodeCertificate13, type CertificateEntry13 } from '../wire/certificate13.js';
import {
  CertificateType,
  ExtensionType,
  encodeClientCertificateTypeSingleExtension,
  encodeServerCertificateTypeSingleExtension,
  findExtension,
  type Extension,
} from '../wire/extensions.js';
import { verifyPeerCertificate } from './certificate-types.js';
import type { MaybePromise } from './handshake-step.js';
import type { LookupContext } from './lookup-context.js';
import type { LocalCertificate, PeerAuthenticator, PeerCheck } from './peer-authentication.js';

/**
 * Our Certificate in its 1.3 form (RFC 8446 §4.4.2): the certificate_request_context (empty
 * in the handshake) and a CertificateEntry per certificate, leaf first; with a raw public key
 * (RFC 7250 §3) one entry holding the SubjectPublicKeyInfo. The credentials keep the 1.2
 * body, from which this one is made.
 */
export function certificate13Body(certificate: LocalCertificate | undefined): Uint8Array {
  const entry = (data: Uint8Array): CertificateEntry13 => ({ data, extensions: [] });
  let entries: CertificateEntry13[] = [];
  if (certificate?.type === CertificateType.x509) {
    const decoded = decodeCertificate(certificate.certificateBody);
    if (decoded.ok) entries = decoded.value.certificates.map(entry);
  } else if (certificate?.type === CertificateType.raw_public_key) {
    const decoded = decodeRawPublicKeyCertificate(certificate.certificateBody);
    if (decoded.ok) entries = [entry(decoded.value.spki)];
  }
  return encodeCertificate13({ context: new Uint8Array(0), entries });
}

/** A peer's 1.3 Certificate, decoded: its entries (none: a client declining a CertificateRequest), or why it is refused. */
export type PeerCertificate13 = { readonly ok: true; readonly entries: readonly CertificateEntry13[] } | { readonly ok: false; readonly alert: number; readonly reason: string };

/** Decodes a peer's Certificate of the handshake, whose certificate_request_context must be empty (RFC 8446 §4.4.2). */
export function decodePeerCertificate13(body: Uint8Array): PeerCertificate13 {
  const decoded = decodeCertificate13(body);
  if (!decoded.ok) return { ok: false, alert: AlertDescription.decode_error, reason: 'malformed Certificate' };
  if (decoded.value.context.length !== 0) return { ok: false, alert: AlertDescription.illegal_parameter, reason: 'Certificate with a certificate_request_context in the handshake' };
  return { ok: true, entries: decoded.value.entries };
}

/**
 * Asks the authenticator about a peer's (non-empty) certificate entries of the negotiated
 * type, through the very check 1.2 makes: the entries are put in 1.2's form, an X.509 chain
 * leaf first or the raw public key (RFC 7250 §3), so there is one verifier for both versions.
 */
export function verifyPeerCertificate13(
  authenticator: PeerAuthenticator | undefined,
  type: number,
  entries: readonly CertificateEntry13[],
  context?: LookupContext,
): MaybePromise<PeerCheck> {
  if (type === CertificateType.raw_public_key && entries.length !== 1) {
    return { ok: false, alert: AlertDescription.bad_certificate, reason: 'a raw public key Certificate holds one entry' };
  }
  const asTls12 = type === CertificateType.raw_public_key ? encodeRawPublicKeyCertificate(entries[0].data) : encodeCertificate({ certificates: entries.map((e) => e.data) });
  return verifyPeerCertificate(authenticator, type, asTls12, context);
}

/**
 * The certificate types our EncryptedExtensions settle (RFC 7250 §4.2, RFC 8446 §4.2: they
 * moved there from the ServerHello): server_certificate_type when the client offered it,
 * client_certificate_type only with a CertificateRequest and when the client offered it.
 */
export function certificateTypeAnswers(clientExtensions: readonly Extension[], serverType: number, clientType: number | undefined): Extension[] {
  const offered = (type: number) => findExtension(clientExtensions, type) !== undefined;
  const answers: Extension[] = [];
  if (offered(ExtensionType.server_certificate_type)) answers.push(encodeServerCertificateTypeSingleExtension(serverType));
  if (clientType !== undefined && offered(ExtensionType.client_certificate_type)) answers.push(encodeClientCertificateTypeSingleExtension(clientType));
  return answers;
}
