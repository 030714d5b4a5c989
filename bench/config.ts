/**
 * Knobs, all from the environment so `npm run bench` stays one command:
 *   BENCH_RUNS=3              measured runs per figure (median, min, max)
 *   BENCH_HANDSHAKE_SECONDS=0.4, BENCH_RECORD_SECONDS=0.2, BENCH_WARMUP_SECONDS=0.15
 *   BENCH_SESSIONS=10000      idle sessions for the heap figures (each provider)
 *   BENCH_ONLY=handshakes,records,memory   sections to run
 *   BENCH_ROWS=substring,...  only rows whose label contains one of these
 *   BENCH_JSON=path           also write every figure as JSON
 * The defaults keep the whole run near three minutes on a 2-core machine;
 * e.g. BENCH_RUNS=7 BENCH_HANDSHAKE_SECONDS=3 BENCH_RECORD_SECONDS=2 for steadier figures.
 */
const number = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const list = (name: string): string[] | undefined => process.env[name]?.split(',').map((s) => s.trim()).filter(Boolean);

export const config = {
  runs: Math.round(number('BENCH_RUNS', 3)),
  handshakeSeconds: number('BENCH_HANDSHAKE_SECONDS', 0.4),
  recordSeconds: number('BENCH_RECORD_SECONDS', 0.2),
  warmupSeconds: number('BENCH_WARMUP_SECONDS', 0.15),
  concurrency: 16,
  sessions: Math.round(number('BENCH_SESSIONS', 10_000)),
  sections: list('BENCH_ONLY') ?? ['handshakes', 'records', 'memory'],
  rows: list('BENCH_ROWS'),
  json: process.env.BENCH_JSON,
};

export function wantsRow(label: string): boolean {
  return config.rows === undefined || config.rows.some((r) => label.includes(r));
}
