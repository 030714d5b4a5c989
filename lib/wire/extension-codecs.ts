// Typed codecs for the extension_data of the extensions rx-dtls understands. Each
// encoder returns a whole Extension; each decoder takes extension_data and is total.
import { ExtensionType, type Extension } from './extension-type.js';
import { decode, type Reader } from './reader.js';
import { ok, fail, type Result } from './result.js';
import { Writer } from './writer.js';

const empty = new Uint8Array(0);

function build(type: number, body: (w: Writer) => void): Extension {
  const w = new Writer(32);
  body(w);
  return { type, data: w.finish() };
}

function nonEmpty(list: readonly number[], what: string): void {
  if (list.length === 0) throw new RangeError(`${what} must not be empty`);
}

const uint8 = (r: Reader): number => r.uint8('item');
const uint16 = (r: Reader): number => r.uint16('item');

// RFC 7627 §5.1 and RFC 7366 §2: both extensions carry empty extension_data.
function decodeEmpty(what: string, data: Uint8Array): Result<true> {
  return data.length === 0 ? ok(true) : fail('overlong', what);
}

/** RFC 8422 §5.1.1: NamedCurve named_curve_list<2..2^16-1>. */
export function encodeSupportedGroupsExtension(groups: readonly number[]): Extension {
  nonEmpty(groups, 'supported_groups');
  return build(ExtensionType.supported_groups, (w) => w.vector16((l) => groups.forEach((g) => l.uint16(g))));
}

export function decodeSupportedGroupsExtension(data: Uint8Array): Result<number[]> {
  return decode('SupportedGroups', data, (r) => r.list16('named_curve_list', uint16, 2));
}

/** RFC 8422 §5.1.2: ECPointFormat ec_point_format_list<1..2^8-1>. */
export function encodeEcPointFormatsExtension(formats: readonly number[]): Extension {
  nonEmpty(formats, 'ec_point_formats');
  return build(ExtensionType.ec_point_formats, (w) => w.vector8((l) => formats.forEach((f) => l.uint8(f))));
}

export function decodeEcPointFormatsExtension(data: Uint8Array): Result<number[]> {
  return decode('EcPointFormats', data, (r) => r.list8('ec_point_format_list', uint8, 1));
}

/** RFC 5246 §7.4.1.4.1: SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>. */
export function encodeSignatureAlgorithmsExtension(schemes: readonly number[]): Extension {
  nonEmpty(schemes, 'signature_algorithms');
  return build(ExtensionType.signature_algorithms, (w) => w.vector16((l) => schemes.forEach((s) => l.uint16(s))));
}

export function decodeSignatureAlgorithmsExtension(data: Uint8Array): Result<number[]> {
  return decode('SignatureAlgorithms', data, (r) =>
    r.list16('supported_signature_algorithms', uint16, 2, 0xfffe),
  );
}

/** RFC 7627 §5.1: extension_data is empty. */
export function encodeExtendedMasterSecretExtension(): Extension {
  return { type: ExtensionType.extended_master_secret, data: empty };
}

export function decodeExtendedMasterSecretExtension(data: Uint8Array): Result<true> {
  return decodeEmpty('ExtendedMasterSecret', data);
}

/** RFC 7366 §2: extension_data is empty. */
export function encodeEncryptThenMacExtension(): Extension {
  return { type: ExtensionType.encrypt_then_mac, data: empty };
}

export function decodeEncryptThenMacExtension(data: Uint8Array): Result<true> {
  return decodeEmpty('EncryptThenMac', data);
}

/**
 * RFC 5746 §3.2: opaque renegotiated_connection<0..255>; empty on an initial handshake,
 * which is the only kind rx-dtls performs.
 */
export function encodeRenegotiationInfoExtension(renegotiatedConnection: Uint8Array = empty): Extension {
  return build(ExtensionType.renegotiation_info, (w) => w.vector8(renegotiatedConnection));
}

export function decodeRenegotiationInfoExtension(data: Uint8Array): Result<Uint8Array> {
  return decode('RenegotiationInfo', data, (r) => r.vector8('renegotiated_connection'));
}

// RFC 7250 §3: in a ClientHello the extension lists the types the client can send
// (or accept), CertificateType client_certificate_types<1..2^8-1>; in a ServerHello it
// is the single type the server chose.

