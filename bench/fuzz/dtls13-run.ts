import { parseArgs } from 'node:util';
import { BoundsProbe } from '../../spec/fuzz/helpers/bounds.js';
import { caseSeed } from '../../spec/fuzz/helpers/campaign.js';
import { recordHandshake13, runEndpoint13Case, type Endpoint13Mode } from '../../spec/fuzz/helpers/endpoint13-fuzz.js';
import { EscapeTrap } from '../../spec/fuzz/helpers/escape-trap.js';
import { CONFIGURATIONS13, fuzzClient13, fuzzServer13, recordTranscript13, type MachineCaseResult } from '../../spec/fuzz/helpers/handshake13-fuzz.js';
import { describeError } from '../../spec/fuzz/helpers/known-findings.js';
import { Prng } from '../../spec/wire/helpers/prng.js';

/**
 * A long fuzz run of DTLS 1.3 (the CI runs are spec/fuzz/state-machines13.spec.ts and
 * spec/fuzz/endpoints13.spec.ts; the 1.3 decoders run in bench/fuzz/run.ts with the others):
 *   npx tsx bench/fuzz/dtls13-run.ts --cases 100000 --seed 1
 * --cases state machine cases (half client, half server, over every 1.3 configuration);
 * --endpoint-cases endpoint cases (default a fifth of --cases: half tampered, a quarter each
 * attacker against the server and against the client). Prints a JSON report; exit status 1
 * when any case broke the contract (each names its case seed, to replay).
 */
const { values } = parseArgs({ options: { cases: { type: 'string', default: '100000' }, 'endpoint-cases': { type: 'string' }, seed: { type: 'string', default: '1' } } });
const seed = Number(values.seed);
const cases = Number(values.cases);
const endpointCases = Number(values['endpoint-cases'] ?? Math.round(cases / 5));
const started = performance.now();
const trap = new EscapeTrap();
const probe = new BoundsProbe();

const transcripts = await Promise.all(CONFIGURATIONS13.map((c, i) => recordTranscript13(c, caseSeed(seed, 1_000_000 + i))));
const machines = { cases: 0, messages: 0, established: 0, failed: 0, waiting: 0, problems: [] as Array<{ side: string; configuration: string; caseSeed: number; texts: readonly string[] }> };
for (let i = 0; i < cases; i++) {
  const transcript = transcripts[i % transcripts.length];
  const side = Math.floor(i / transcripts.length) % 2 === 0 ? 'client' : 'server';
  const others = transcripts.filter((t) => t !== transcript);
  const s = caseSeed(seed, i);
  const result: MachineCaseResult =
    side === 'client'
      ? await fuzzClient13(new Prng(s), transcript, others.flatMap((t) => t.fromServer))
      : await fuzzServer13(new Prng(s), transcript, others.flatMap((t) => t.fromClient));
  machines.cases++;
  machines.messages += result.messages;
  machines[result.outcome]++;
  if (result.problems.length > 0 && machines.problems.length < 50) machines.problems.push({ side, configuration: transcript.name, caseSeed: s, texts: result.problems });
}
const machineSeconds = (performance.now() - started) / 1000;

const foreign = await recordHandshake13(caseSeed(seed, 2_000_000));
const MODES: readonly Endpoint13Mode[] = ['tampered', 'tampered', 'attacker-vs-server', 'attacker-vs-client'];
const endpoints = { cases: 0, datagrams: 0, established: 0, byMode: { tampered: 0, 'attacker-vs-server': 0, 'attacker-vs-client': 0 }, problems: [] as Array<{ mode: string; caseSeed: number; texts: readonly string[] }> };
for (let i = 0; i < endpointCases; i++) {
  const mode = MODES[i % MODES.length];
  const s = caseSeed(seed, 5_000_000 + i);
  let texts: string[];
  try {
    const result = await runEndpoint13Case(mode, s, foreign);
    texts = [...result.violations];
    endpoints.datagrams += result.inputs;
    if (result.clientEstablished) endpoints.established++;
  } catch (error) {
    texts = [`the case itself failed: ${describeError(error)}`];
  }
  await trap.settle();
  texts.push(...trap.escaped.splice(0).map(describeError));
  if (texts.length > 0 && endpoints.problems.length < 50) endpoints.problems.push({ mode, caseSeed: s, texts });
  endpoints.cases++;
  endpoints.byMode[mode]++;
}
probe.dispose();
trap.dispose();

const report = {
  node: process.version,
  seed,
  stateMachines: { ...machines, seconds: Math.round(machineSeconds) },
  endpoints: { ...endpoints, seconds: Math.round((performance.now() - started) / 1000 - machineSeconds) },
  bounds: probe.report,
  heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e6),
};
console.log(JSON.stringify(report, null, 2));
process.exit(machines.problems.length + endpoints.problems.length + probe.report.violations.length > 0 ? 1 : 0);
