import { bytesToHex } from '@noble/hashes/utils.js';
import { NamedGroup } from '../../../lib/crypto/ecdhe.js';
import { ClientHandshake13, type ClientHandshake13Options } from '../../../lib/handshake/client-handshake13.js';
import { exchangeCookie13 } from '../../../lib/handshake/cookie-exchange13.js';
import type { Flight } from '../../../lib/handshake/flight.js';
import type { HandshakeMessage } from '../../../lib/handshake/handshake-message.js';
import type { HandshakeStep } from '../../../lib/handshake/handshake-step.js';
import { ServerHandshake13, type ServerHandshake13Options } from '../../../lib/handshake/server-handshake13.js';
import { AlertDescription } from '../../../lib/wire/alert.js';
import { decodeClientHello } from '../../../lib/wire/client-hello.js';
import { HandshakeType } from '../../../lib/wire/constants.js';
import { handshakeMessages } from '../../handshake/helpers/handshake-pair.js';
import { PEER, client13Options, secrets, server13Options } from '../../handshake/helpers/handshake13-pair.js';
import { mutate } from '../../wire/helpers/mutate.js';
import { Prng } from '../../wire/helpers/prng.js';
import { describeError } from './known-findings.js';
import { seededProvider } from './seeded-provider.js';

/** A 1.3 configuration of both state machines that completes, and the messages of one clean run of it. */
export interface Transcript13 {
  readonly name: string;
  /** Seeds both sides' randomness (hello randoms, key shares): the same seed replays the same handshake. */
  readonly seed: number;
  readonly client: ClientHandshake13Options;
  readonly server: ServerHandshake13Options;
  /** ClientHello 1, ClientHello 2 (with the cookie), Finished. */
  readonly fromClient: readonly HandshakeMessage[];
  /** HelloRetryRequest, ServerHello, EncryptedExtensions, Finished. */
  readonly fromServer: readonly HandshakeMessage[];
}

type Configuration = Pick<Transcript13, 'name' | 'client' | 'server'>;

/** The 1.3 handshakes with an external PSK, each taking its own path through both machines. */
export const CONFIGURATIONS13: readonly Configuration[] = [
  { name: 'psk_dhe_ke x25519, AES-128-GCM', client: client13Options(), server: server13Options() },
  {
    name: 'psk_dhe_ke secp256r1 asked for in the HelloRetryRequest, CHACHA20-POLY1305',
    client: client13Options({ cipherSuites: client13Options().cipherSuites.filter((s) => s.name === 'TLS_CHACHA20_POLY1305_SHA256') }),
    server: server13Options({ groups: [NamedGroup.secp256r1] }),
  },
  {
    name: 'psk_ke, AES-128-CCM-8',
    client: client13Options({ keyExchanges: ['psk_ke'], cipherSuites: client13Options().cipherSuites.filter((s) => s.name === 'TLS_AES_128_CCM_8_SHA256') }),
    server: server13Options(),
  },
];

/**
 * What the stateless gate of a 1.3 server does with a ClientHello: drop one it cannot decode,
 * else exchangeCookie13; a verified cookie starts a server whose randomness is seeded afresh
 * from `seed`, so that it answers the recorded ClientHello with the recorded flight.
 */
function gate(message: HandshakeMessage, configuration: ServerHandshake13Options, seed: number) {
  const options = { ...configuration, provider: seededProvider(seed ^ 0x5e7e) };
  const hello = decodeClientHello(message.body);
  if (!hello.ok) return { kind: 'dropped' as const };
  const exchange = exchangeCookie13(secrets(), PEER, message, hello.value, { ...options, psk: options.pskLookup !== undefined });
  if (exchange.kind === 'verified') return { kind: 'verified' as const, server: new ServerHandshake13(options, message, hello.value, exchange.retry) };
  return exchange;
}

const only = (flight: Flight | undefined): HandshakeMessage[] => (flight ? handshakeMessages(flight) : []);

