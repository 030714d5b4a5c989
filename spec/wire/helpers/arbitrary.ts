// Random valid values of every wire structure, for the round-trip property spec.
import * as wire from '../../../lib/wire/index.js';
import type { Result } from '../../../lib/wire/index.js';
import type { Prng } from './prng.js';

export interface Arbitrary<T = unknown> {
  codec: string;
  generate: (p: Prng) => T;
  encode: (value: T) => Uint8Array;
  decode: (bytes: Uint8Array) => Result<T>;
}

function arb<T>(a: Arbitrary<T>): Arbitrary {
  return a as unknown as Arbitrary;
}

const u8 = (p: Prng): number => p.int(0x100);
const u16 = (p: Prng): number => p.int(0x10000);

function extensions(p: Prng): wire.Extension[] {
  return p.distinct(0, 8, () => u16(p)).map((type) => ({ type, data: p.blob(0, 40) }));
}

function hello(p: Prng) {
  return { random: p.bytes(32), sessionId: p.blob(0, 32), extensions: extensions(p) };
}

function ecPoint(p: Prng): Uint8Array {
  return p.pick([() => p.bytes(32), () => p.bytes(65), () => p.blob(1, 255)])();
}

function keyShare(p: Prng, group: number): wire.KeyShareEntry {
  return { group, keyExchange: p.pick([() => p.bytes(32), () => p.bytes(65), () => p.blob(1, 1200)])() };
}

/** A unified header as decoded from a datagram holding just its record (of zero bytes, here). */
function unifiedRecord(p: Prng, cid: Uint8Array | undefined): wire.DecodedUnifiedHeader {
  const sequenceLength = p.pick([1, 2] as const);
  const bodyLength = p.int(100);
  const header: wire.UnifiedHeader = { epochBits: p.int(4), sequenceBits: p.int(sequenceLength === 1 ? 0x100 : 0x10000), sequenceLength };
  if (cid) header.cid = cid;
  if (p.bool()) header.length = bodyLength;
  const headerLength = wire.unifiedHeaderLength(header);
  return { header, headerLength, recordEnd: headerLength + bodyLength };
}

function encodeUnifiedRecord(v: wire.DecodedUnifiedHeader): Uint8Array {
  const header = wire.encodeUnifiedHeader(v.header);
  const record = new Uint8Array(v.recordEnd);
  record.set(header);
  return record;
}

/** Extension-data codecs: the encoder's Extension is unwrapped to its data. */
function extArb<T>(codec: string, generate: (p: Prng) => T, encode: (v: T) => wire.Extension, decode: (d: Uint8Array) => Result<T>): Arbitrary {
  return arb({ codec, generate, encode: (v: T) => encode(v).data, decode });
}

