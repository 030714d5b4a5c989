import { bytesToHex } from '@noble/hashes/utils.js';
import { readDerElements } from '../../../lib/crypto/der.js';
import { decodeP256Spki } from '../../../lib/crypto/spki.js';
import { verifyPeerCertificate } from '../../../lib/handshake/certificate-types.js';
import type { HandshakeMessage } from '../../../lib/handshake/handshake-message.js';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../../lib/handshake/hello-retry13.js';
import type { PeerAuthenticator } from '../../../lib/handshake/peer-authentication.js';
import { decodeResumableSession, encodeResumableSession, type ResumableSession } from '../../../lib/handshake/resumable-session.js';
import { splitRecords } from '../../../lib/record/split-records.js';
import * as wire from '../../../lib/wire/index.js';
import { goldenFor } from '../../fixtures/wire/golden.js';
import { mutate } from '../../wire/helpers/mutate.js';
import { Prng } from '../../wire/helpers/prng.js';
import type { Recording } from './corpus.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** How a target's answer is judged. */
type Contract =
  /** A total decoder: a Result whose byte arrays are views inside the input. */
  | 'result'
  /** splitRecords: records whose fragments tile part of the datagram, in order. */
  | 'split'
  /** A parser that answers null for what it refuses. */
  | 'nullable'
  /** A certificate check: a PeerCheck (or a promise of one), never an exception. */
  | 'peer-check';

/**
 * Saved sessions of each peer kind, for the decoder of what `SessionResumption.from` reads
 * back from disk (the bytes a user hands in are as untrusted as the network's).
 */
const RESUMABLE_SESSIONS: readonly ResumableSession[] = [
  { kind: 'psk', identity: new Uint8Array([0x43, 0x6c]) } as const,
  { kind: 'raw-public-key', spki: new Uint8Array(91).fill(4) } as const,
  { kind: 'x509', subject: 'CN=localhost', chain: [new Uint8Array(300).fill(0x30), new Uint8Array(40).fill(0x31)] } as const,
  { kind: 'anonymous' } as const,
].map((peer, i) => ({
  masterSecret: new Uint8Array(48).fill(i + 1),
  cipherSuite: 0xc0a8,
  extendedMasterSecret: true,
  peer,
  createdAt: 1_800_000_000_000 + i,
  sessionId: new Uint8Array(i * 10).fill(7),
  ...(i % 2 === 0 ? { ticket: new Uint8Array(120).fill(9), ticketLifetimeHint: 7200 } : {}),
}));

export interface DecoderTarget {
  readonly name: string;
  readonly contract: Contract;
  readonly run: (bytes: Uint8Array) => unknown;
  /** Real inputs of this target, from recorded handshakes. */
  readonly seeds: readonly Uint8Array[];
}

const H = wire.HandshakeType;
const KINDS = new Set(['truncated', 'overlong', 'invalid']);

/** Real DTLS 1.3 inputs: the handshake messages of clean transcripts (ours against ours) and captured 1.3 datagrams. */
export interface Dtls13Inputs {
  readonly messages: readonly HandshakeMessage[];
  readonly datagrams: readonly Uint8Array[];
}

/**
 * Everything the endpoints parse from the network, with real inputs from the recordings to
 * mutate: 1.2 flights, and with `dtls13` the messages, extensions and unified headers of
 * real 1.3 handshakes beside the golden vectors.
 */
