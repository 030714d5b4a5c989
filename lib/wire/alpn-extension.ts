// RFC 7301 §3.1: application_layer_protocol_negotiation (16). Its extension_data is
// ProtocolNameList, ProtocolName protocol_name_list<2..2^16-1>, each ProtocolName
// opaque<1..2^8-1>: in a ClientHello the protocols offered, in a ServerHello exactly one.
import { ExtensionType, type Extension } from './extension-type.js';
import { decode, type Reader } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** A ClientHello's ALPN extension offering `protocols` (each 1 to 255 bytes), in our order of preference. */
export function encodeAlpnExtension(protocols: readonly Uint8Array[]): Extension {
  if (protocols.length === 0) throw new RangeError('ALPN needs at least one protocol');
  for (const p of protocols) if (p.length < 1 || p.length > 0xff) throw new RangeError(`ALPN protocol names are 1 to 255 bytes, got ${p.length}`);
  const w = new Writer(32);
  w.vector16((list) => protocols.forEach((p) => list.vector8(p)));
  return { type: ExtensionType.application_layer_protocol_negotiation, data: w.finish() };
}

const protocolName = (r: Reader): Uint8Array => r.vector8('ProtocolName', 1);

/**
 * The protocol names of an ALPN extension, in wire order. An empty list, an empty name
 * or lengths that do not add up fail as the codecs' decode failures do.
 */
export function decodeAlpnExtension(data: Uint8Array): Result<Uint8Array[]> {
  return decode('ProtocolNameList', data, (r) => r.list16('protocol_name_list', protocolName, 2));
}

/** A ServerHello's ALPN extension: the list must hold exactly one name (RFC 7301 §3.1). */
export function decodeAlpnSelection(data: Uint8Array): Result<Uint8Array> {
  return decode('ProtocolNameList', data, (r) => {
    const names = r.list16('protocol_name_list', protocolName, 2);
    if (names.length !== 1) r.fail('invalid', 'protocol_name_list');
    return names[0];
  });
}
