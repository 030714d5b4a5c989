// Golden vectors written out by hand from the RFC structure definitions, one field per
// line. Each spec checks encode(value) == bytes and decode(bytes) == value; the totality
// spec mutates them.
import * as wire from '../../../lib/wire/index.js';
import type { Result } from '../../../lib/wire/index.js';
import { ascii, hex, seq } from './hex.js';

export interface GoldenCase<T = unknown> {
  /** The codec, e.g. "ClientHello": names the spec file that owns the case. */
  codec: string;
  name: string;
  bytes: Uint8Array;
  value: T;
  encode: (value: T) => Uint8Array;
  decode: (bytes: Uint8Array) => Result<T>;
}

function golden<T>(c: GoldenCase<T>): GoldenCase {
  return c as unknown as GoldenCase;
}

const x25519Key = seq(32, 0xa0);

export const goldenCases: GoldenCase[] = [
  golden({
    codec: 'RecordHeader',
    name: 'a DTLS 1.2 handshake record in epoch 1',
    bytes: hex(`
      16            # type: handshake(22)
      fefd          # version: DTLS 1.2
      0001          # epoch 1
      000000000005  # sequence_number 5
      0010          # length 16
    `),
    value: { contentType: 22, version: 0xfefd, epoch: 1, sequenceNumber: 5, length: 16 },
    encode: wire.encodeRecordHeader,
    decode: wire.decodeRecordHeader,
  }),
  golden({
    codec: 'RecordHeader',
    name: 'the largest 48-bit sequence number',
    bytes: hex(`
      17            # type: application_data(23)
      feff          # version: DTLS 1.0
      ffff          # epoch 65535
      fffffffffffe  # sequence_number 2^48 - 2
      4000          # length 16384
    `),
    value: { contentType: 23, version: 0xfeff, epoch: 0xffff, sequenceNumber: 2 ** 48 - 2, length: 0x4000 },
    encode: wire.encodeRecordHeader,
    decode: wire.decodeRecordHeader,
  }),
  golden({
    codec: 'HandshakeFragment',
    name: 'a ClientHello fragment and a whole ServerHelloDone in one record',
    bytes: hex(`
      01            # msg_type: client_hello
      000010        # length 16
      0002          # message_seq 2
      000004        # fragment_offset 4
      000003        # fragment_length 3
      aabbcc        # fragment bytes 4..6
      0e            # msg_type: server_hello_done
      000000        # length 0
      0003          # message_seq 3
      000000        # fragment_offset 0
      000000        # fragment_length 0
    `),
    value: [
      { msgType: 1, length: 16, messageSeq: 2, fragmentOffset: 4, fragmentLength: 3, body: hex('aabbcc') },
      { msgType: 14, length: 0, messageSeq: 3, fragmentOffset: 0, fragmentLength: 0, body: hex('') },
    ],
    encode: (fs: wire.HandshakeFragment[]) => concat(fs.map(wire.encodeHandshakeFragment)),
    decode: wire.decodeHandshakeFragments,
  }),
  golden({
    codec: 'ClientHello',
    name: 'a second ClientHello with cookie and extensions',
    bytes: hex(`
      fefd                  # client_version DTLS 1.2
      000102030405060708090a0b0c0d0e0f
      101112131415161718191a1b1c1d1e1f  # random
      00                    # session_id<0..32>: empty
      04 c0c1c2c3           # cookie<0..2^8-1>: 4 bytes
      0004 c0a8 00ae        # cipher_suites: TLS_PSK_WITH_AES_128_CCM_8, TLS_PSK_WITH_AES_128_CBC_SHA256
      01 00                 # compression_methods: null
      0011                  # extensions<0..2^16-1>: 17 bytes
        0017 0000           #   extended_master_secret, empty
        ff01 0001 00        #   renegotiation_info: renegotiated_connection<0..255> empty
        000a 0004 0002 0017 #   supported_groups: named_curve_list [secp256r1]
    `),
    value: {
      clientVersion: wire.DTLS_1_2,
      random: seq(32),
      sessionId: hex(''),
      cookie: hex('c0c1c2c3'),
      cipherSuites: [0xc0a8, 0x00ae],
      compressionMethods: [0],
      extensions: [
        { type: 23, data: hex('') },
        { type: 0xff01, data: hex('00') },
        { type: 10, data: hex('0002 0017') },
      ],
    },
    encode: wire.encodeClientHello,
    decode: wire.decodeClientHello,
  }),
  golden({
    codec: 'ClientHello',
    name: 'a ClientHello without an extensions block',
    bytes: hex(`
      fefd                  # client_version DTLS 1.2
      ${'ee'.repeat(32)}    # random
      03 010203             # session_id: 3 bytes
      00                    # cookie: empty
      0002 c0ae             # cipher_suites: TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8
      02 0001               # compression_methods: null, 1
                            # (no extensions block)
    `),
    value: {
      clientVersion: wire.DTLS_1_2,
      random: hex('ee'.repeat(32)),
      sessionId: hex('010203'),
      cookie: hex(''),
      cipherSuites: [0xc0ae],
      compressionMethods: [0, 1],
      extensions: [],
    },
    encode: wire.encodeClientHello,
    decode: wire.decodeClientHello,
  }),
  golden({
    codec: 'HelloVerifyRequest',
    name: 'a HelloVerifyRequest with a 3-byte cookie',
    bytes: hex(`
      feff        # server_version DTLS 1.0 (RFC 6347 §4.2.1)
      03 aabbcc   # cookie<0..2^8-1>
    `),
    value: { serverVersion: wire.DTLS_1_0, cookie: hex('aabbcc') },
    encode: wire.encodeHelloVerifyRequest,
    decode: wire.decodeHelloVerifyRequest,
  }),
  golden({
    codec: 'ServerHello',
    name: 'a ServerHello with a session id and extensions',
    bytes: hex(`
      fefd                  # server_version DTLS 1.2
      202122232425262728292a2b2c2d2e2f
      303132333435363738393a3b3c3d3e3f  # random
      20                    # session_id: 32 bytes
      404142434445464748494a4b4c4d4e4f
      505152535455565758595a5b5c5d5e5f
      c0ae                  # cipher_suite TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8
      00                    # compression_method null
      000a                  # extensions: 10 bytes
        0014 0001 02        #   server_certificate_type: RawPublicKey
        ff01 0001 00        #   renegotiation_info: empty
    `),
    value: {
      serverVersion: wire.DTLS_1_2,
      random: seq(32, 0x20),
      sessionId: seq(32, 0x40),
      cipherSuite: 0xc0ae,
      compressionMethod: 0,
      extensions: [
        { type: 20, data: hex('02') },
        { type: 0xff01, data: hex('00') },
      ],
    },
    encode: wire.encodeServerHello,
    decode: wire.decodeServerHello,
  }),
  golden({
    codec: 'ServerHello',
    name: 'a ServerHello without an extensions block',
    bytes: hex(`
      fefd ${'11'.repeat(32)}  # server_version, random
      00                       # session_id: empty
      c0a8 00                  # cipher_suite, compression_method
    `),
    value: {
      serverVersion: wire.DTLS_1_2,
      random: hex('11'.repeat(32)),
      sessionId: hex(''),
      cipherSuite: 0xc0a8,
      compressionMethod: 0,
      extensions: [],
    },
    encode: wire.encodeServerHello,
    decode: wire.decodeServerHello,
  }),
  golden({
    codec: 'Certificate',
    name: 'an X.509 Certificate with a chain of two',
    bytes: hex(`
      00000a          # certificate_list<0..2^24-1>: 10 bytes
        000003 300100 #   ASN.1Cert<1..2^24-1>: 3 bytes
        000001 05     #   ASN.1Cert: 1 byte
    `),
    value: { certificates: [hex('300100'), hex('05')] },
    encode: wire.encodeCertificate,
    decode: wire.decodeCertificate,
  }),
  golden({
    codec: 'Certificate',
    name: 'an empty X.509 Certificate (a client declining)',
    bytes: hex('000000  # certificate_list: empty'),
    value: { certificates: [] },
    encode: wire.encodeCertificate,
    decode: wire.decodeCertificate,
  }),
  golden({
    codec: 'RawPublicKeyCertificate',
    name: 'a raw public key Certificate',
    bytes: hex(`
      000004 30020500   # ASN.1_subjectPublicKeyInfo<1..2^24-1>, no certificate_list around it
    `),
    value: { spki: hex('30020500') },
    encode: (x: { spki: Uint8Array }) => wire.encodeRawPublicKeyCertificate(x.spki),
    decode: wire.decodeRawPublicKeyCertificate,
  }),
  golden({
    codec: 'ServerKeyExchangePsk',
    name: 'a PSK ServerKeyExchange with a hint',
    bytes: hex('0004 68696e74  # psk_identity_hint<0..2^16-1>: "hint"'),
    value: { pskIdentityHint: ascii('hint') },
    encode: wire.encodeServerKeyExchangePsk,
    decode: wire.decodeServerKeyExchangePsk,
  }),
  golden({
    codec: 'ServerKeyExchangeEcdhe',
    name: 'an ECDHE ServerKeyExchange on X25519 signed with ECDSA-SHA256',
    bytes: hex(`
      03                # ECParameters.curve_type: named_curve
      001d              # NamedCurve x25519
      20 ${'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf'}  # ECPoint<1..2^8-1>
      0403              # SignatureAndHashAlgorithm {sha256, ecdsa}
      0004 01020304     # signature<0..2^16-1>
    `),
    value: { namedGroup: 29, publicKey: x25519Key, signatureScheme: 0x0403, signature: hex('01020304') },
    encode: wire.encodeServerKeyExchangeEcdhe,
    decode: wire.decodeServerKeyExchangeEcdhe,
  }),
  golden({
    codec: 'ServerKeyExchangeEcdhePsk',
    name: 'an ECDHE_PSK ServerKeyExchange with an empty hint',
    bytes: hex(`
      0000              # psk_identity_hint: empty
      03 001d           # named_curve x25519
      20 ${'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf'}  # ECPoint
    `),
    value: { pskIdentityHint: hex(''), namedGroup: 29, publicKey: x25519Key },
    encode: wire.encodeServerKeyExchangeEcdhePsk,
    decode: wire.decodeServerKeyExchangeEcdhePsk,
  }),
  golden({
    codec: 'CertificateRequest',
    name: 'a CertificateRequest for ECDSA with no CA list',
    bytes: hex(`
      01 40             # certificate_types: ecdsa_sign(64)
      0004 0403 0807    # supported_signature_algorithms: ecdsa_secp256r1_sha256, ed25519
      0000              # certificate_authorities: empty
    `),
    value: { certificateTypes: [64], signatureSchemes: [0x0403, 0x0807], certificateAuthorities: [] },
    encode: wire.encodeCertificateRequest,
    decode: wire.decodeCertificateRequest,
  }),
  golden({
    codec: 'CertificateRequest',
    name: 'a CertificateRequest naming two CAs',
    bytes: hex(`
      02 0140           # certificate_types: rsa_sign(1), ecdsa_sign(64)
      0002 0401         # supported_signature_algorithms: rsa_pkcs1_sha256
      0009              # certificate_authorities: 9 bytes
        0002 3000       #   DistinguishedName<1..2^16-1>
        0003 310130     #   DistinguishedName
    `),
    value: { certificateTypes: [1, 64], signatureSchemes: [0x0401], certificateAuthorities: [hex('3000'), hex('310130')] },
    encode: wire.encodeCertificateRequest,
    decode: wire.decodeCertificateRequest,
  }),
  golden({
    codec: 'ServerHelloDone',
    name: 'a ServerHelloDone',
    bytes: hex(''),
    value: true,
    encode: () => wire.encodeServerHelloDone(),
    decode: wire.decodeServerHelloDone,
  }),
  golden({
    codec: 'ClientKeyExchangePsk',
    name: 'a PSK ClientKeyExchange',
    bytes: hex('000f 436c69656e745f6964656e74697479  # psk_identity: "Client_identity"'),
    value: { pskIdentity: ascii('Client_identity') },
    encode: wire.encodeClientKeyExchangePsk,
    decode: wire.decodeClientKeyExchangePsk,
  }),
  golden({
    codec: 'ClientKeyExchangeEcdhe',
    name: 'an ECDHE ClientKeyExchange',
    bytes: hex(`20 ${'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf'}  # ecdh_Yc<1..2^8-1>`),
    value: { publicKey: x25519Key },
    encode: wire.encodeClientKeyExchangeEcdhe,
    decode: wire.decodeClientKeyExchangeEcdhe,
  }),
  golden({
    codec: 'ClientKeyExchangeEcdhePsk',
    name: 'an ECDHE_PSK ClientKeyExchange',
    bytes: hex(`
      0004 75736572     # psk_identity: "user"
      20 ${'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf'}  # ecdh_Yc
    `),
    value: { pskIdentity: ascii('user'), publicKey: x25519Key },
    encode: wire.encodeClientKeyExchangeEcdhePsk,
    decode: wire.decodeClientKeyExchangeEcdhePsk,
  }),
  golden({
    codec: 'CertificateVerify',
    name: 'a CertificateVerify with an ed25519 signature',
    bytes: hex(`
      0807              # SignatureAndHashAlgorithm: ed25519
      0003 0a0b0c       # signature<0..2^16-1>
    `),
    value: { signatureScheme: 0x0807, signature: hex('0a0b0c') },
    encode: wire.encodeCertificateVerify,
    decode: wire.decodeCertificateVerify,
  }),
  golden({
    codec: 'Finished',
    name: 'a Finished with 12 bytes of verify_data',
    bytes: hex('0102030405060708090a0b0c  # verify_data: the whole body'),
    value: { verifyData: seq(12, 1) },
    encode: wire.encodeFinished,
    decode: wire.decodeFinished,
  }),
  golden({
    codec: 'ChangeCipherSpec',
    name: 'a ChangeCipherSpec',
    bytes: hex('01  # type: change_cipher_spec(1)'),
    value: true,
    encode: () => wire.encodeChangeCipherSpec(),
    decode: wire.decodeChangeCipherSpec,
  }),
  golden({
    codec: 'Alert',
    name: 'a fatal handshake_failure alert',
    bytes: hex('02 28  # level fatal(2), description handshake_failure(40)'),
    value: { level: 2, description: 40 },
    encode: wire.encodeAlert,
    decode: wire.decodeAlert,
  }),
  golden({
    codec: 'Alert',
    name: 'a close_notify warning',
    bytes: hex('01 00  # level warning(1), description close_notify(0)'),
    value: { level: 1, description: 0 },
    encode: wire.encodeAlert,
    decode: wire.decodeAlert,
  }),
  golden({
    codec: 'Extensions',
    name: 'an extensions block with an unknown type kept opaque',
    bytes: hex(`
      000b              # extensions: 11 bytes
        0017 0000       #   extended_master_secret
        abcd 0003 010203 #  unknown type 0xabcd, 3 bytes of data
    `),
    value: [
      { type: 23, data: hex('') },
      { type: 0xabcd, data: hex('010203') },
    ],
    encode: wire.encodeExtensions,
    decode: (b: Uint8Array) => wire.decodeExtensions(b),
  }),
  golden({
    codec: 'Extensions',
    name: 'an empty extensions block',
    bytes: hex('0000'),
    value: [],
    encode: wire.encodeExtensions,
    decode: (b: Uint8Array) => wire.decodeExtensions(b),
  }),
];