export function decoderTargets(recordings: readonly Recording[], authenticators: readonly PeerAuthenticator[], dtls13?: Dtls13Inputs): DecoderTarget[] {
  const bodies = (type: number): Uint8Array[] => recordings.flatMap((r) => [...(r.bodies.get(type) ?? [])]);
  const datagrams = recordings.flatMap((r) => r.datagrams.map((d) => d.data));
  const records = datagrams.flatMap((d) => splitRecords(d).records);
  const handshakePayloads = records.filter((r) => r.header.contentType === wire.ContentType.handshake && r.header.epoch === 0).map((r) => r.fragment);
  const extensions = [...bodies(H.client_hello).map(wire.decodeClientHello), ...bodies(H.server_hello).map(wire.decodeServerHello)].flatMap((h) =>
    h.ok ? h.value.extensions : [],
  );
  const extensionData = (type: number): Uint8Array[] => extensions.filter((e) => e.type === type).map((e) => e.data);
  const blocks = [...bodies(H.client_hello), ...bodies(H.server_hello)].map((b) => b.subarray(b.length - blocksLength(b)));
  const certificates = bodies(H.certificate);
  const spkis = certificates.flatMap((c) => {
    const raw = wire.decodeRawPublicKeyCertificate(c);
    return raw.ok ? [raw.value.spki] : [];
  });
  const ders = certificates.flatMap((c) => {
    const x509 = wire.decodeCertificate(c);
    return x509.ok ? x509.value.certificates : [];
  });
  const E = wire.ExtensionType;
  const bodies13 = (type: number): Uint8Array[] => (dtls13?.messages ?? []).filter((m) => m.msgType === type).map((m) => m.body);
  const hellos13 = bodies13(H.server_hello).flatMap((b) => {
    const decoded = wire.decodeServerHello(b);
    return decoded.ok ? [decoded.value] : [];
  });
  const isRetry = (random: Uint8Array): boolean => random.every((byte, i) => byte === HELLO_RETRY_REQUEST_RANDOM[i]);
  const clientExtensions13 = bodies13(H.client_hello).flatMap((b) => {
    const decoded = wire.decodeClientHello(b);
    return decoded.ok ? decoded.value.extensions : [];
  });
  const data13 = (extensions: readonly wire.Extension[], type: number): Uint8Array[] => extensions.filter((e) => e.type === type).map((e) => e.data);
  const fromClient13 = (type: number) => data13(clientExtensions13, type);
  const fromServer13 = (type: number) => data13(hellos13.filter((h) => !isRetry(h.random)).flatMap((h) => h.extensions), type);
  const fromRetry13 = (type: number) => data13(hellos13.filter((h) => isRetry(h.random)).flatMap((h) => h.extensions), type);
  const datagrams13 = [...(dtls13?.datagrams ?? [])];
  const result = (name: string, run: (b: Uint8Array) => unknown, seeds: Uint8Array[]): DecoderTarget => ({ name, contract: 'result', run, seeds });
  const targets: DecoderTarget[] = [
    { name: 'splitRecords', contract: 'split', run: splitRecords, seeds: datagrams },
    result('decodeRecordHeader', wire.decodeRecordHeader, datagrams),
    result('decodeHandshakeFragments', wire.decodeHandshakeFragments, handshakePayloads),
    result('decodeClientHello', wire.decodeClientHello, [...bodies(H.client_hello), ...bodies13(H.client_hello)]),
    result('decodeHelloVerifyRequest', wire.decodeHelloVerifyRequest, bodies(H.hello_verify_request)),
    result('decodeServerHello', wire.decodeServerHello, [...bodies(H.server_hello), ...bodies13(H.server_hello)]),
    result('decodeCertificate', wire.decodeCertificate, certificates),
    result('decodeRawPublicKeyCertificate', wire.decodeRawPublicKeyCertificate, certificates),
    result('decodeServerKeyExchangePsk', wire.decodeServerKeyExchangePsk, bodies(H.server_key_exchange)),
    result('decodeServerKeyExchangeEcdhePsk', wire.decodeServerKeyExchangeEcdhePsk, bodies(H.server_key_exchange)),
    result('decodeServerKeyExchangeEcdhe', wire.decodeServerKeyExchangeEcdhe, bodies(H.server_key_exchange)),
    result('decodeCertificateRequest', wire.decodeCertificateRequest, bodies(H.certificate_request)),
    result('decodeServerHelloDone', wire.decodeServerHelloDone, bodies(H.server_hello_done)),
    result('decodeClientKeyExchangePsk', wire.decodeClientKeyExchangePsk, bodies(H.client_key_exchange)),
    result('decodeClientKeyExchangeEcdhePsk', wire.decodeClientKeyExchangeEcdhePsk, bodies(H.client_key_exchange)),
    result('decodeClientKeyExchangeEcdhe', wire.decodeClientKeyExchangeEcdhe, bodies(H.client_key_exchange)),
    result('decodeCertificateVerify', wire.decodeCertificateVerify, bodies(H.certificate_verify)),
    result('decodeFinished', wire.decodeFinished, [new Uint8Array(12), ...bodies13(H.finished)]),
    result('decodeNewSessionTicket', wire.decodeNewSessionTicket, bodies(H.new_session_ticket)),
    result('decodeResumableSession', decodeResumableSession, RESUMABLE_SESSIONS.map(encodeResumableSession)),
    result('decodeChangeCipherSpec', wire.decodeChangeCipherSpec, [new Uint8Array([1])]),
    result('decodeAlert', wire.decodeAlert, [new Uint8Array([2, 40]), new Uint8Array([1, 0])]),
    result('decodeHeartbeatMessage', wire.decodeHeartbeatMessage, [
      wire.encodeHeartbeatMessage(wire.HeartbeatMessageType.heartbeat_request, new Uint8Array([1, 2, 3]), new Uint8Array(16)),
      wire.encodeHeartbeatMessage(wire.HeartbeatMessageType.heartbeat_response, new Uint8Array(0), new Uint8Array(16)),
    ]),
    result('decodeHeartbeatExtension', wire.decodeHeartbeatExtension, [new Uint8Array([1]), new Uint8Array([2])]),
    result('decodeExtensions', (b) => wire.decodeExtensions(b), blocks),
    result('decodeSupportedGroupsExtension', wire.decodeSupportedGroupsExtension, extensionData(E.supported_groups)),
    result('decodeEcPointFormatsExtension', wire.decodeEcPointFormatsExtension, extensionData(E.ec_point_formats)),
    result('decodeSignatureAlgorithmsExtension', wire.decodeSignatureAlgorithmsExtension, extensionData(E.signature_algorithms)),
    result('decodeExtendedMasterSecretExtension', wire.decodeExtendedMasterSecretExtension, extensionData(E.extended_master_secret)),
    result('decodeEncryptThenMacExtension', wire.decodeEncryptThenMacExtension, [new Uint8Array(0)]),
    result('decodeRenegotiationInfoExtension', wire.decodeRenegotiationInfoExtension, extensionData(E.renegotiation_info)),
    result('decodeClientCertificateTypeListExtension', wire.decodeClientCertificateTypeListExtension, extensionData(E.client_certificate_type)),
    result('decodeClientCertificateTypeSingleExtension', wire.decodeClientCertificateTypeSingleExtension, extensionData(E.client_certificate_type)),
    result('decodeServerCertificateTypeListExtension', wire.decodeServerCertificateTypeListExtension, extensionData(E.server_certificate_type)),
    result('decodeServerCertificateTypeSingleExtension', wire.decodeServerCertificateTypeSingleExtension, extensionData(E.server_certificate_type)),
    result('decodeServerNameExtension', wire.decodeServerNameExtension, extensionData(E.server_name)),
    result('decodeRecordSizeLimitExtension', wire.decodeRecordSizeLimitExtension, [new Uint8Array([0x40, 0x00])]),
    result('decodeAlpnExtension', wire.decodeAlpnExtension, [...extensionData(E.application_layer_protocol_negotiation), wire.encodeAlpnExtension([utf8('coap'), utf8('h2')]).data]),
    result('decodeAlpnSelection', wire.decodeAlpnSelection, [wire.encodeAlpnExtension([utf8('coap')]).data]),
    result('decodeMaxFragmentLengthExtension', wire.decodeMaxFragmentLengthExtension, [new Uint8Array([1]), new Uint8Array([4])]),
    result('decodeConnectionIdExtension', wire.decodeConnectionIdExtension, [wire.encodeConnectionIdExtension(new Uint8Array(0)).data, wire.encodeConnectionIdExtension(new Uint8Array([1, 2, 3, 4])).data]),
    // DTLS 1.3: the golden vectors (RFC 8448's among them), and the messages of real 1.3 handshakes where there are some.
    result('decodeSupportedVersionsOffer', wire.decodeSupportedVersionsOffer, [...goldenSeeds('SupportedVersionsOffer'), ...fromClient13(E.supported_versions)]),
    result('decodeSelectedVersion', wire.decodeSelectedVersion, [...goldenSeeds('SelectedVersion'), ...fromServer13(E.supported_versions), ...fromRetry13(E.supported_versions)]),
    result('decodeKeyShareOffer', wire.decodeKeyShareOffer, [...goldenSeeds('KeyShareOffer'), ...fromClient13(E.key_share)]),
    result('decodeKeyShareSelected', wire.decodeKeyShareSelected, [...goldenSeeds('KeyShareSelected'), ...fromServer13(E.key_share)]),
    result('decodeKeyShareRetry', wire.decodeKeyShareRetry, [...goldenSeeds('KeyShareRetry'), ...fromRetry13(E.key_share)]),
    result('decodeOfferedPsks', wire.decodeOfferedPsks, [...goldenSeeds('OfferedPsks'), ...fromClient13(E.pre_shared_key)]),
    result('decodeSelectedIdentity', wire.decodeSelectedIdentity, [...goldenSeeds('SelectedIdentity'), ...fromServer13(E.pre_shared_key)]),
    result('decodePskKeyExchangeModesExtension', wire.decodePskKeyExchangeModesExtension, [...goldenSeeds('PskKeyExchangeModes'), ...fromClient13(E.psk_key_exchange_modes)]),
    result('decodeCookieExtension', wire.decodeCookieExtension, [...goldenSeeds('Cookie'), ...fromClient13(E.cookie), ...fromRetry13(E.cookie)]),
    result('decodeSignatureAlgorithmsCertExtension', wire.decodeSignatureAlgorithmsCertExtension, goldenSeeds('SignatureAlgorithmsCert')),
    result('decodeCertificateAuthoritiesExtension', wire.decodeCertificateAuthoritiesExtension, goldenSeeds('CertificateAuthorities')),
    result('decodePostHandshakeAuthExtension', wire.decodePostHandshakeAuthExtension, goldenSeeds('PostHandshakeAuth')),
    result('decodeEncryptedExtensions', wire.decodeEncryptedExtensions, [...goldenSeeds('EncryptedExtensions'), ...bodies13(H.encrypted_extensions)]),
    result('decodeCertificate13', wire.decodeCertificate13, goldenSeeds('Certificate13')),
    result('decodeCertificateRequest13', wire.decodeCertificateRequest13, goldenSeeds('CertificateRequest13')),
    result('decodeNewSessionTicket13', wire.decodeNewSessionTicket13, goldenSeeds('NewSessionTicket13')),
    result('decodeKeyUpdate', wire.decodeKeyUpdate, goldenSeeds('KeyUpdate')),
    result('decodeAck', wire.decodeAck, goldenSeeds('Ack')),
    result('decodeNewConnectionId', wire.decodeNewConnectionId, goldenSeeds('NewConnectionId')),
    result('decodeRequestConnectionId', wire.decodeRequestConnectionId, goldenSeeds('RequestConnectionId')),
    result('decodeUnifiedHeader', (b) => wire.decodeUnifiedHeader(b, 0, 0), [...goldenSeeds('UnifiedHeader'), ...datagrams13.filter((d) => wire.isUnifiedHeader(d[0]))]),
    result('decodeUnifiedHeader with a CID', (b) => wire.decodeUnifiedHeader(b, 0, 4), goldenSeeds('UnifiedHeaderWithCid')),
    { name: 'decodeP256Spki', contract: 'nullable', run: decodeP256Spki, seeds: spkis },
    { name: 'readDerElements', contract: 'nullable', run: readDerElements, seeds: ders },
    ...authenticators.flatMap((authenticator, i): DecoderTarget[] => [
      { name: `verifyPeerCertificate x509 #${i}`, contract: 'peer-check', run: (b) => verifyPeerCertificate(authenticator, 0, b), seeds: certificates },
      { name: `verifyPeerCertificate raw key #${i}`, contract: 'peer-check', run: (b) => verifyPeerCertificate(authenticator, 2, b), seeds: certificates },
    ]),
  ];
  return targets.map((t) => ({ ...t, seeds: t.seeds.length > 0 ? t.seeds : [new Uint8Array(0)] }));
}

