import { concatBytes } from '@noble/hashes/utils.js';
import { utf8 } from '../../../lib/credentials/credential-store.js';
import { DtlsError } from '../../../lib/dtls-error.js';
import { openClientSession } from '../../../lib/endpoint/client.js';
import { Prng } from '../../wire/helpers/prng.js';
import { mutate } from '../../wire/helpers/mutate.js';
import { describeError } from './known-findings.js';
import { keyExchange } from './key-exchanges.js';
import { Lab, SERVER_ADDRESS, type Direction } from './lab.js';
import { headerSurgery, recordsOf } from './record13-fuzz.js';

/** The DTLS 1.3 suite of the endpoint fuzz; the server takes 1.2's PSK suite too. */
const SUITE13 = 'TLS_AES_128_GCM_SHA256';
const PSK = keyExchange('PSK');

/** A clean DTLS 1.3 handshake (and a little data) between our client and a server accepting 1.2 and 1.3, as sent. */
export interface Recording13 {
  readonly datagrams: ReadonlyArray<{ readonly direction: Direction; readonly data: Uint8Array }>;
}

export type Endpoint13Mode = 'tampered' | 'attacker-vs-server' | 'attacker-vs-client';

export interface Endpoint13CaseResult {
  /** Datagrams delivered to an endpoint. */
  readonly inputs: number;
  readonly clientEstablished: boolean;
  readonly violations: readonly string[];
}

/** A lab whose server accepts 1.2 and 1.3 and whose client (unless left out) offers 1.3 only. */
async function lab13(seed: number, tamper: ConstructorParameters<typeof Lab>[0]['tamper'], mode: Endpoint13Mode) {
  const lab = new Lab({
    setup: PSK,
    seed,
    tamper,
    withClient: false,
    withServer: mode !== 'attacker-vs-client',
    server: { versions: ['1.2', '1.3'], cipherSuites: [PSK.cipherSuite, SUITE13] },
  });
  if (mode !== 'attacker-vs-server') {
    // Lab.start() watches a 1.2 client's master secret; a 1.3 client is opened here instead.
    lab.client = await openClientSession({
      host: SERVER_ADDRESS.address,
      port: SERVER_ADDRESS.port,
      transport: lab.clientEnd,
      credentials: PSK.client.credentials,
      versions: ['1.3'],
      cipherSuites: [SUITE13],
      scheduler: lab.clock.scheduler,
      provider: lab.provider,
      handshakeTimeout: 20_000,
      keyLog: undefined,
    });
    lab.client.data$.subscribe({ next: (data) => lab.received.client.push(data), error: () => undefined });
  }
  return lab;
}

/** Records a clean 1.3 handshake with some data both ways: the captured datagrams the cases mutate and replay. */
export async function recordHandshake13(seed: number): Promise<Recording13> {
  const lab = await lab13(seed, undefined, 'tampered');
  const client = lab.client!;
  if (!lab.clock.runUntil(() => client.state !== 'handshaking', 10_000, 10) || client.state !== 'established') {
    throw new Error('recording a DTLS 1.3 handshake: the clean handshake did not complete');
  }
  client.send(utf8('recorded application data'));
  lab.clock.advanceBy(200);
  lab.close();
  return { datagrams: lab.sent.slice() };
}

const chance = (p: Prng, rate: number): boolean => p.fraction() < rate;

/**
 * One datagram made from genuine ones: a byte-level mutation, surgery on one unified header,
 * a record cut out, records of this and the other session's datagrams recombined, random
 * bytes, or a plain replay.
 */
function fuzzDatagram(p: Prng, data: Uint8Array, seen: readonly Uint8Array[], foreign: Recording13): Uint8Array {
  const other = (): Uint8Array => (p.bool() && seen.length > 0 ? p.pick(seen) : p.pick(foreign.datagrams).data);
  switch (p.int(7)) {
    case 0:
    case 1:
      return mutate(p, data);
    case 2:
      return headerSurgery(p, data, { cidLength: 0 });
    case 3: {
      const records = recordsOf(data);
      if (records.length < 2) return data.subarray(0, p.int(data.length + 1));
      records.splice(p.int(records.length), 1);
      return concatBytes(...records);
    }
    case 4: {
      const records = [...recordsOf(data), ...recordsOf(other())];
      return concatBytes(...records.filter(() => p.bool()));
    }
    case 5:
      return p.blob(0, p.bool() ? 20 : 300);
    default:
      return other();
  }
}