/** Runs one clean handshake of `configuration`, the client seeded with `seed`, and keeps every message. */
export async function recordTranscript13(configuration: Configuration, seed: number): Promise<Transcript13> {
  const client = new ClientHandshake13({ ...configuration.client, provider: seededProvider(seed) });
  const [hello1] = only(client.start().flight);
  const retry = gate(hello1, configuration.server, seed);
  if (retry.kind !== 'retry') throw new Error(`${configuration.name}: the gate answered ${retry.kind}`);
  const [hello2] = only((await client.onMessage(retry.helloRetryRequest)).flight);
  const verified = gate(hello2, configuration.server, seed);
  if (verified.kind !== 'verified') throw new Error(`${configuration.name}: the cookie did not verify`);
  const serverFlight = only((await verified.server.start()).flight);
  const steps: HandshakeStep[] = [];
  for (const message of serverFlight) steps.push(await client.onMessage(message));
  const clientFinished = steps.flatMap((s) => only(s.flight));
  const [last] = await Promise.all(clientFinished.map((m) => verified.server.onMessage(m)));
  if (!client.isEstablished || !last?.established13) throw new Error(`${configuration.name}: the clean handshake did not complete`);
  return { ...configuration, seed, fromClient: [hello1, hello2, ...clientFinished], fromServer: [retry.helloRetryRequest, ...serverFlight] };
}

const sameMessage = (a: HandshakeMessage, b: HandshakeMessage): boolean => a.msgType === b.msgType && bytesToHex(a.body) === bytesToHex(b.body);
const HANDSHAKE_TYPES: readonly number[] = Object.values(HandshakeType);
const ALERTS: ReadonlySet<number> = new Set<number>(Object.values(AlertDescription));

/**
 * A mutated copy of one side's recorded messages: one to three of a body mutated
 * (spec/wire's byte-level mutations), cut short or replaced by random bytes, a message
 * type or message_seq changed, a message dropped, repeated or swapped with its
 * neighbour, or one taken from another configuration's transcript.
 */
export function mutateMessages(p: Prng, messages: readonly HandshakeMessage[], foreign: readonly HandshakeMessage[]): HandshakeMessage[] {
  const out = messages.map((m) => ({ ...m }));
  for (let ops = p.range(1, 3); ops > 0; ops--) {
    if (out.length === 0) out.push({ ...p.pick(foreign) });
    const i = p.int(out.length);
    const m = out[i];
    switch (p.int(9)) {
      case 0:
      case 1:
        out[i] = { ...m, body: mutate(p, m.body) };
        break;
      case 2:
        out[i] = { ...m, body: m.body.subarray(0, p.int(m.body.length + 1)) };
        break;
      case 3:
        out[i] = { ...m, body: p.blob(0, p.bool() ? 8 : 200) };
        break;
      case 4:
        out[i] = { ...m, msgType: p.pick(HANDSHAKE_TYPES) };
        break;
      case 5:
        out[i] = { ...m, messageSeq: p.int(8) };
        break;
      case 6:
        out.splice(i, 1);
        break;
      case 7:
        if (p.bool()) out.splice(i, 0, { ...m });
        else if (i + 1 < out.length) [out[i], out[i + 1]] = [out[i + 1], out[i]];
        break;
      default:
        out.splice(p.int(out.length + 1), p.bool() ? 1 : 0, { ...p.pick(foreign) });
    }
  }
  return out;
}

/** One state machine fuzz case: what was delivered, what happened, and what broke. */
export interface MachineCaseResult {
  readonly messages: number;
  readonly outcome: 'established' | 'failed' | 'waiting';
  /** Whether the mutation left the messages that reached the machine as recorded (type and body). */
  readonly pristine: boolean;
  readonly problems: readonly string[];
}

/** Checks one step: a failure carries a known alert; nothing is established unless `mayEstablish`. */
export function stepProblems(step: HandshakeStep, mayEstablish: boolean): string[] {
  const problems: string[] = [];
  if (step.failure && !ALERTS.has(step.failure.alert)) problems.push(`failed with alert ${step.failure.alert}, not an AlertDescription`);
  if (step.failure && step.established13) problems.push('failed and established in one step');
  if (step.established13 && !mayEstablish) problems.push('established on mutated messages');
  return problems;
}