/** The bytes of a codec's golden vectors (spec/fixtures/wire), as seeds. */
function goldenSeeds(codec: string): Uint8Array[] {
  return goldenFor(codec).map((c) => c.bytes);
}

/** The length of a hello's trailing extensions block (with its length prefix), or 0 when it has none. */
function blocksLength(body: Uint8Array): number {
  const client = wire.decodeClientHello(body);
  const server = client.ok ? undefined : wire.decodeServerHello(body);
  const extensions = client.ok ? client.value.extensions : server?.ok ? server.value.extensions : [];
  if (extensions.length === 0) return 0;
  return 2 + extensions.reduce((n, e) => n + 4 + e.data.length, 0);
}

/** One input: random bytes, a byte-level mutation of a real input, or two real inputs crossed; always inside a larger buffer. */
export function decoderInput(p: Prng, target: DecoderTarget): Uint8Array {
  let bytes: Uint8Array;
  switch (p.int(6)) {
    case 0:
      bytes = p.blob(0, p.bool() ? 16 : 300);
      break;
    case 1: {
      const a = p.pick(target.seeds);
      const b = p.pick(target.seeds);
      const cut = p.int(a.length + 1);
      bytes = Uint8Array.from([...a.subarray(0, cut), ...b.subarray(p.int(b.length + 1))]);
      break;
    }
    case 2:
      bytes = p.pick(target.seeds).subarray(0, p.int(p.pick(target.seeds).length + 1));
      break;
    default:
      bytes = mutate(p, p.pick(target.seeds));
  }
  // Foreign bytes on both sides: an over-read would see them, a stray view would point at them.
  const host = new Uint8Array(bytes.length + 32).fill(0xa5);
  host.set(bytes, 16);
  return host.subarray(16, 16 + bytes.length);
}

