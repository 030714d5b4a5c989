/** A figure over several runs: the median, with the spread shown as min and max. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

/** "1234 (1200–1300)", with a precision that suits the size of the number. */
export function formatSpread(s: Spread | undefined, digits?: number): string {
  if (s === undefined) return '—';
  const f = (n: number): string => n.toFixed(digits ?? (n >= 100 ? 0 : n >= 10 ? 1 : 2));
  return s.runs > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