export function encodeClientCertificateTypeListExtension(types: readonly number[]): Extension {
  return certificateTypeList(ExtensionType.client_certificate_type, types);
}

export function decodeClientCertificateTypeListExtension(data: Uint8Array): Result<number[]> {
  return decode('ClientCertificateType', data, (r) => r.list8('client_certificate_types', uint8, 1));
}

export function encodeClientCertificateTypeSingleExtension(type: number): Extension {
  return build(ExtensionType.client_certificate_type, (w) => w.uint8(type));
}

export function decodeClientCertificateTypeSingleExtension(data: Uint8Array): Result<number> {
  return decode('ClientCertificateType', data, (r) => r.uint8('client_certificate_type'));
}

export function encodeServerCertificateTypeListExtension(types: readonly number[]): Extension {
  return certificateTypeList(ExtensionType.server_certificate_type, types);
}

export function decodeServerCertificateTypeListExtension(data: Uint8Array): Result<number[]> {
  return decode('ServerCertificateType', data, (r) => r.list8('server_certificate_types', uint8, 1));
}

export function encodeServerCertificateTypeSingleExtension(type: number): Extension {
  return build(ExtensionType.server_certificate_type, (w) => w.uint8(type));
}

export function decodeServerCertificateTypeSingleExtension(data: Uint8Array): Result<number> {
  return decode('ServerCertificateType', data, (r) => r.uint8('server_certificate_type'));
}

function certificateTypeList(type: number, types: readonly number[]): Extension {
  nonEmpty(types, 'certificate type list');
  return build(type, (w) => w.vector8((l) => types.forEach((t) => l.uint8(t))));
}

/** RFC 6066 §3 NameType. */
export const ServerNameType = { host_name: 0 } as const;

export interface ServerName {
  nameType: number;
  name: Uint8Array;
}

export interface ServerNameList {
  /** The host_name entry (ASCII bytes, RFC 6066 §3), if the list has one. */
  hostName: Uint8Array | undefined;
  /** Every entry, in wire order, including name types this stack does not know. */
  names: ServerName[];
}

/**
 * A ClientHello server_name with one host_name entry. (A server acknowledges the
 * extension with empty extension_data, RFC 6066 §3, which needs no codec.)
 */
export function encodeServerNameExtension(hostName: Uint8Array): Extension {
  if (hostName.length === 0) throw new RangeError('host_name must not be empty');
  return build(ExtensionType.server_name, (w) =>
    w.vector16((list) => list.uint8(ServerNameType.host_name).vector16(hostName)),
  );
}

/**
 * RFC 6066 §3: ServerName server_name_list<1..2^16-1>. Every NameType's data begins
 * with a 16-bit length ("for backward compatibility"), so unknown types can be kept
 * opaque; HostName is opaque<1..2^16-1>; a name type may not appear twice.
 */
export function decodeServerNameExtension(data: Uint8Array): Result<ServerNameList> {
  return decode('ServerName', data, (r) => {
    const seen = new Set<number>();
    const names = r.list16(
      'server_name_list',
      (item) => {
        const nameType = item.uint8('name_type');
        if (seen.has(nameType)) item.fail('invalid', 'name_type');
        seen.add(nameType);
        const min = nameType === ServerNameType.host_name ? 1 : 0;
        return { nameType, name: item.vector16('name', min) };
      },
      1,
    );
    const host = names.find((n) => n.nameType === ServerNameType.host_name);
    return { hostName: host?.name, names };
  });
}

/** RFC 8449 §4: uint16 RecordSizeLimit, which "MUST NOT" be below 64. */
export const MIN_RECORD_SIZE_LIMIT = 64;

export function encodeRecordSizeLimitExtension(limit: number): Extension {
  if (limit < MIN_RECORD_SIZE_LIMIT) throw new RangeError(`record_size_limit ${limit} is below 64`);
  return build(ExtensionType.record_size_limit, (w) => w.uint16(limit));
}

export function decodeRecordSizeLimitExtension(data: Uint8Array): Result<number> {
  return decode('RecordSizeLimit', data, (r) => {
    const limit = r.uint16('record_size_limit');
    // RFC 8449 §4: a smaller value is a fatal illegal_parameter error.
    if (limit < MIN_RECORD_SIZE_LIMIT) r.fail('invalid', 'record_size_limit');
    return limit;
  });
}