/**
 * One endpoint case of DTLS 1.3, fully determined by `seed` and the foreign recording.
 * tampered: our 1.3 client and the server accepting 1.2 and 1.3, the link dropping,
 * duplicating, reordering, mutating and adding datagrams, then forgeries at both ends while
 * data flows. attacker-vs-server / -vs-client: the other session's datagrams of that side
 * replayed and mutated at one genuine endpoint alone. Checked: no exception out of the
 * endpoints, nothing established on attacker input alone, a client established only with
 * a server session established, data only from the genuine peer and never twice, at most one
 * server session and none after close, and a client that ended, ended with a DtlsError.
 * Escapes and memory bounds are watched by the caller (EscapeTrap, BoundsProbe).
 */
export async function runEndpoint13Case(mode: Endpoint13Mode, seed: number, foreign: Recording13): Promise<Endpoint13CaseResult> {
  const p = new Prng(seed);
  const seen: Uint8Array[] = [];
  const rates = { drop: p.pick([0, 0.05, 0.2]), duplicate: p.pick([0, 0.1, 0.3]), reorder: p.pick([0, 0.1, 0.3]), mutate: p.pick([0, 0.05, 0.15, 0.4]), inject: p.pick([0, 0.2, 0.6, 1.5]) };
  const held: Record<Direction, Uint8Array[]> = { 'c>s': [], 's>c': [] };
  const tamper = (direction: Direction, data: Uint8Array): Uint8Array[] => {
    seen.push(data);
    const out: Uint8Array[] = [];
    if (!chance(p, rates.drop)) {
      const d = chance(p, rates.mutate) ? fuzzDatagram(p, data, seen, foreign) : data;
      out.push(d);
      if (chance(p, rates.duplicate)) out.push(d);
    }
    if (out.length > 0 && chance(p, rates.reorder)) held[direction].push(out.pop()!);
    else out.push(...held[direction].splice(0));
    for (let n = Math.floor(rates.inject) + (chance(p, rates.inject % 1) ? 1 : 0); n > 0; n--) out.splice(p.int(out.length + 1), 0, fuzzDatagram(p, data, seen, foreign));
    return out;
  };
  const lab = await lab13(seed ^ 0x1313, tamper, mode);
  const violations: string[] = [];
  const payloads = [0, 1, 2, 3].map((i) => `data ${seed} #${i}`);
  try {
    if (mode === 'tampered') {
      const client = lab.client!;
      lab.clock.runUntil(() => client.state !== 'handshaking', 25_000, 50);
      if (client.state === 'established') {
        client.send(utf8(payloads[0]));
        client.send(utf8(payloads[1]));
        for (let n = p.range(5, 20); n > 0; n--) {
          const direction: Direction = p.bool() ? 'c>s' : 's>c';
          lab.inject(direction, fuzzDatagram(p, p.pick(seen), seen, foreign));
          if (p.int(4) === 0) lab.clock.advanceBy(p.int(200));
        }
        lab.clock.advanceBy(500);
        if (client.state === 'established') client.send(utf8(payloads[2]));
        lab.clock.advanceBy(2_000);
      }
    } else {
      const direction: Direction = mode === 'attacker-vs-server' ? 'c>s' : 's>c';
      const own = foreign.datagrams.filter((d) => d.direction === direction).map((d) => d.data);
      for (let round = 0; round < 2; round++) {
        for (const data of own) {
          for (let n = p.range(1, 3); n > 0; n--) lab.inject(direction, p.int(3) === 0 ? data : fuzzDatagram(p, data, own, foreign));
          lab.clock.advanceBy(p.int(300));
        }
      }
      lab.clock.advanceBy(30_000);
    }
  } catch (error) {
    violations.push(`an exception escaped: ${describeError(error)}`);
  }
  const clientEstablished = lab.client?.info !== undefined;
  const serverEstablished = mode !== 'attacker-vs-client' && lab.serverEstablished.length > 0;
  if (mode !== 'tampered' && (clientEstablished || serverEstablished)) violations.push(`${mode}: an endpoint reached established on attacker input alone`);
  if (mode === 'tampered' && clientEstablished && !serverEstablished) violations.push('client established without a server session established');
  if (lab.client?.info && lab.client.info.version !== '1.3') violations.push(`client established ${lab.client.info.version}, not 1.3`);
  violations.push(...lab.dataViolations(payloads));
  if (mode !== 'attacker-vs-client' && lab.server.sessionCount > 1) violations.push(`server holds ${lab.server.sessionCount} sessions for one peer`);
  if (lab.client?.state === 'closed' && !(lab.client.error === undefined || lab.client.error instanceof DtlsError)) {
    violations.push(`the client ended with ${describeError(lab.client.error)}, not a DtlsError`);
  }
  try {
    lab.close();
    lab.clock.advanceBy(120_000);
  } catch (error) {
    violations.push(`an exception escaped while closing: ${describeError(error)}`);
  }
  if (mode !== 'attacker-vs-client' && lab.server.sessionCount !== 0) violations.push(`server kept ${lab.server.sessionCount} sessions after close`);
  return { inputs: lab.delivered, clientEstablished, violations };
}
