import type { CipherSuite } from '../crypto/cipher-suites.js';
import { AlertDescription } from '../wire/alert.js';
import {
  CertificateType,
  ECPointFormat,
  ExtensionType,
  SignatureScheme,
  decodeRenegotiationInfoExtension,
  encodeClientCertificateTypeListExtension,
  encodeClientCertificateTypeSingleExtension,
  encodeEcPointFormatsExtension,
  encodeExtendedMasterSecretExtension,
  encodeRenegotiationInfoExtension,
  encodeServerCertificateTypeListExtension,
  encodeServerCertificateTypeSingleExtension,
  encodeServerNameExtension,
  encodeSignatureAlgorithmsExtension,
  encodeSupportedGroupsExtension,
  findExtension,
  type Extension,
} from '../wire/extensions.js';
import { acceptedTypes, type LocalCertificate, type PeerAuthenticator } from './peer-authentication.js';

/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3), which a client may send instead of the extension. */
export const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

/**
 * The extensions of our ClientHello: extended_master_secret (RFC 7627), an empty
 * renegotiation_info (RFC 5746 §3.4, we never renegotiate); for ECDHE suites
 * supported_groups and ec_point_formats (RFC 8422 §5.1); for ECDSA suites
 * signature_algorithms and the certificate types when raw public keys are in play
 * (RFC 7250 §4.1); server_name (RFC 6066 §3) when one is set.
 */
export function clientHelloExtensions(args: {
  readonly suites: readonly CipherSuite[];
  readonly groups: readonly number[];
  readonly authenticator?: PeerAuthenticator;
  readonly certificate?: LocalCertificate;
  readonly serverName?: string;
}): Extension[] {
  const { suites, groups, authenticator, certificate, serverName } = args;
  const extensions: Extension[] = [encodeExtendedMasterSecretExtension(), encodeRenegotiationInfoExtension(new Uint8Array(0))];
  if (suites.some((s) => s.keyExchange !== 'PSK')) {
    extensions.push(encodeSupportedGroupsExtension([...groups]), encodeEcPointFormatsExtension([ECPointFormat.uncompressed]));
  }
  if (suites.some((s) => s.keyExchange === 'ECDHE_ECDSA')) {
    extensions.push(encodeSignatureAlgorithmsExtension([SignatureScheme.ecdsa_secp256r1_sha256]));
    extensions.push(...certificateTypeOffer(authenticator, certificate));
  }
  // For every key exchange: a server may pick its PSK identity hint by name as well as its certificate.
  if (serverName && !isIpAddress(serverName)) extensions.push(encodeServerNameExtension(new TextEncoder().encode(serverName)));
  return extensions;
}

/**
 * The RFC 7250 §4.1 extensions of a ClientHello (1.2 and 1.3 alike): server_certificate_type
 * when we accept raw public keys (X.509 is the default otherwise), client_certificate_type
 * when our own certificate is a raw public key.
 */
export function certificateTypeOffer(authenticator: PeerAuthenticator | undefined, certificate: LocalCertificate | undefined): Extension[] {
  const extensions: Extension[] = [];
  const serverTypes = acceptedTypes(authenticator);
  if (serverTypes.includes(CertificateType.raw_public_key)) extensions.push(encodeServerCertificateTypeListExtension(serverTypes));
  if (certificate?.type === CertificateType.raw_public_key) extensions.push(encodeClientCertificateTypeListExtension([certificate.type]));
  return extensions;
}

/** RFC 6066 §3: literal IP addresses are not sent as server_name. */
function isIpAddress(name: string): boolean {
  return /^[0-9.]+$/.test(name) || name.includes(':');
}

/**
 * RFC 5246 §7.4.1.4: a server may only answer extensions the client sent. The
 * renegotiation_info of an initial handshake must be empty (RFC 5746 §3.4).
 */
export function checkServerHelloExtensions(
  offered: readonly Extension[],
  received: readonly Extension[],
): { alert: number; reason: string } | undefined {
  for (const extension of received) {
    if (!findExtension(offered, extension.type)) {
      return { alert: AlertDescription.unsupported_extension, reason: `server sent extension ${extension.type} that was not offered` };
    }
  }
  return renegotiationInfoProblem(received);
}

/**
 * RFC 5746 §3.6: a server aborts with handshake_failure an initial handshake whose
 * ClientHello carries a non-empty renegotiation_info (all our handshakes are initial:
 * renegotiation is refused).
 */
export function checkClientHelloExtensions(extensions: readonly Extension[]): { alert: number; reason: string } | undefined {
  return renegotiationInfoProblem(extensions);
}

/** The renegotiation_info of an initial handshake, either side's, must be empty (RFC 5746 §3.4, §3.6). */
function renegotiationInfoProblem(extensions: readonly Extension[]): { alert: number; reason: string } | undefined {
  const renegotiation = findExtension(extensions, ExtensionType.renegotiation_info);
  if (!renegotiation) return undefined;
  const info = decodeRenegotiationInfoExtension(renegotiation.data);
  if (info.ok && info.value.length === 0) return undefined;
  return { alert: AlertDescription.handshake_failure, reason: 'non-empty renegotiation_info in an initial handshake' };
}

/** The extensions the server answers with, given what the client offered and what was chosen. */
export function serverHelloExtensions(args: {
  readonly clientExtensions: readonly Extension[];
  readonly clientSuites: readonly number[];
  readonly suite: CipherSuite;
  /** The certificate types chosen, when the client offered the RFC 7250 extensions. */
  readonly serverCertificateType?: number;
  readonly clientCertificateType?: number;
}): Extension[] {
  const { clientExtensions, clientSuites, suite } = args;
  const offered = (type: number) => findExtension(clientExtensions, type) !== undefined;
  const extensions: Extension[] = [];
  if (offered(ExtensionType.extended_master_secret)) extensions.push(encodeExtendedMasterSecretExtension());
  if (offered(ExtensionType.renegotiation_info) || clientSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV)) {
    extensions.push(encodeRenegotiationInfoExtension(new Uint8Array(0)));
  }
  if (suite.keyExchange !== 'PSK' && offered(ExtensionType.ec_point_formats)) {
    extensions.push(encodeEcPointFormatsExtension([ECPointFormat.uncompressed]));
  }
  if (args.serverCertificateType !== undefined && offered(ExtensionType.server_certificate_type)) {
    extensions.push(encodeServerCertificateTypeSingleExtension(args.serverCertificateType));
  }
  if (args.clientCertificateType !== undefined && offered(ExtensionType.client_certificate_type)) {
    extensions.push(encodeClientCertificateTypeSingleExtension(args.clientCertificateType));
  }
  return extensions;
}
