import type { CipherSuite } from '../crypto/cipher-suites.js';
import { AlertDescription } from '../wire/alert.js';
import {
  ECPointFormat,
  ExtensionType,
  encodeEcPointFormatsExtension,
  encodeExtendedMasterSecretExtension,
  encodeRenegotiationInfoExtension,
  encodeSupportedGroupsExtension,
  decodeRenegotiationInfoExtension,
  findExtension,
  type Extension,
} from '../wire/extensions.js';

/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3), which a client may send instead of the extension. */
export const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

function usesEcdhe(suites: readonly CipherSuite[]): boolean {
  return suites.some((s) => s.keyExchange !== 'PSK');
}

/**
 * The extensions of our ClientHello: extended_master_secret (RFC 7627), an empty
 * renegotiation_info (RFC 5746 §3.4, we never renegotiate), and for ECDHE suites
 * supported_groups and ec_point_formats (RFC 8422 §5.1).
 */
export function clientHelloExtensions(suites: readonly CipherSuite[], groups: readonly number[]): Extension[] {
  const extensions: Extension[] = [encodeExtendedMasterSecretExtension(), encodeRenegotiationInfoExtension(new Uint8Array(0))];
  if (usesEcdhe(suites)) {
    extensions.push(encodeSupportedGroupsExtension([...groups]), encodeEcPointFormatsExtension([ECPointFormat.uncompressed]));
  }
  return extensions;
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
  const renegotiation = findExtension(received, ExtensionType.renegotiation_info);
  if (renegotiation) {
    const info = decodeRenegotiationInfoExtension(renegotiation.data);
    if (!info.ok || info.value.length !== 0) {
      return { alert: AlertDescription.handshake_failure, reason: 'non-empty renegotiation_info in an initial handshake' };
    }
  }
  return undefined;
}

/** The extensions the server answers with, given what the client offered and the chosen suite. */
export function serverHelloExtensions(clientExtensions: readonly Extension[], clientSuites: readonly number[], suite: CipherSuite): Extension[] {
  const extensions: Extension[] = [];
  if (findExtension(clientExtensions, ExtensionType.extended_master_secret)) extensions.push(encodeExtendedMasterSecretExtension());
  if (findExtension(clientExtensions, ExtensionType.renegotiation_info) || clientSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV)) {
    extensions.push(encodeRenegotiationInfoExtension(new Uint8Array(0)));
  }
  if (suite.keyExchange !== 'PSK' && findExtension(clientExtensions, ExtensionType.ec_point_formats)) {
    extensions.push(encodeEcPointFormatsExtension([ECPointFormat.uncompressed]));
  }
  return extensions;
}
