import { AlertDescription } from '../wire/alert.js';
import { decodeCertificate, decodeRawPublicKeyCertificate } from '../wire/certificate.js';
import {
  CertificateType,
  ExtensionType,
  decodeClientCertificateTypeListExtension,
  decodeClientCertificateTypeSingleExtension,
  decodeServerCertificateTypeListExtension,
  decodeServerCertificateTypeSingleExtension,
  findExtension,
  type Extension,
} from '../wire/extensions.js';
import type { MaybePromise } from './handshake-step.js';
import type { LookupContext } from './lookup-context.js';
import { acceptedTypes, type LocalCertificate, type PeerAuthenticator, type PeerCheck } from './peer-authentication.js';

/** The certificate types a ServerHello settled (RFC 7250 §4.2); X.509 where it is silent. */
export function negotiatedCertificateTypes(
  serverHelloExtensions: readonly Extension[],
): { ok: true; value: { server: number; client: number } } | { ok: false; reason: string } {
  const pick = (type: number, decode: (data: Uint8Array) => { ok: boolean; value?: number }): number | undefined => {
    const extension = findExtension(serverHelloExtensions, type);
    if (!extension) return CertificateType.x509;
    const decoded = decode(extension.data);
    return decoded.ok ? decoded.value : undefined;
  };
  const server = pick(ExtensionType.server_certificate_type, decodeServerCertificateTypeSingleExtension);
  const client = pick(ExtensionType.client_certificate_type, decodeClientCertificateTypeSingleExtension);
  if (server === undefined || client === undefined) return { ok: false, reason: 'malformed certificate type extension' };
  return { ok: true, value: { server, client } };
}

/** The types a ClientHello offers for one side (RFC 7250 §4.1); only X.509 where it is silent. */
export function offeredCertificateTypes(clientHelloExtensions: readonly Extension[], side: 'server' | 'client'): number[] | undefined {
  const type = side === 'server' ? ExtensionType.server_certificate_type : ExtensionType.client_certificate_type;
  const extension = findExtension(clientHelloExtensions, type);
  if (!extension) return [CertificateType.x509];
  const decoded = (side === 'server' ? decodeServerCertificateTypeListExtension : decodeClientCertificateTypeListExtension)(extension.data);
  return decoded.ok ? decoded.value : undefined;
}

/** Decodes a peer's Certificate message of the negotiated type and asks the authenticator about it. */
export function verifyPeerCertificate(
  authenticator: PeerAuthenticator | undefined,
  type: number,
  body: Uint8Array,
  context?: LookupContext,
): MaybePromise<PeerCheck> {
  if (type === CertificateType.raw_public_key) {
    const decoded = decodeRawPublicKeyCertificate(body);
    if (!decoded.ok) return { ok: false, alert: AlertDescription.decode_error, reason: 'malformed raw public key certificate' };
    if (!authenticator?.verifyRawPublicKey) return { ok: false, alert: AlertDescription.unsupported_certificate, reason: 'raw public keys are not accepted' };
    return authenticator.verifyRawPublicKey(decoded.value.spki, context);
  }
  if (type === CertificateType.x509) {
    const decoded = decodeCertificate(body);
    if (!decoded.ok) return { ok: false, alert: AlertDescription.decode_error, reason: 'malformed certificate list' };
    if (decoded.value.certificates.length === 0) return { ok: false, alert: AlertDescription.handshake_failure, reason: 'empty certificate list' };
    if (!authenticator?.verifyX509) return { ok: false, alert: AlertDescription.unsupported_certificate, reason: 'X.509 certificates are not accepted' };
    return authenticator.verifyX509(decoded.value.certificates);
  }
  return { ok: false, alert: AlertDescription.unsupported_certificate, reason: `certificate type ${type}` };
}

/** An empty Certificate message: no certificate list entries (RFC 5246 §7.4.6), or a zero-length raw key. */
export function isEmptyCertificate(body: Uint8Array): boolean {
  return body.length === 3 && body[0] === 0 && body[1] === 0 && body[2] === 0;
}

/**
 * The client certificate type a server asks for (RFC 7250 §4.2: the first the client offers
 * that the server's authenticator accepts; X.509 where the client is silent), in 1.2 and 1.3
 * alike; undefined when client authentication is off or no type is in common.
 */
export function clientCertificateTypeToAsk(
  clientAuth: 'none' | 'optional' | 'required' | undefined,
  authenticator: PeerAuthenticator | undefined,
  clientHelloExtensions: readonly Extension[],
): number | undefined {
  if ((clientAuth ?? 'none') === 'none') return undefined;
  const accepted = acceptedTypes(authenticator);
  const offered = offeredCertificateTypes(clientHelloExtensions, 'client') ?? [];
  return offered.find((t) => accepted.includes(t));
}

/** Our certificate of a type the client accepts, in the client's order (RFC 7250 §4.2), in 1.2 and 1.3 alike; undefined when none is. */
export function serverCertificateFor(clientHelloExtensions: readonly Extension[], ours: readonly LocalCertificate[]): LocalCertificate | undefined {
  const offered = offeredCertificateTypes(clientHelloExtensions, 'server') ?? [];
  for (const type of offered) {
    const certificate = ours.find((c) => c.type === type);
    if (certificate) return certificate;
  }
  return undefined;
}
