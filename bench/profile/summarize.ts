import { readFileSync } from 'node:fs';

/**
 * Top self-time functions of a V8 .cpuprofile (node --cpu-prof), and self time per source
 * area (lib/<folder>, whether run from lib/ or compiled in dist/; a package in node_modules; node internals).
 *   node --import tsx bench/profile/summarize.ts .scratch/profiles/CPU.*.cpuprofile [top]
 */
interface Node {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly Node[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, topArg = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const area = (url: string, name: string): string => {
  if (url === '') return name.startsWith('(') ? name : '(native)';
  const lib = /\/(?:lib|dist)\/([a-z-]+)\//.exec(url);
  if (url.includes('/node_modules/')) return url.replace(/.*\/node_modules\/((@[^/]+\/)?[^/]+).*/, '$1');
  if (lib && !url.includes('node_modules')) return `lib/${lib[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url.replace(/.*\/(bench|lib|dist|spec)\//, '$1/');
};
const where = (n: Node): string => {
  const { url, lineNumber } = n.callFrame;
  return url === '' ? '' : `${url.replace(/.*\/(node_modules|lib|dist|bench)\//, '$1/')}:${lineNumber + 1}`;
};

const functions = new Map<string, number>();
const areas = new Map<string, number>();
for (const [id, time] of self) {
  const node = byId.get(id)!;
  const name = node.callFrame.functionName || '(anonymous)';
  const key = `${name} ${where(node)}`;
  functions.set(key, (functions.get(key) ?? 0) + time);
  const a = area(node.callFrame.url, name);
  areas.set(a, (areas.get(a) ?? 0) + time);
}
const pct = (t: number): string => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled\n\nself time by area:`);
for (const [a, t] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, 15)) console.log(`  ${pct(t)}  ${a}`);
console.log(`\ntop ${topArg} functions by self time:`);
for (const [f, t] of [...functions].sort((x, y) => y[1] - x[1]).slice(0, Number(topArg))) console.log(`  ${pct(t)}  ${f}`);