/** What is wrong with the target's answer to `input`, or undefined if it kept its contract. */
export function decoderMisbehaviour(target: DecoderTarget, input: Uint8Array): string | undefined {
  let answer: unknown;
  try {
    answer = target.run(input);
  } catch (error) {
    return `threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  switch (target.contract) {
    case 'result':
      return resultProblem(answer, input);
    case 'split':
      return splitProblem(answer as ReturnType<typeof splitRecords>, input);
    case 'nullable':
      return answer === null || typeof answer === 'object' ? undefined : `answered ${typeof answer}`;
    case 'peer-check':
      if (answer instanceof Promise) return undefined;
      return typeof (answer as { ok?: unknown })?.ok === 'boolean' ? undefined : 'not a PeerCheck';
  }
}

function resultProblem(answer: unknown, input: Uint8Array): string | undefined {
  const r = answer as wire.Result<unknown>;
  if (r?.ok === false) {
    const { kind, what } = r.error ?? {};
    return KINDS.has(kind) && typeof what === 'string' && what.length > 0 ? undefined : `bad error ${JSON.stringify(r.error)}`;
  }
  if (r?.ok !== true) return 'not a Result';
  return strayView(r.value, input);
}

function splitProblem(answer: ReturnType<typeof splitRecords>, input: Uint8Array): string | undefined {
  if (!Array.isArray(answer?.records) || !Number.isInteger(answer.malformed) || answer.malformed < 0) return 'not a SplitResult';
  let previousEnd = input.byteOffset;
  for (const record of answer.records) {
    const { fragment, header } = record;
    const start = fragment.byteOffset;
    if (fragment.buffer !== input.buffer || start < previousEnd + wire.RECORD_HEADER_LENGTH || start + fragment.length > input.byteOffset + input.length) {
      return 'a record lies outside the datagram or out of order';
    }
    if (header.length !== fragment.length) return 'a record fragment does not match its length field';
    previousEnd = start + fragment.length;
  }
  return undefined;
}

/** A returned byte array that is not a view inside the input would mean a copy or an over-read. */
function strayView(value: unknown, input: Uint8Array): string | undefined {
  if (value instanceof Uint8Array) {
    const inside =
      value.buffer === input.buffer && value.byteOffset >= input.byteOffset && value.byteOffset + value.length <= input.byteOffset + input.length;
    return inside ? undefined : 'returned bytes outside its input';
  }
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) {
      const found = strayView(v, input);
      if (found) return found;
    }
  }
  return undefined;
}

export interface DecoderFuzzResult {
  readonly inputs: number;
  readonly problems: ReadonlyArray<{ target: string; input: string; problem: string }>;
}

/** `count` seeded inputs spread over the targets in turn. */
export function fuzzDecoders(targets: readonly DecoderTarget[], seed: number, count: number): DecoderFuzzResult {
  const p = new Prng(seed);
  const problems: Array<{ target: string; input: string; problem: string }> = [];
  for (let i = 0; i < count; i++) {
    const target = targets[i % targets.length];
    const input = decoderInput(p, target);
    const problem = decoderMisbehaviour(target, input);
    if (problem && problems.length < 20) problems.push({ target: target.name, input: bytesToHex(input), problem });
  }
  return { inputs: count, problems };
}