export const arbitraries: Arbitrary[] = [
  arb({
    codec: 'RecordHeader',
    generate: (p) => ({
      // tls12_cid headers carry a CID: the arbitrary below
      contentType: ((t) => (t === wire.ContentType.tls12_cid ? t + 1 : t))(u8(p)),
      version: u16(p),
      epoch: u16(p),
      sequenceNumber: p.int(0x10000) * 0x1_0000_0000 + p.next(),
      length: u16(p),
    }),
    encode: wire.encodeRecordHeader,
    decode: wire.decodeRecordHeader,
  }),
  arb({
    codec: 'RecordHeaderWithCid',
    generate: (p) => ({
      contentType: wire.ContentType.tls12_cid,
      version: u16(p),
      epoch: u16(p),
      sequenceNumber: p.int(0x10000) * 0x1_0000_0000 + p.next(),
      cid: Uint8Array.from({ length: 6 }, () => u8(p)),
      length: u16(p),
    }),
    encode: wire.encodeRecordHeader,
    decode: (bytes: Uint8Array) => wire.decodeRecordHeader(bytes, 6),
  }),
  arb({
    codec: 'HandshakeFragment',
    generate: (p) =>
      p.list(1, 4, () => {
        const length = p.bool() ? p.int(200) : p.int(0x1000000);
        const fragmentOffset = p.int(length + 1);
        const fragmentLength = p.int(Math.min(length - fragmentOffset, 300) + 1);
        return { msgType: u8(p), length, messageSeq: u16(p), fragmentOffset, fragmentLength, body: p.bytes(fragmentLength) };
      }),
    encode: (fs: wire.HandshakeFragment[]) => {
      const parts = fs.map(wire.encodeHandshakeFragment);
      const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
      parts.reduce((at, x) => (out.set(x, at), at + x.length), 0);
      return out;
    },
    decode: wire.decodeHandshakeFragments,
  }),
  arb({
    codec: 'Extensions',
    generate: extensions,
    encode: wire.encodeExtensions,
    decode: (b: Uint8Array) => wire.decodeExtensions(b),
  }),
  arb({
    codec: 'ClientHello',
    generate: (p): wire.ClientHello => ({
      clientVersion: u16(p),
      ...hello(p),
      cookie: p.blob(0, 255),
      cipherSuites: p.list(1, 60, () => u16(p)),
      compressionMethods: p.list(1, 4, () => u8(p)),
    }),
    encode: wire.encodeClientHello,
    decode: wire.decodeClientHello,
  }),
  arb({
    codec: 'HelloVerifyRequest',
    generate: (p): wire.HelloVerifyRequest => ({ serverVersion: u16(p), cookie: p.blob(0, 255) }),
    encode: wire.encodeHelloVerifyRequest,
    decode: wire.decodeHelloVerifyRequest,
  }),
  arb({
    codec: 'ServerHello',
    generate: (p): wire.ServerHello => ({ serverVersion: u16(p), ...hello(p), cipherSuite: u16(p), compressionMethod: u8(p) }),
    encode: wire.encodeServerHello,
    decode: wire.decodeServerHello,
  }),
  arb({
    codec: 'Certificate',
    generate: (p): wire.Certificate => ({
      // now and then one larger than 2^16, so the 3-byte lengths are exercised
      certificates: p.list(0, 4, () => (p.int(150) === 0 ? p.blob(0x10000, 0x10010) : p.blob(1, 600))),
    }),
    encode: wire.encodeCertificate,
    decode: wire.decodeCertificate,
  }),
  arb({
    codec: 'RawPublicKeyCertificate',
    generate: (p) => ({ spki: p.blob(1, 300) }),
    encode: (v: { spki: Uint8Array }) => wire.encodeRawPublicKeyCertificate(v.spki),
    decode: wire.decodeRawPublicKeyCertificate,
  }),
  arb({
    codec: 'ServerKeyExchangePsk',
    generate: (p): wire.ServerKeyExchangePsk => ({ pskIdentityHint: p.blob(0, 300) }),
    encode: wire.encodeServerKeyExchangePsk,
    decode: wire.decodeServerKeyExchangePsk,
  }),
  arb({
    codec: 'ServerKeyExchangeEcdhe',
    generate: (p): wire.ServerKeyExchangeEcdhe => ({
      namedGroup: u16(p),
      publicKey: ecPoint(p),
      signatureScheme: u16(p),
      signature: p.blob(0, 300),
    }),
    encode: wire.encodeServerKeyExchangeEcdhe,
    decode: wire.decodeServerKeyExchangeEcdhe,
  }),
  arb({
    codec: 'ServerKeyExchangeEcdhePsk',
    generate: (p): wire.ServerKeyExchangeEcdhePsk => ({ pskIdentityHint: p.blob(0, 100), namedGroup: u16(p), publicKey: ecPoint(p) }),
    encode: wire.encodeServerKeyExchangeEcdhePsk,
    decode: wire.decodeServerKeyExchangeEcdhePsk,
  }),
  arb({
    codec: 'CertificateRequest',
    generate: (p): wire.CertificateRequest => ({
      certificateTypes: p.list(1, 8, () => u8(p)),
      signatureSchemes: p.list(0, 30, () => u16(p)),
      certificateAuthorities: p.list(0, 4, () => p.blob(1, 120)),
    }),
    encode: wire.encodeCertificateRequest,
    decode: wire.decodeCertificateRequest,
  }),
  arb({
    codec: 'ClientKeyExchangePsk',
    generate: (p): wire.ClientKeyExchangePsk => ({ pskIdentity: p.blob(0, 300) }),
    encode: wire.encodeClientKeyExchangePsk,
    decode: wire.decodeClientKeyExchangePsk,
  }),
  arb({
    codec: 'ClientKeyExchangeEcdhe',
    generate: (p): wire.ClientKeyExchangeEcdhe => ({ publicKey: ecPoint(p) }),
    encode: wire.encodeClientKeyExchangeEcdhe,
    decode: wire.decodeClientKeyExchangeEcdhe,
  }),
  arb({
    codec: 'ClientKeyExchangeEcdhePsk',
    generate: (p): wire.ClientKeyExchangeEcdhePsk => ({ pskIdentity: p.blob(0, 100), publicKey: ecPoint(p) }),
    encode: wire.encodeClientKeyExchangeEcdhePsk,
    decode: wire.decodeClientKeyExchangeEcdhePsk,
  }),
  arb({
    codec: 'CertificateVerify',
    generate: (p): wire.CertificateVerify => ({ signatureScheme: u16(p), signature: p.blob(0, 300) }),
    encode: wire.encodeCertificateVerify,
    decode: wire.decodeCertificateVerify,
  }),
  arb({
    codec: 'Finished',
    generate: (p): wire.Finished => ({ verifyData: p.blob(1, 64) }),
    encode: wire.encodeFinished,
    decode: wire.decodeFinished,
  }),
  arb({
    codec: 'Alert',
    generate: (p): wire.Alert => ({ level: p.pick([1, 2]), description: u8(p) }),
    encode: wire.encodeAlert,
    decode: wire.decodeAlert,
  }),
  extArb('SupportedGroups', (p) => p.list(1, 30, () => u16(p)), wire.encodeSupportedGroupsExtension, wire.decodeSupportedGroupsExtension),
  extArb('EcPointFormats', (p) => p.list(1, 5, () => u8(p)), wire.encodeEcPointFormatsExtension, wire.decodeEcPointFormatsExtension),
  extArb('SignatureAlgorithms', (p) => p.list(1, 30, () => u16(p)), wire.encodeSignatureAlgorithmsExtension, wire.decodeSignatureAlgorithmsExtension),
  extArb('RenegotiationInfo', (p) => p.blob(0, 255), wire.encodeRenegotiationInfoExtension, wire.decodeRenegotiationInfoExtension),
  extArb('ClientCertificateTypeList', (p) => p.list(1, 5, () => u8(p)), wire.encodeClientCertificateTypeListExtension, wire.decodeClientCertificateTypeListExtension),
  extArb('ServerCertificateTypeList', (p) => p.list(1, 5, () => u8(p)), wire.encodeServerCertificateTypeListExtension, wire.decodeServerCertificateTypeListExtension),
  extArb('ClientCertificateTypeSingle', u8, wire.encodeClientCertificateTypeSingleExtension, wire.decodeClientCertificateTypeSingleExtension),
  extArb('ServerCertificateTypeSingle', u8, wire.encodeServerCertificateTypeSingleExtension, wire.decodeServerCertificateTypeSingleExtension),
  extArb(
    'ServerName',
    (p): wire.ServerNameList => {
      const name = p.blob(1, 255);
      return { hostName: name, names: [{ nameType: 0, name }] };
    },
    (v) => wire.encodeServerNameExtension(v.hostName!),
    wire.decodeServerNameExtension,
  ),
  extArb('RecordSizeLimit', (p) => p.range(64, 0xffff), wire.encodeRecordSizeLimitExtension, wire.decodeRecordSizeLimitExtension),
  extArb('ConnectionId', (p) => Uint8Array.from({ length: p.int(256) }, () => u8(p)), wire.encodeConnectionIdExtension, wire.decodeConnectionIdExtension),
  // DTLS 1.3 (RFC 8446 structures as RFC 9147 uses them)
  arb({ codec: 'EncryptedExtensions', generate: extensions, encode: wire.encodeEncryptedExtensions, decode: wire.decodeEncryptedExtensions }),
  arb({
    codec: 'Certificate13',
    generate: (p): wire.Certificate13 => ({
      context: p.bool() ? new Uint8Array(0) : p.blob(0, 255),
      // now and then one larger than 2^16, so the 3-byte lengths are exercised
      entries: p.list(0, 4, () => ({ data: p.int(150) === 0 ? p.blob(0x10000, 0x10010) : p.blob(1, 600), extensions: p.bool() ? [] : extensions(p) })),
    }),
    encode: wire.encodeCertificate13,
    decode: wire.decodeCertificate13,
  }),
  arb({
    codec: 'CertificateRequest13',
    generate: (p): wire.CertificateRequest13 => {
      const exts = extensions(p);
      return { context: p.blob(0, 255), extensions: exts.length > 0 ? exts : [{ type: 13, data: p.blob(0, 40) }] };
    },
    encode: wire.encodeCertificateRequest13,
    decode: wire.decodeCertificateRequest13,
  }),
  arb({
    codec: 'NewSessionTicket13',
    generate: (p): wire.NewSessionTicket13 => ({ lifetime: p.next(), ageAdd: p.next(), nonce: p.blob(0, 255), ticket: p.blob(1, 400), extensions: extensions(p) }),
    encode: wire.encodeNewSessionTicket13,
    decode: wire.decodeNewSessionTicket13,
  }),
  arb({
    codec: 'Ack',
    generate: (p): wire.RecordNumber[] =>
      p.list(0, p.int(30) === 0 ? wire.MAX_ACK_RECORD_NUMBERS : 20, () => ({ epoch: p.pick([0, 1, 2, 3, p.next(), Number.MAX_SAFE_INTEGER]), sequenceNumber: p.int(0x10000) * 0x1_0000_0000 + p.next() })),
    encode: wire.encodeAck,
    decode: wire.decodeAck,
  }),
  arb({
    codec: 'NewConnectionId',
    generate: (p): wire.NewConnectionId => ({ cids: p.list(0, 10, () => p.blob(0, 255)), usage: p.pick([0, 1] as const) }),
    encode: wire.encodeNewConnectionId,
    decode: wire.decodeNewConnectionId,
  }),
  arb({ codec: 'RequestConnectionId', generate: (p) => ({ numCids: u8(p) }), encode: wire.encodeRequestConnectionId, decode: wire.decodeRequestConnectionId }),
  arb({ codec: 'UnifiedHeader', generate: (p) => unifiedRecord(p, undefined), encode: encodeUnifiedRecord, decode: (b: Uint8Array) => wire.decodeUnifiedHeader(b, 0, 0) }),
  arb({
    codec: 'UnifiedHeaderWithCid',
    generate: (p) => unifiedRecord(p, p.bool() ? p.bytes(5) : undefined),
    encode: encodeUnifiedRecord,
    decode: (b: Uint8Array) => wire.decodeUnifiedHeader(b, 0, 5),
  }),
  arb({ codec: 'KeyUpdate', generate: (p) => p.pick([0, 1] as const), encode: wire.encodeKeyUpdate, decode: wire.decodeKeyUpdate }),
  extArb('SupportedVersionsOffer', (p) => p.list(1, 127, () => u16(p)), wire.encodeSupportedVersionsOffer, wire.decodeSupportedVersionsOffer),
  extArb('SelectedVersion', u16, wire.encodeSelectedVersion, wire.decodeSelectedVersion),
  extArb('KeyShareOffer', (p) => p.distinct(0, 4, () => u16(p)).map((group) => keyShare(p, group)), wire.encodeKeyShareOffer, wire.decodeKeyShareOffer),
  extArb('KeyShareSelected', (p) => keyShare(p, u16(p)), wire.encodeKeyShareSelected, wire.decodeKeyShareSelected),
  extArb('KeyShareRetry', u16, wire.encodeKeyShareRetry, wire.decodeKeyShareRetry),
  extArb(
    'OfferedPsks',
    (p): wire.OfferedPsks => {
      const identities = p.list(1, 4, () => ({ identity: p.blob(1, 300), obfuscatedTicketAge: p.next() }));
      return { identities, binders: identities.map(() => p.blob(32, 255)) };
    },
    wire.encodeOfferedPsks,
    wire.decodeOfferedPsks,
  ),
  extArb('SelectedIdentity', u16, wire.encodeSelectedIdentity, wire.decodeSelectedIdentity),
  extArb('PskKeyExchangeModes', (p) => p.list(1, 255, () => u8(p)), wire.encodePskKeyExchangeModesExtension, wire.decodePskKeyExchangeModesExtension),
  extArb('SignatureAlgorithmsCert', (p) => p.list(1, 30, () => u16(p)), wire.encodeSignatureAlgorithmsCertExtension, wire.decodeSignatureAlgorithmsCertExtension),
  extArb('CertificateAuthorities', (p) => p.list(1, 6, () => p.blob(1, 200)), wire.encodeCertificateAuthoritiesExtension, wire.decodeCertificateAuthoritiesExtension),
  extArb('Cookie', (p) => (p.int(50) === 0 ? p.blob(1, 0xffff) : p.blob(1, 300)), wire.encodeCookieExtension, wire.decodeCookieExtension),
];