// The typed extension codecs: bytes are the extension_data; encode yields a whole
// Extension, so the golden case compares its data and checks its type separately
// (spec/wire/extension-codecs.spec.ts).
export interface ExtensionGoldenCase<T = unknown> extends GoldenCase<T> {
  type: number;
}

function extGolden<T>(type: number, c: Omit<GoldenCase<T>, 'encode'> & { encode: (v: T) => wire.Extension }): ExtensionGoldenCase {
  const checked = (v: T): Uint8Array => {
    const ext = c.encode(v);
    if (ext.type !== type) throw new Error(`${c.name}: encoder produced type ${ext.type}, expected ${type}`);
    return ext.data;
  };
  return { ...(c as unknown as GoldenCase), type, encode: checked as (v: unknown) => Uint8Array };
}

const T = wire.ExtensionType;

export const extensionGoldenCases: ExtensionGoldenCase[] = [
  extGolden(T.supported_groups, {
    codec: 'SupportedGroups',
    name: 'supported_groups [x25519, secp256r1]',
    bytes: hex('0004 001d 0017  # named_curve_list<2..2^16-1>'),
    value: [29, 23],
    encode: wire.encodeSupportedGroupsExtension,
    decode: wire.decodeSupportedGroupsExtension,
  }),
  extGolden(T.ec_point_formats, {
    codec: 'EcPointFormats',
    name: 'ec_point_formats [uncompressed]',
    bytes: hex('01 00  # ec_point_format_list<1..2^8-1>'),
    value: [0],
    encode: wire.encodeEcPointFormatsExtension,
    decode: wire.decodeEcPointFormatsExtension,
  }),
  extGolden(T.signature_algorithms, {
    codec: 'SignatureAlgorithms',
    name: 'signature_algorithms [ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, ed25519]',
    bytes: hex('0006 0403 0804 0807  # supported_signature_algorithms<2..2^16-2>'),
    value: [0x0403, 0x0804, 0x0807],
    encode: wire.encodeSignatureAlgorithmsExtension,
    decode: wire.decodeSignatureAlgorithmsExtension,
  }),
  extGolden(T.extended_master_secret, {
    codec: 'ExtendedMasterSecret',
    name: 'extended_master_secret (empty)',
    bytes: hex(''),
    value: true,
    encode: () => wire.encodeExtendedMasterSecretExtension(),
    decode: wire.decodeExtendedMasterSecretExtension,
  }),
  extGolden(T.encrypt_then_mac, {
    codec: 'EncryptThenMac',
    name: 'encrypt_then_mac (empty)',
    bytes: hex(''),
    value: true,
    encode: () => wire.encodeEncryptThenMacExtension(),
    decode: wire.decodeEncryptThenMacExtension,
  }),
  extGolden(T.renegotiation_info, {
    codec: 'RenegotiationInfo',
    name: 'renegotiation_info with 12 bytes of verify data',
    bytes: hex('0c 0102030405060708090a0b0c  # renegotiated_connection<0..255>'),
    value: seq(12, 1),
    encode: wire.encodeRenegotiationInfoExtension,
    decode: wire.decodeRenegotiationInfoExtension,
  }),
  extGolden(T.client_certificate_type, {
    codec: 'ClientCertificateTypeList',
    name: 'client_certificate_type list [RawPublicKey, X.509] (ClientHello)',
    bytes: hex('02 02 00  # client_certificate_types<1..2^8-1>'),
    value: [2, 0],
    encode: wire.encodeClientCertificateTypeListExtension,
    decode: wire.decodeClientCertificateTypeListExtension,
  }),
  extGolden(T.client_certificate_type, {
    codec: 'ClientCertificateTypeSingle',
    name: 'client_certificate_type RawPublicKey (ServerHello)',
    bytes: hex('02  # client_certificate_type'),
    value: 2,
    encode: wire.encodeClientCertificateTypeSingleExtension,
    decode: wire.decodeClientCertificateTypeSingleExtension,
  }),
  extGolden(T.server_certificate_type, {
    codec: 'ServerCertificateTypeList',
    name: 'server_certificate_type list [RawPublicKey] (ClientHello)',
    bytes: hex('01 02  # server_certificate_types<1..2^8-1>'),
    value: [2],
    encode: wire.encodeServerCertificateTypeListExtension,
    decode: wire.decodeServerCertificateTypeListExtension,
  }),
  extGolden(T.server_certificate_type, {
    codec: 'ServerCertificateTypeSingle',
    name: 'server_certificate_type X.509 (ServerHello)',
    bytes: hex('00  # server_certificate_type'),
    value: 0,
    encode: wire.encodeServerCertificateTypeSingleExtension,
    decode: wire.decodeServerCertificateTypeSingleExtension,
  }),
  extGolden(T.server_name, {
    codec: 'ServerName',
    name: 'server_name with one host_name',
    bytes: hex(`
      000e                          # server_name_list<1..2^16-1>: 14 bytes
        00                          #   name_type host_name
        000b 6578616d706c652e636f6d #   HostName<1..2^16-1>: "example.com"
    `),
    value: { hostName: ascii('example.com'), names: [{ nameType: 0, name: ascii('example.com') }] },
    encode: (v: wire.ServerNameList) => wire.encodeServerNameExtension(v.hostName!),
    decode: wire.decodeServerNameExtension,
  }),
  extGolden(T.record_size_limit, {
    codec: 'RecordSizeLimit',
    name: 'record_size_limit 256',
    bytes: hex('0100  # RecordSizeLimit'),
    value: 256,
    encode: wire.encodeRecordSizeLimitExtension,
    decode: wire.decodeRecordSizeLimitExtension,
  }),
];

export function goldenFor(codec: string): GoldenCase[] {
  const found = [...goldenCases, ...extensionGoldenCases].filter((c) => c.codec === codec);
  if (found.length === 0) throw new Error(`no golden case for ${codec}`);
  return found;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
