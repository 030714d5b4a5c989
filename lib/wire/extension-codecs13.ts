// Typed codecs for the smaller extensions TLS 1.3 added, unchanged in DTLS 1.3 (the larger
// ones have files of their own: supported_versions, key_share, pre_shared_key,
// psk_key_exchange_modes, cookie). Each encoder returns a whole Extension; each decoder
// takes extension_data and is total.
import { decodeSignatureAlgorithmsExtension, encodeSignatureAlgorithmsExtension } from './extension-codecs.js';
import { ExtensionType, type Extension } from './extension-type.js';
import { decode } from './reader.js';
import { fail, ok, type Result } from './result.js';
import { Writer } from './writer.js';

/**
 * RFC 8446 §4.2.3: signature_algorithms_cert (50) has signature_algorithms' layout and
 * names the schemes acceptable in certificates, where they differ from those for
 * CertificateVerify.
 */
export function encodeSignatureAlgorithmsCertExtension(schemes: readonly number[]): Extension {
  return { ...encodeSignatureAlgorithmsExtension(schemes), type: ExtensionType.signature_algorithms_cert };
}

export const decodeSignatureAlgorithmsCertExtension: (data: Uint8Array) => Result<number[]> = decodeSignatureAlgorithmsExtension;

/**
 * RFC 8446 §4.2.4: certificate_authorities (47), the DER distinguished names of the CAs
 * the sender accepts: opaque DistinguishedName<1..2^16-1>; DistinguishedName
 * authorities<3..2^16-1>. In 1.3 it replaces the 1.2 CertificateRequest's list.
 */
export function encodeCertificateAuthoritiesExtension(names: readonly Uint8Array[]): Extension {
  if (names.length === 0) throw new RangeError('certificate_authorities names at least one CA');
  for (const dn of names) if (dn.length === 0) throw new RangeError('a DistinguishedName must not be empty');
  const w = new Writer(2 + names.reduce((n, dn) => n + 2 + dn.length, 0));
  w.vector16((l) => names.forEach((dn) => l.vector16(dn)));
  return { type: ExtensionType.certificate_authorities, data: w.finish() };
}

export function decodeCertificateAuthoritiesExtension(data: Uint8Array): Result<Uint8Array[]> {
  return decode('CertificateAuthorities', data, (r) => r.list16('authorities', (i) => i.vector16('DistinguishedName', 1), 3));
}

/** RFC 8446 §4.2.6: post_handshake_auth (49), empty: the client will answer a post-handshake CertificateRequest. */
export function encodePostHandshakeAuthExtension(): Extension {
  return { type: ExtensionType.post_handshake_auth, data: new Uint8Array(0) };
}

export function decodePostHandshakeAuthExtension(data: Uint8Array): Result<true> {
  return data.length === 0 ? ok(true) : fail('overlong', 'PostHandshakeAuth');
}
