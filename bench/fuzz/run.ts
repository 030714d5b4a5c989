import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KEY_EXCHANGES } from '../../spec/fuzz/helpers/key-exchanges.js';
import { recordHandshake } from '../../spec/fuzz/helpers/corpus.js';
import { runCampaign, type CampaignStats } from '../../spec/fuzz/helpers/campaign.js';
import { runEndpointCase, type EndpointMode } from '../../spec/fuzz/helpers/endpoint-fuzz.js';
import { EscapeTrap } from '../../spec/fuzz/helpers/escape-trap.js';
import { describeError } from '../../spec/fuzz/helpers/known-findings.js';

/**
 * A long fuzz run (the CI run is spec/fuzz). Examples:
 *   npx tsx bench/fuzz/run.ts --inputs 10000000 --seed 1
 *   npx tsx bench/fuzz/run.ts --inputs 1000000 --seed 7 --endpoint-share 0.5 --out fuzz-7.json
 * Replays one endpoint case of a report's new findings:
 *   npx tsx bench/fuzz/run.ts --case 123456 --mode tampered --setup PSK --recording-seed 789
 * Exit status 1 when anything new was found (known findings are listed, not failed).
 */
const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    'endpoint-share': { type: 'string', default: '0.25' },
    out: { type: 'string' },
    case: { type: 'string' },
    mode: { type: 'string', default: 'tampered' },
    setup: { type: 'string', default: 'PSK' },
    'recording-seed': { type: 'string', default: '1' },
  },
});

if (values.case !== undefined) {
  const setup = KEY_EXCHANGES.find((k) => k.name === values.setup);
  if (!setup) throw new Error(`no setup ${values.setup}; one of: ${KEY_EXCHANGES.map((k) => k.name).join(', ')}`);
  const trap = new EscapeTrap();
  const recording = await recordHandshake(setup, Number(values['recording-seed']));
  const result = await runEndpointCase(values.mode as EndpointMode, Number(values.case), recording);
  await trap.settle();
  console.log(JSON.stringify({ ...result, escaped: trap.escaped.map(describeError) }, null, 2));
  trap.dispose();
  process.exit(result.violations.length + trap.escaped.length > 0 ? 1 : 0);
}

const line = (s: CampaignStats): string =>
  `${(s.durationMs / 1000).toFixed(0)} s: ${s.inputs} inputs (${s.decoderInputs} decoder, ${s.endpointInputs} endpoint in ${s.endpointCases} cases), ` +
  `known ${JSON.stringify(s.knownFindings)}, new ${s.newFindings.length + s.decoderProblems.length + s.bounds.violations.length}, heap ${s.heapUsedMb.toFixed(0)} MB`;

const stats = await runCampaign({
  inputs: Number(values.inputs),
  seed: Number(values.seed),
  endpointShare: Number(values['endpoint-share']),
  onProgress: (s) => console.log(line(s)),
});
console.log(line(stats));
const report = JSON.stringify({ node: process.version, ...stats }, null, 2);
if (values.out) writeFileSync(values.out, report);
console.log(report);
process.exit(stats.newFindings.length + stats.decoderProblems.length + stats.bounds.violations.length > 0 ? 1 : 0);
