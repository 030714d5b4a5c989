import { parseArgs } from 'node:util';
import { fuzzRecordOpener13, record13Sessions } from '../../spec/fuzz/helpers/record13-fuzz.js';

/**
 * A long fuzz run of the DTLS 1.3 record opener (the CI run is spec/fuzz/record-opener13.spec.ts):
 *   npx tsx bench/fuzz/record13-run.ts --inputs 1000000 --seed 1
 * Prints a JSON report; exit status 1 when the contract broke on any input.
 */
const { values } = parseArgs({ options: { inputs: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' } } });
const seed = Number(values.seed);
const started = performance.now();
const result = fuzzRecordOpener13(record13Sessions(seed), seed, Number(values.inputs));
const report = {
  seed,
  ...result,
  seconds: Math.round((performance.now() - started) / 100) / 10,
  heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e6),
};
console.log(JSON.stringify(report, null, 2));
process.exit(result.problems.length > 0 ? 1 : 0);
