// The DTLS 1.3 client and server state machines (ClientHandshake13, ServerHandshake13
// behind the stateless cookie gate) fed mutated copies of real transcripts, ours against
// ours: message bodies mutated, cut or random, types and message_seq changed, messages
// dropped, repeated, swapped or taken from another configuration's handshake. Contract: no
// exception, a failure always carries an alert, and never established unless every message
// given up to then is the recorded one (so never on a mutated Finished).
// Long runs: npx tsx bench/fuzz/dtls13-run.ts --cases 100000 --seed 1
import { describe, expect, it } from 'vitest';
import { AlertDescription } from '../../lib/wire/alert.js';
import { Prng } from '../wire/helpers/prng.js';
import { caseSeed } from './helpers/campaign.js';
import { CONFIGURATIONS13, fuzzClient13, fuzzServer13, recordTranscript13, stepProblems, type MachineCaseResult } from './helpers/handshake13-fuzz.js';

const SEED = 20261206;
const CASES = 250;

const transcripts = await Promise.all(CONFIGURATIONS13.map((c, i) => recordTranscript13(c, caseSeed(SEED, 1_000_000 + i))));

function tally(results: readonly MachineCaseResult[]) {
  return {
    problems: results.flatMap((r, i) => r.problems.map((problem) => `case ${i}: ${problem}`)),
    established: results.filter((r) => r.outcome === 'established').length,
    failed: results.filter((r) => r.outcome === 'failed').length,
  };
}

describe.each(transcripts.map((t, i) => [t.name, i] as const))('DTLS 1.3 %s', (_, index) => {
  const transcript = transcripts[index];
  const foreign = transcripts.filter((t) => t !== transcript);

  it('was recorded from a clean handshake: four server messages after the HelloRetryRequest, three client ones', () => {
    expect(transcript.fromServer.length).toBe(4);
    expect(transcript.fromClient.length).toBe(3);
  });

  it(`the client, fed ${CASES} mutated server transcripts, never throws, fails with an alert, and is established only on the recorded messages`, async () => {
    const results: MachineCaseResult[] = [];
    for (let i = 0; i < CASES; i++) {
      results.push(await fuzzClient13(new Prng(caseSeed(SEED + index, i)), transcript, foreign.flatMap((t) => t.fromServer)));
    }
    const { problems, established, failed } = tally(results);
    expect(problems).toEqual([]);
    // Not vacuous: most mutations end in a failure, and the harmless ones (a message_seq
    // changed, a message repeated after Finished) still complete.
    expect(failed).toBeGreaterThan(CASES / 2);
    expect(established).toBeGreaterThan(0);
  });

  it(`the server, fed ${CASES} mutated client transcripts through the cookie gate, keeps the same contract`, async () => {
    const results: MachineCaseResult[] = [];
    for (let i = 0; i < CASES; i++) {
      results.push(await fuzzServer13(new Prng(caseSeed(SEED + index, 100_000 + i)), transcript, foreign.flatMap((t) => t.fromClient)));
    }
    const { problems, established, failed } = tally(results);
    expect(problems).toEqual([]);
    expect(failed).toBeGreaterThan(0);
    expect(established).toBeGreaterThan(0);
  });
});

describe('the state machine contract checks can fail', () => {
  it('flags a step established on mutated messages, a failure without a known alert, and both at once', () => {
    const established = { established13: {} } as never;
    expect(stepProblems(established, false)).toEqual(['established on mutated messages']);
    expect(stepProblems(established, true)).toEqual([]);
    expect(stepProblems({ failure: { alert: 999, reason: 'x' } }, false)).toEqual(['failed with alert 999, not an AlertDescription']);
    expect(stepProblems({ failure: { alert: AlertDescription.decode_error, reason: 'x' } }, false)).toEqual([]);
    expect(stepProblems({ failure: { alert: AlertDescription.decode_error, reason: 'x' }, established13: {} as never }, true)).toEqual(['failed and established in one step']);
  });
});
