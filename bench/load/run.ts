// The load-and-fault suite, one scenario after another, each in its own process with its
// own server process (so their sockets and memory do not mix), each bounded in time:
//
//   npm run bench:load                      # every scenario
//   npm run bench:load -- burst-5000 soak   # some of them
//
// Extra arguments after `--args` go to each scenario chosen (e.g. a server option:
// `npm run bench:load -- soak --args --server '{"recvBufferSize":212992}'`).
// A scenario is a script in this folder that prints its own figures; add yours below.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCENARIOS: Record<string, readonly string[]> = {
  'burst-1000': ['burst.ts', '1000'],
  'burst-2000': ['burst.ts', '2000'],
  'burst-5000': ['burst.ts', '5000'],
  soak: ['soak.ts'],
  restart: ['restart.ts', '--icmp', 'ignore'],
};

const argv = process.argv.slice(2);
const split = argv.indexOf('--args');
const names = split < 0 ? argv : argv.slice(0, split);
const extra = split < 0 ? [] : argv.slice(split + 1);
const chosen = names.length > 0 ? names : Object.keys(SCENARIOS);
const unknown = chosen.filter((name) => !(name in SCENARIOS));
if (unknown.length > 0) {
  console.error(`no scenario ${unknown.join(', ')}; there are ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen) {
  const [script, ...args] = SCENARIOS[name];
  console.log(`## ${name}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args, ...extra], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
