import { concatBytes } from '@noble/hashes/utils.js';
import { utf8 } from '../../../lib/credentials/credential-store.js';
import { splitRecords } from '../../../lib/record/split-records.js';
import { decodeClientHello, encodeClientHello } from '../../../lib/wire/client-hello.js';
import { ContentType, HandshakeType } from '../../../lib/wire/constants.js';
import { decodeHandshakeFragments, encodeHandshakeMessage } from '../../../lib/wire/handshake-header.js';
import { encodeRecordHeader } from '../../../lib/wire/record-header.js';
import { Prng } from '../../wire/helpers/prng.js';
import type { Recording } from './corpus.js';
import { cookieIn } from './hello.js';
import { describeError } from './known-findings.js';
import { Lab, type Direction } from './lab.js';
import { forgeDatagram, mutateDatagram, type MutationContext } from './mutations.js';

/**
 * tampered: the genuine client and server, with the network dropping, duplicating,
 * reordering, mutating and adding datagrams. attacker-vs-server: no genuine client;
 * the attacker replays another session's client flights (answering the cookie
 * exchange for real), mutated and mixed with forgeries. attacker-vs-client: the same
 * against a genuine client, with no genuine server.
 */
export type EndpointMode = 'tampered' | 'attacker-vs-server' | 'attacker-vs-client';

export interface EndpointCaseResult {
  /** Datagrams delivered to an endpoint. */
  readonly inputs: number;
  readonly clientEstablished: boolean;
  readonly serverEstablished: boolean;
  /** Sessions the server created (cookie exchanges passed). */
  readonly serverSessions: number;
  readonly violations: readonly string[];
}

interface Profile {
  drop: number;
  duplicate: number;
  reorder: number;
  mutate: number;
  /** Forged datagrams added per genuine one, on average. */
  inject: number;
}

function profile(p: Prng): Profile {
  return {
    drop: p.pick([0, 0, 0.05, 0.2]),
    duplicate: p.pick([0, 0.1, 0.3]),
    reorder: p.pick([0, 0.1, 0.3]),
    mutate: p.pick([0, 0.05, 0.15, 0.4]),
    inject: p.pick([0, 0.2, 0.6, 1.5]),
  };
}

const chance = (p: Prng, rate: number): boolean => p.next() / 0x1_0000_0000 < rate;

function injections(p: Prng, rate: number): number {
  return Math.floor(rate) + (chance(p, rate - Math.floor(rate)) ? 1 : 0);
}

/**
 * One endpoint fuzz case, fully determined by `seed` (with the recording it
 * draws replays and real message bodies from). Returns what broke of the
 * invariants the lab checks: handshake soundness, application data only from
 * the genuine peer and never twice, at most one session per peer address.
 * Escaped exceptions and memory bounds are watched by the caller (EscapeTrap,
 * BoundsProbe), which sees every case.
 */
export async function runEndpointCase(mode: EndpointMode, seed: number, foreign: Recording): Promise<EndpointCaseResult> {
  const p = new Prng(seed);
  const setup = foreign.setup;
  const seen: Uint8Array[] = [];
  // Half the tampered cases run with Connection IDs both ways (RFC 9146): tls12_cid records
  // through the mutations and forgeries, routed by CID at the server.
  const cidLength = mode === 'tampered' && (seed & 1) === 1 ? 4 : undefined;
  const ctx: MutationContext = { seen, foreign, cidLength };
  const rates = profile(p);
  const held: Record<Direction, Uint8Array[]> = { 'c>s': [], 's>c': [] };
  const tamper = (direction: Direction, data: Uint8Array): Uint8Array[] => {
    seen.push(data);
    const out: Uint8Array[] = [];
    if (!chance(p, rates.drop)) {
      const d = chance(p, rates.mutate) ? mutateDatagram(p, data, ctx) : data;
      out.push(d);
      if (chance(p, rates.duplicate)) out.push(d);
    }
    if (out.length > 0 && chance(p, rates.reorder)) held[direction].push(out.pop()!);
    else out.push(...held[direction].splice(0));
    for (let n = injections(p, rates.inject); n > 0; n--) out.splice(p.int(out.length + 1), 0, forgeDatagram(p, ctx));
    return out;
  };
  const lab = new Lab({
    setup,
    seed: seed ^ 0x5eed,
    tamper,
    withClient: mode !== 'attacker-vs-server',
    ...(cidLength !== undefined && { client: { connectionId: { length: cidLength } }, server: { connectionId: { length: cidLength } } }),
    withServer: mode !== 'attacker-vs-client',
  });
  await lab.start();
  const violations: string[] = [];
  try {
    if (mode === 'tampered') runTampered(p, lab, ctx, dataSent(seed));
    else runAttacker(p, lab, ctx, mode === 'attacker-vs-server' ? 'c>s' : 's>c');
  } catch (error) {
    violations.push(`an exception escaped: ${describeError(error)}`);
  }
  const clientEstablished = lab.client?.info !== undefined;
  const serverEstablished = mode !== 'attacker-vs-client' && lab.serverEstablished.length > 0;
  if (mode !== 'tampered' && (clientEstablished || serverEstablished)) {
    violations.push(`${mode}: an endpoint reached established on attacker input alone`);
  }
  violations.push(...lab.establishmentViolations());
  violations.push(...lab.dataViolations(dataSent(seed)));
  if (mode !== 'attacker-vs-client' && lab.server.sessionCount > 1) violations.push(`server holds ${lab.server.sessionCount} sessions for one peer`);
  try {
    lab.close();
    lab.clock.advanceBy(120_000);
  } catch (error) {
    violations.push(`an exception escaped while closing: ${describeError(error)}`);
  }
  if (mode !== 'attacker-vs-client' && lab.server.sessionCount !== 0) violations.push(`server kept ${lab.server.sessionCount} sessions after close`);
  const serverSessions = mode === 'attacker-vs-client' ? 0 : lab.serverSessions.length;
  return { inputs: lab.delivered, clientEstablished, serverEstablished, serverSessions, violations };
}

