// RFC 8446 §4.2.1: supported_versions (43). In a ClientHello the extension_data is
// ProtocolVersion versions<2..254>, the versions offered in order of preference; in a
// ServerHello or HelloRetryRequest it is the one ProtocolVersion selected_version.
// For DTLS the values are DTLS's (RFC 9147 §5.3: 0xfefc for 1.3, 0xfefd for 1.2), and the
// hellos' legacy_version stays 0xfefd: this extension alone negotiates 1.3.
import { ExtensionType, type Extension } from './extension-type.js';
import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** The most versions versions<2..254> holds: 127 of two bytes each. */
const MAX_OFFERED_VERSIONS = 127;

/** A ClientHello's supported_versions offering `versions` (1 to 127), most preferred first. */
export function encodeSupportedVersionsOffer(versions: readonly number[]): Extension {
  if (versions.length === 0 || versions.length > MAX_OFFERED_VERSIONS) {
    throw new RangeError(`supported_versions offers 1 to ${MAX_OFFERED_VERSIONS} versions, got ${versions.length}`);
  }
  const w = new Writer(1 + 2 * versions.length);
  w.vector8((l) => versions.forEach((v) => l.uint16(v)));
  return { type: ExtensionType.supported_versions, data: w.finish() };
}

/**
 * The versions a ClientHello offers, in wire order; which one to pick (and ignoring
 * unknown ones, RFC 8446 §4.2.1) is the handshake's call. An empty or odd-length list is
 * 'invalid'.
 */
export function decodeSupportedVersionsOffer(data: Uint8Array): Result<number[]> {
  return decode('SupportedVersions', data, (r) => r.list8('versions', (i) => i.uint16('ProtocolVersion'), 2, 254));
}

/** A ServerHello's or HelloRetryRequest's supported_versions: the version it selected. */
export function encodeSelectedVersion(version: number): Extension {
  return { type: ExtensionType.supported_versions, data: new Writer(2).uint16(version).finish() };
}

export function decodeSelectedVersion(data: Uint8Array): Result<number> {
  return decode('SupportedVersions', data, (r) => r.uint16('selected_version'));
}
