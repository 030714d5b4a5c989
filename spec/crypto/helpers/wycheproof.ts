import { readFileSync } from 'node:fs';

/** Project Wycheproof vector files (spec/vectors/wycheproof, Apache-2.0); see spec/vectors/README.md. */
export interface WycheproofFile<G> {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly testGroups: readonly G[];
}

export type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

export interface WycheproofCase {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: WycheproofResult;
}

export interface AeadGroup {
  readonly ivSize: number;
  readonly keySize: number;
  readonly tagSize: number;
  readonly tests: readonly (WycheproofCase & {
    readonly key: string;
    readonly iv: string;
    readonly aad: string;
    readonly msg: string;
    readonly ct: string;
    readonly tag: string;
  })[];
}

export function loadWycheproof<G extends { readonly tests: readonly WycheproofCase[] }>(name: string): WycheproofFile<G> {
  const url = new URL(`../../vectors/wycheproof/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as WycheproofFile<G>;
}

/** How many cases of each result a list of groups holds, for test names. */
export function countResults(groups: readonly { readonly tests: readonly WycheproofCase[] }[]): Record<WycheproofResult, number> {
  const counts = { valid: 0, invalid: 0, acceptable: 0 };
  for (const group of groups) for (const test of group.tests) counts[test.result]++;
  return counts;
}

export function describeCounts(counts: Record<WycheproofResult, number>): string {
  const parts = [`${counts.valid} valid`, `${counts.invalid} invalid`];
  if (counts.acceptable > 0) parts.push(`${counts.acceptable} acceptable`);
  return parts.join(', ');
}
