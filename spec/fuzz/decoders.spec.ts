// Every parser of network bytes (the lib/wire decoders, splitRecords, and the SPKI/DER/
// certificate checks behind the Certificate message) fed random bytes and mutations of real
// flights recorded from in-process handshakes of every key exchange. The contract: never
// throw, answer a Result (or null / a PeerCheck), return only views inside the input.
// Long runs: npx tsx bench/fuzz/run.ts --inputs 10000000 --seed 1
import { describe, expect, it } from 'vitest';
import * as wire from '../../lib/wire/index.js';
import { authenticators, record13, recordAll } from './helpers/campaign.js';
import { decoderMisbehaviour, decoderTargets, fuzzDecoders, type DecoderTarget } from './helpers/decoder-fuzz.js';
import { KEY_EXCHANGES } from './helpers/key-exchanges.js';

const SEED = 20261122;
const INPUTS_PER_TARGET = 3_000;

const recordings = await recordAll(SEED);
const dtls13 = await record13(SEED);
const targets = decoderTargets(recordings, authenticators(), dtls13);

describe('the recorded flights the decoders are fuzzed from', () => {
  it('hold a real handshake of every key exchange, both directions, every handshake message type', () => {
    expect(recordings.map((r) => r.setup.name)).toEqual(KEY_EXCHANGES.map((k) => k.name));
    for (const r of recordings) {
      expect(r.datagrams.some((d) => d.direction === 'c>s') && r.datagrams.some((d) => d.direction === 's>c')).toBe(true);
    }
    const types = new Set(recordings.flatMap((r) => [...r.bodies.keys()]));
    const H = wire.HandshakeType;
    for (const type of [H.client_hello, H.hello_verify_request, H.server_hello, H.certificate, H.server_key_exchange, H.certificate_request, H.server_hello_done, H.certificate_verify, H.client_key_exchange]) {
      expect(types.has(type), `message type ${type}`).toBe(true);
    }
  });

  it('hold real DTLS 1.3 handshakes too: every message of both sides and captured unified-header datagrams', () => {
    const H = wire.HandshakeType;
    expect(new Set(dtls13.messages.map((m) => m.msgType))).toEqual(new Set([H.client_hello, H.server_hello, H.encrypted_extensions, H.finished]));
    expect(dtls13.datagrams.some((d) => wire.isUnifiedHeader(d[0]))).toBe(true);
    // The 1.3 extension decoders start from real extensions, not only the golden vectors.
    for (const name of ['decodeKeyShareOffer', 'decodeKeyShareSelected', 'decodeKeyShareRetry', 'decodeOfferedPsks', 'decodeSelectedIdentity', 'decodeCookieExtension', 'decodeEncryptedExtensions']) {
      const target = targets.find((t) => t.name === name)!;
      expect(target.seeds.length, name).toBeGreaterThan(goldenCount(name));
    }
  });

  it('give every Result decoder at least one real input it accepts, so mutations start from valid messages', () => {
    for (const target of targets.filter((t) => t.contract === 'result')) {
      const accepted = target.seeds.some((seed) => (target.run(seed) as wire.Result<unknown>).ok);
      expect(accepted, target.name).toBe(true);
    }
  });
});

/** How many seeds a 1.3 target has without real handshakes (the golden vectors alone). */
function goldenCount(name: string): number {
  return decoderTargets([], [], undefined).find((t) => t.name === name)!.seeds.length;
}

describe(`every decoder of network bytes keeps its contract on ${INPUTS_PER_TARGET} seeded inputs`, () => {
  it.each(targets.map((t, i) => [t.name, t, i] as const))('%s', (_, target, index) => {
    const { problems } = fuzzDecoders([target], SEED + index, INPUTS_PER_TARGET);
    expect(problems).toEqual([]);
  });
});

describe('the contract checks can fail', () => {
  const finished = targets.find((t) => t.name === 'decodeFinished')!;
  const embedded = (bytes: Uint8Array): Uint8Array => {
    const host = new Uint8Array(bytes.length + 8);
    host.set(bytes, 4);
    return host.subarray(4, 4 + bytes.length);
  };

  it('catches a decoder that throws, copies its input, or answers something that is not a Result', () => {
    const throwing: DecoderTarget = {
      ...finished,
      run: () => {
        throw new RangeError('boom');
      },
    };
    expect(decoderMisbehaviour(throwing, new Uint8Array(12))).toMatch(/^threw/);
    const copying: DecoderTarget = { ...finished, run: (b) => wire.ok({ verifyData: b.slice() }) };
    expect(decoderMisbehaviour(copying, embedded(new Uint8Array(12)))).toMatch(/outside its input/);
    const bare: DecoderTarget = { ...finished, run: () => ({ verifyData: new Uint8Array(12) }) };
    expect(decoderMisbehaviour(bare, new Uint8Array(12))).toBe('not a Result');
  });

  it('catches a record splitter whose records leave the datagram', () => {
    const split = targets.find((t) => t.name === 'splitRecords')!;
    const datagram = embedded(split.seeds[0]);
    const outside: DecoderTarget = { ...split, run: (b) => ({ records: [{ header: { length: 4 }, fragment: new Uint8Array(4) }], malformed: 0, b }) };
    expect(decoderMisbehaviour(outside, datagram)).toMatch(/outside the datagram/);
    expect(decoderMisbehaviour(split, datagram)).toBeUndefined();
  });
});
