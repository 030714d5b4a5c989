// Decoders are total: whatever bytes arrive, they return { ok: true } or a typed
// { ok: false } and never throw; the views they return lie inside their input; and
// what they accept re-encodes to exactly the bytes accepted (nothing skipped).
import { describe, expect, it } from 'vitest';
import * as wire from '../../lib/wire/index.js';
import type { Result } from '../../lib/wire/index.js';
import { capturedMessage, capturedRecords } from './helpers/captures.js';
import { extensionGoldenCases, goldenCases } from '../fixtures/wire/golden.js';
import { toHex } from './helpers/hex.js';
import { mutate } from './helpers/mutate.js';
import { Prng } from './helpers/prng.js';

interface Subject {
  codec: string;
  name: string;
  bytes: Uint8Array;
  encode: (value: never) => Uint8Array;
  decode: (bytes: Uint8Array) => Result<unknown>;
}

const H = wire.HandshakeType;

function captured(codec: string, file: string, dir: 's>c' | 'c>s', type: number, decode: Subject['decode'], encode: Subject['encode']): Subject {
  return { codec, name: `${codec} captured in ${file}`, bytes: capturedMessage(file, dir, type).body, decode, encode };
}

const records = capturedRecords('openssl-ecdhe-ecdsa.hex').filter((r) => r.header.epoch === 0 && r.header.contentType === 22);

const subjects: Subject[] = [
  ...goldenCases,
  ...extensionGoldenCases,
  captured('ClientHello', 'gnutls-rpk.hex', 'c>s', H.client_hello, wire.decodeClientHello, wire.encodeClientHello),
  captured('ClientHello', 'openssl-ecdhe-ecdsa.hex', 'c>s', H.client_hello, wire.decodeClientHello, wire.encodeClientHello),
  captured('HelloVerifyRequest', 'openssl-psk-ccm8.hex', 's>c', H.hello_verify_request, wire.decodeHelloVerifyRequest, wire.encodeHelloVerifyRequest),
  captured('ServerHello', 'gnutls-rpk.hex', 's>c', H.server_hello, wire.decodeServerHello, wire.encodeServerHello),
  captured('Certificate', 'openssl-ecdhe-ecdsa.hex', 's>c', H.certificate, wire.decodeCertificate, wire.encodeCertificate),
  captured('RawPublicKeyCertificate', 'gnutls-rpk.hex', 's>c', H.certificate, wire.decodeRawPublicKeyCertificate, (v: { spki: Uint8Array }) =>
    wire.encodeRawPublicKeyCertificate(v.spki),
  ),
  captured('ServerKeyExchangeEcdhe', 'gnutls-rpk.hex', 's>c', H.server_key_exchange, wire.decodeServerKeyExchangeEcdhe, wire.encodeServerKeyExchangeEcdhe),
  captured('ServerKeyExchangeEcdhePsk', 'openssl-ecdhe-psk.hex', 's>c', H.server_key_exchange, wire.decodeServerKeyExchangeEcdhePsk, wire.encodeServerKeyExchangeEcdhePsk),
  captured('ServerKeyExchangePsk', 'openssl-psk-ccm8.hex', 's>c', H.server_key_exchange, wire.decodeServerKeyExchangePsk, wire.encodeServerKeyExchangePsk),
  captured('CertificateRequest', 'openssl-ecdhe-ecdsa.hex', 's>c', H.certificate_request, wire.decodeCertificateRequest, wire.encodeCertificateRequest),
  captured('ClientKeyExchangeEcdhe', 'gnutls-rpk.hex', 'c>s', H.client_key_exchange, wire.decodeClientKeyExchangeEcdhe, wire.encodeClientKeyExchangeEcdhe),
  captured('ClientKeyExchangeEcdhePsk', 'openssl-ecdhe-psk.hex', 'c>s', H.client_key_exchange, wire.decodeClientKeyExchangeEcdhePsk, wire.encodeClientKeyExchangeEcdhePsk),
  captured('ClientKeyExchangePsk', 'openssl-psk-ccm8.hex', 'c>s', H.client_key_exchange, wire.decodeClientKeyExchangePsk, wire.encodeClientKeyExchangePsk),
  captured('CertificateVerify', 'openssl-ecdhe-ecdsa.hex', 'c>s', H.certificate_verify, wire.decodeCertificateVerify, wire.encodeCertificateVerify),
  {
    codec: 'HandshakeFragment',
    name: 'a captured record carrying a fragment',
    bytes: records.find((r) => r.payload[0] === H.certificate)!.payload,
    decode: wire.decodeHandshakeFragments,
    encode: (fs: wire.HandshakeFragment[]) => Uint8Array.from(fs.flatMap((f) => [...wire.encodeHandshakeFragment(f)])),
  },
  {
    codec: 'RecordHeader',
    name: 'a captured record',
    bytes: records[0].raw,
    decode: wire.decodeRecordHeader,
    encode: wire.encodeRecordHeader,
  },
];

const KINDS = new Set(['truncated', 'overlong', 'invalid']);
const MUTATIONS = 2000;
const RANDOM_INPUTS = 300;

