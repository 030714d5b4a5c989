import type { PeerAuthenticator } from '../../../lib/handshake/peer-authentication.js';
import { BoundsProbe, type BoundsReport } from './bounds.js';
import { recordHandshake, type Recording } from './corpus.js';
import { decoderTargets, fuzzDecoders, type DecoderTarget, type Dtls13Inputs } from './decoder-fuzz.js';
import { recordHandshake13 } from './endpoint13-fuzz.js';
import { CONFIGURATIONS13, recordTranscript13 } from './handshake13-fuzz.js';
import { runEndpointCase, type EndpointMode } from './endpoint-fuzz.js';
import { EscapeTrap } from './escape-trap.js';
import { KEY_EXCHANGES, keyExchange } from './key-exchanges.js';
import { classify, describeError } from './known-findings.js';

export interface CampaignOptions {
  /** Stop once this many inputs (decoder inputs plus datagrams delivered to endpoints) have run. */
  readonly inputs: number;
  readonly seed: number;
  /** The share of inputs that go to the endpoints (the rest to the decoders). */
  readonly endpointShare: number;
  /** Called now and then with the figures so far. */
  readonly onProgress?: (stats: CampaignStats) => void;
  readonly progressEveryMs?: number;
}

/** One endpoint case that showed something no known finding explains: enough to replay it. */
export interface NewFinding {
  readonly mode: EndpointMode;
  readonly setup: string;
  readonly caseSeed: number;
  readonly recordingSeed: number;
  readonly texts: readonly string[];
}

export interface CampaignStats {
  seed: number;
  inputs: number;
  decoderInputs: number;
  endpointInputs: number;
  endpointCases: number;
  casesByMode: Record<EndpointMode, number>;
  /** Tampered cases whose handshake still completed (so the established-state paths ran too). */
  establishedCases: number;
  knownFindings: Record<string, number>;
  newFindings: NewFinding[];
  decoderProblems: Array<{ target: string; input: string; problem: string }>;
  bounds: BoundsReport;
  durationMs: number;
  heapUsedMb: number;
}

const MODES: readonly EndpointMode[] = ['tampered', 'tampered', 'attacker-vs-server', 'attacker-vs-client'];
const DECODER_BATCH = 5_000;

/** Derives independent per-case seeds from the campaign seed (a 32-bit mix, so cases differ in every bit). */
export function caseSeed(seed: number, index: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The recordings (one real handshake per key exchange) a campaign mutates, made with seeds derived from its own. */
export async function recordAll(seed: number): Promise<Recording[]> {
  const recordings: Recording[] = [];
  for (const [i, setup] of KEY_EXCHANGES.entries()) recordings.push(await recordHandshake(setup, caseSeed(seed, 1_000_000 + i)));
  return recordings;
}

/** Real DTLS 1.3 inputs for the decoders: every message of a clean transcript of each 1.3 configuration, and a captured 1.3 exchange. */
export async function record13(seed: number): Promise<Dtls13Inputs> {
  const transcripts = await Promise.all(CONFIGURATIONS13.map((c, i) => recordTranscript13(c, caseSeed(seed, 3_000_000 + i))));
  const exchange = await recordHandshake13(caseSeed(seed, 3_100_000));
  return { messages: transcripts.flatMap((t) => [...t.fromClient, ...t.fromServer]), datagrams: exchange.datagrams.map((d) => d.data) };
}

/** The certificate checkers the decoder fuzz feeds: X.509 chain validation and raw public key pinning. */
export function authenticators(): PeerAuthenticator[] {
  const x509 = keyExchange('ECDHE_ECDSA X.509');
  const rpk = keyExchange('ECDHE_ECDSA raw public keys mutual');
  return [x509.client.credentials.authenticator(0, { role: 'server', serverName: x509.client.serverName })!, rpk.server.credentials.authenticator(0, { role: 'client' })!];
}

/**
 * A fuzz campaign: decoder inputs and endpoint cases interleaved until `inputs`
 * have run, every case checked against the invariants, escapes trapped, bounds
 * probed. Deterministic for a seed, apart from timing.
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignStats> {
  const started = performance.now();
  const trap = new EscapeTrap();
  const probe = new BoundsProbe();
  const recordings = await recordAll(options.seed);
  const targets: DecoderTarget[] = decoderTargets(recordings, authenticators(), await record13(options.seed));
  const stats: CampaignStats = {
    seed: options.seed,
    inputs: 0,
    decoderInputs: 0,
    endpointInputs: 0,
    endpointCases: 0,
    casesByMode: { tampered: 0, 'attacker-vs-server': 0, 'attacker-vs-client': 0 },
    establishedCases: 0,
    knownFindings: {},
    newFindings: [],
    decoderProblems: [],
    bounds: probe.report,
    durationMs: 0,
    heapUsedMb: 0,
  };
  let lastProgress = performance.now();
  let batch = 0;
  try {
    while (stats.inputs < options.inputs) {
      if (stats.endpointInputs <= options.endpointShare * stats.inputs) {
        const index = stats.endpointCases;
        const mode = MODES[index % MODES.length];
        const recording = recordings[Math.floor(index / MODES.length) % recordings.length];
        const seed = caseSeed(options.seed, index);
        const texts: string[] = [];
        let result;
        try {
          result = await runEndpointCase(mode, seed, recording);
          texts.push(...result.violations);
        } catch (error) {
          texts.push(`the case itself failed: ${describeError(error)}`);
        }
        await trap.settle();
        texts.push(...trap.escaped.splice(0).map(describeError));
        const { known, unknown } = classify(texts);
        for (const id of known) stats.knownFindings[id] = (stats.knownFindings[id] ?? 0) + 1;
        if (unknown.length > 0 && stats.newFindings.length < 50) {
          stats.newFindings.push({ mode, setup: recording.setup.name, caseSeed: seed, recordingSeed: caseSeed(options.seed, 1_000_000 + KEY_EXCHANGES.indexOf(recording.setup)), texts: unknown });
        }
        stats.endpointCases++;
        stats.casesByMode[mode]++;
        if (result?.clientEstablished && mode === 'tampered') stats.establishedCases++;
        stats.endpointInputs += result?.inputs ?? 0;
        stats.inputs += result?.inputs ?? 0;
      } else {
        const count = Math.min(DECODER_BATCH, Math.max(1, options.inputs - stats.inputs));
        const { problems } = fuzzDecoders(targets, caseSeed(options.seed, 2_000_000_000 + batch++), count);
        stats.decoderProblems.push(...problems.slice(0, Math.max(0, 50 - stats.decoderProblems.length)));
        stats.decoderInputs += count;
        stats.inputs += count;
      }
      if (options.onProgress && performance.now() - lastProgress >= (options.progressEveryMs ?? 30_000)) {
        lastProgress = performance.now();
        options.onProgress(finish(stats, started));
      }
    }
  } finally {
    probe.dispose();
    trap.dispose();
  }
  return finish(stats, started);
}

function finish(stats: CampaignStats, started: number): CampaignStats {
  stats.durationMs = performance.now() - started;
  stats.heapUsedMb = process.memoryUsage().heapUsed / 1e6;
  return stats;
}