function dataSent(seed: number): string[] {
  return [0, 1, 2, 3, 4].map((i) => `data ${seed} #${i}`);
}

function runTampered(p: Prng, lab: Lab, ctx: MutationContext, payloads: readonly string[]): void {
  const client = lab.client!;
  lab.clock.runUntil(() => client.state !== 'handshaking', 25_000, 50);
  if (client.state !== 'established') return;
  const sendSome = (from: number, to: number): void => {
    for (let i = from; i < to; i++) if (client.state === 'established') client.send(utf8(payloads[i]));
  };
  sendSome(0, 3);
  // After the handshake: forgeries and replays straight at both endpoints.
  for (let n = p.range(5, 25); n > 0; n--) {
    const direction: Direction = p.bool() ? 'c>s' : 's>c';
    lab.inject(direction, p.bool() ? forgeDatagram(p, ctx) : mutateDatagram(p, p.pick(ctx.seen), ctx));
    if (p.int(4) === 0) lab.clock.advanceBy(p.int(200));
  }
  lab.clock.advanceBy(500);
  sendSome(3, 5);
  lab.clock.advanceBy(2_000);
}

/**
 * An attacker alone against one endpoint: another session's flights replayed,
 * with the cookie exchange answered properly so the server gets past its gate,
 * mutated and mixed with forgeries.
 */
function runAttacker(p: Prng, lab: Lab, ctx: MutationContext, direction: Direction): void {
  const own = ctx.foreign.datagrams.filter((d) => d.direction === direction).map((d) => d.data);
  const inbox = direction === 'c>s' ? lab.clientEnd : lab.serverEnd;
  let cookie: Uint8Array | undefined;
  inbox.datagrams$.subscribe(({ data }) => {
    if (direction === 'c>s') cookie ??= cookieIn(data);
  });
  lab.clock.advanceBy(p.int(50));
  for (let round = 0; round < 2; round++) {
    for (const data of own) {
      const genuine = cookie && direction === 'c>s' ? withCookie(data, cookie) : data;
      for (let n = p.range(1, 3); n > 0; n--) {
        const pick = p.int(4);
        lab.inject(direction, pick === 0 ? genuine : pick === 1 ? mutateDatagram(p, genuine, ctx) : pick === 2 ? forgeDatagram(p, ctx) : genuine);
      }
      lab.clock.advanceBy(p.int(300));
    }
  }
  lab.clock.advanceBy(30_000);
}

/** A datagram whose first record is a whole ClientHello, re-encoded with `cookie`; others unchanged. */
function withCookie(data: Uint8Array, cookie: Uint8Array): Uint8Array {
  const [first] = splitRecords(data).records;
  if (!first || first.header.contentType !== ContentType.handshake) return data;
  const fragments = decodeHandshakeFragments(first.fragment);
  if (!fragments.ok || fragments.value.length !== 1 || fragments.value[0].msgType !== HandshakeType.client_hello) return data;
  const hello = decodeClientHello(fragments.value[0].body);
  if (!hello.ok) return data;
  const message = encodeHandshakeMessage(HandshakeType.client_hello, fragments.value[0].messageSeq, encodeClientHello({ ...hello.value, cookie }));
  return concatBytes(encodeRecordHeader({ ...first.header, length: message.length }), message);
}
