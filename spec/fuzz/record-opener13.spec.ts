// The DTLS 1.3 record opener fed random and mutated datagrams of sessions with real keys (ours
// for every suite and header form, and wolfSSL's captured records): it never throws, counts
// what it drops, and lets no forged or replayed record through (spec/fuzz/helpers/record13-fuzz.ts).
import { describe, expect, it } from 'vitest';
import { fuzzRecordOpener13, record13Sessions } from './helpers/record13-fuzz.js';

const SEED = 20261206;
const INPUTS = 40_000;

describe('the DTLS 1.3 record opener under fuzzing', () => {
  const sessions = record13Sessions(SEED);

  it('starts from genuine records of every session: each session has protected records that open', () => {
    for (const s of sessions) expect(s.genuine.size, s.name).toBeGreaterThan(0);
  });

  it(`keeps its contract on ${INPUTS} seeded inputs, and both delivers and drops`, () => {
    const result = fuzzRecordOpener13(sessions, SEED, INPUTS);
    expect(result.problems).toEqual([]);
    expect(result.delivered).toBeGreaterThan(INPUTS / 10);
    expect(result.dropped).toBeGreaterThan(INPUTS / 2);
  });

  it('the contract check can fail: a session whose genuine set is empty reports every protected record delivered', () => {
    const [first] = sessions;
    const result = fuzzRecordOpener13([{ ...first, genuine: new Set() }], SEED, 200);
    expect(result.problems.some((p) => p.includes('never sealed'))).toBe(true);
  });
});