/** What is wrong with `decode(input)`, or undefined if it behaved. */
function misbehaviour(s: Subject, input: Uint8Array): string | undefined {
  let r: Result<unknown>;
  try {
    r = s.decode(input);
  } catch (e) {
    return `threw ${String(e)}`;
  }
  if (r.ok === false) {
    const { kind, what } = r.error ?? {};
    return KINDS.has(kind) && typeof what === 'string' && what.length > 0 ? undefined : `bad error ${JSON.stringify(r.error)}`;
  }
  if (r.ok !== true) return 'not a Result';
  const stray = strayView(r.value, input);
  if (stray) return stray;
  return notCanonical(s, r.value, input);
}

/** A returned byte array that is not a view inside the input would mean a copy or an over-read. */
function strayView(value: unknown, input: Uint8Array): string | undefined {
  if (value instanceof Uint8Array) {
    const inside =
      value.buffer === input.buffer &&
      value.byteOffset >= input.byteOffset &&
      value.byteOffset + value.length <= input.byteOffset + input.length;
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

function notCanonical(s: Subject, value: unknown, input: Uint8Array): string | undefined {
  if (s.codec === 'ServerName') return undefined; // the encoder writes host names only
  let encoded: string;
  try {
    encoded = toHex(s.encode(value as never));
  } catch (e) {
    return `accepted a value its encoder rejects: ${String(e)}`;
  }
  let expected = toHex(input);
  // The record header decoder reads the header and leaves the rest to the record layer.
  if (s.codec === 'RecordHeader' || s.codec === 'RecordHeaderWithCid') {
    expected = expected.slice(0, 2 * wire.recordHeaderLength(value as wire.RecordHeader));
  }
  // Likewise the unified header decoder; the subject's encoder appends a record body of its own.
  if (s.codec === 'UnifiedHeader' || s.codec === 'UnifiedHeaderWithCid') {
    const { headerLength } = value as wire.DecodedUnifiedHeader;
    expected = expected.slice(0, 2 * headerLength);
    encoded = encoded.slice(0, 2 * headerLength);
  }
  // A hello's empty extensions block decodes to [], which encodes with no block.
  if ((s.codec === 'ClientHello' || s.codec === 'ServerHello') && encoded + '0000' === expected) return undefined;
  return encoded === expected ? undefined : `accepted ${expected} but re-encodes to ${encoded}`;
}

/** The input inside a larger buffer, so an over-read would meet foreign bytes. */
function embedded(bytes: Uint8Array): Uint8Array {
  const host = new Uint8Array(bytes.length + 32).fill(0xa5);
  host.set(bytes, 16);
  return host.subarray(16, 16 + bytes.length);
}

function check(s: Subject, inputs: Iterable<Uint8Array>): string[] {
  const problems: string[] = [];
  for (const raw of inputs) {
    const problem = misbehaviour(s, embedded(raw));
    if (problem && problems.length < 5) problems.push(`${toHex(raw)}: ${problem}`);
  }
  return problems;
}

function* prefixes(bytes: Uint8Array): Generator<Uint8Array> {
  for (let n = 0; n <= bytes.length; n++) yield bytes.subarray(0, n);
}

function* mutations(seed: number, bytes: Uint8Array): Generator<Uint8Array> {
  const p = new Prng(seed);
  for (let i = 0; i < MUTATIONS; i++) yield mutate(p, bytes);
}

function* randomInputs(seed: number): Generator<Uint8Array> {
  const p = new Prng(seed);
  for (let i = 0; i < RANDOM_INPUTS; i++) yield p.blob(0, 64);
}

describe('decoders are total', () => {
  subjects.forEach((s, index) => {
    describe(s.name, () => {
      it('decodes every prefix to a Result without throwing', () => {
        expect(check(s, prefixes(s.bytes))).toEqual([]);
      });

      it(`decodes ${MUTATIONS} seeded mutations to a Result without throwing (seed ${index + 1})`, () => {
        expect(check(s, mutations(index + 1, s.bytes))).toEqual([]);
      });

      it(`decodes ${RANDOM_INPUTS} random byte strings to a Result without throwing`, () => {
        expect(check(s, randomInputs(1000 + index))).toEqual([]);
      });
    });
  });

  it('the golden bytes themselves decode and the check would catch a misbehaving decoder', () => {
    for (const s of subjects) expect(misbehaviour(s, embedded(s.bytes)), s.name).toBeUndefined();
    const throwing = { ...subjects[0], decode: () => { throw new Error('boom'); } };
    expect(misbehaviour(throwing, new Uint8Array(1))).toMatch(/threw/);
    const copying = { ...goldenCases.find((c) => c.codec === 'Finished')!, decode: (b: Uint8Array) => wire.ok({ verifyData: b.slice() }) };
    expect(misbehaviour(copying, embedded(new Uint8Array([1])))).toMatch(/outside its input/);
    const skipping = { ...goldenCases.find((c) => c.codec === 'Alert')!, decode: (b: Uint8Array) => wire.ok({ level: 1, description: b.length }) };
    expect(misbehaviour(skipping, embedded(new Uint8Array([1, 0, 0])))).toMatch(/re-encodes/);
  });
});