async function safely(run: () => unknown): Promise<{ step?: HandshakeStep; problem?: string }> {
  try {
    return { step: (await run()) as HandshakeStep };
  } catch (error) {
    return { problem: `threw: ${describeError(error)}` };
  }
}

/**
 * The client's state machine, replaying the recorded client (same seed, so the same
 * ClientHello and keys), fed the server's recorded messages mutated. Contract: no
 * exception, every step NOTHING, a flight or a failure with an alert, and never
 * established unless each message it was given up to then is the recorded one.
 */
export async function fuzzClient13(p: Prng, transcript: Transcript13, foreign: readonly HandshakeMessage[]): Promise<MachineCaseResult> {
  const client = new ClientHandshake13({ ...transcript.client, provider: seededProvider(transcript.seed) });
  const problems: string[] = [];
  const [hello1] = only(client.start().flight);
  if (!sameMessage(hello1, transcript.fromClient[0])) problems.push('the replayed client did not send the recorded ClientHello');
  const messages = mutateMessages(p, transcript.fromServer, foreign);
  let pristine = true;
  let outcome: MachineCaseResult['outcome'] = 'waiting';
  for (const [i, message] of messages.entries()) {
    pristine &&= i < transcript.fromServer.length && sameMessage(message, transcript.fromServer[i]);
    const { step, problem } = await safely(() => client.onMessage(message));
    if (problem) problems.push(problem);
    if (!step) break;
    problems.push(...stepProblems(step, pristine));
    if (step.established13) outcome = 'established';
    if (step.failure) {
      outcome = 'failed';
      break;
    }
  }
  return { messages: messages.length, outcome, pristine: pristine && messages.length >= transcript.fromServer.length, problems };
}

/**
 * The server side, through the stateless gate as a DtlsServer runs it: the client's
 * recorded messages mutated; a ClientHello goes to the gate until a cookie verifies, and
 * everything after to the server that the gate started. Same contract as the client's;
 * established only when the ClientHello that started the server and every message after
 * it are the recorded ones (a mutated first ClientHello leaves nothing behind: the server
 * keeps no state before the cookie).
 */
export async function fuzzServer13(p: Prng, transcript: Transcript13, foreign: readonly HandshakeMessage[]): Promise<MachineCaseResult> {
  const problems: string[] = [];
  const messages = mutateMessages(p, transcript.fromClient, foreign);
  let server: ServerHandshake13 | undefined;
  let pristine = false;
  let received = 0;
  let outcome: MachineCaseResult['outcome'] = 'waiting';
  const [, hello2, ...rest] = transcript.fromClient;
  for (const message of messages) {
    let result: { step?: HandshakeStep; problem?: string };
    if (!server) {
      if (message.msgType !== HandshakeType.client_hello) continue;
      let answer: ReturnType<typeof gate> | undefined;
      try {
        answer = gate(message, transcript.server, transcript.seed);
      } catch (error) {
        problems.push(`the gate threw: ${describeError(error)}`);
        break;
      }
      if (answer.kind === 'refuse' && !ALERTS.has(answer.alert)) problems.push(`the gate refused with alert ${answer.alert}`);
      if (answer.kind !== 'verified') continue;
      server = answer.server;
      pristine = sameMessage(message, hello2);
      result = await safely(() => server!.start());
    } else {
      pristine &&= received < rest.length && sameMessage(message, rest[received]);
      received++;
      result = await safely(() => server!.onMessage(message));
    }
    if (result.problem) problems.push(result.problem);
    if (!result.step) break;
    problems.push(...stepProblems(result.step, pristine));
    if (result.step.established13) outcome = 'established';
    if (result.step.failure) {
      outcome = 'failed';
      break;
    }
  }
  return { messages: messages.length, outcome, pristine, problems };
}
