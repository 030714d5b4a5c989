// DTLS 1.3 at both endpoints: a server accepting 1.2 and 1.3 and our 1.3 client, over
// memoryLink in virtual time, fed mutated captured 1.3 datagrams (byte mutations, surgery on
// the unified header, records cut out or recombined across sessions, replays, random bytes)
// on the link and straight at each end; then an attacker alone against each side. Checked on
// every case: no exception escapes, the reassembler, sequencer and handshake budget stay within
// their bounds, nothing is established on attacker input alone, data only from the genuine
// peer and never twice, one server session at most, and a client that ends, ends with a DtlsError.
// Long runs: npx tsx bench/fuzz/dtls13-run.ts --cases 20000 --seed 1
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoundsProbe } from './helpers/bounds.js';
import { caseSeed } from './helpers/campaign.js';
import { recordHandshake13, runEndpoint13Case, type Endpoint13Mode } from './helpers/endpoint13-fuzz.js';
import { EscapeTrap } from './helpers/escape-trap.js';
import { describeError } from './helpers/known-findings.js';

const SEED = 13;
const CASES: Record<Endpoint13Mode, number> = { tampered: 120, 'attacker-vs-server': 40, 'attacker-vs-client': 40 };
const foreign = await recordHandshake13(caseSeed(SEED, 1_000_000));

let trap: EscapeTrap;
let probe: BoundsProbe;
beforeAll(() => {
  trap = new EscapeTrap();
  probe = new BoundsProbe();
});
afterAll(() => {
  probe.dispose();
  trap.dispose();
});

async function campaign(mode: Endpoint13Mode, offset: number) {
  const outcome = { inputs: 0, established: 0, problems: [] as Array<{ caseSeed: number; texts: string[] }> };
  for (let i = 0; i < CASES[mode]; i++) {
    const seed = caseSeed(SEED, offset + i);
    const result = await runEndpoint13Case(mode, seed, foreign);
    await trap.settle();
    const texts = [...result.violations, ...trap.escaped.splice(0).map(describeError)];
    if (texts.length > 0) outcome.problems.push({ caseSeed: seed, texts });
    outcome.inputs += result.inputs;
    if (result.clientEstablished) outcome.established++;
  }
  return outcome;
}

describe('DTLS 1.3 endpoints under datagram fuzzing (server versions 1.2 and 1.3, client 1.3)', () => {
  it('start from a captured 1.3 exchange: both directions, handshake and data', () => {
    expect(foreign.datagrams.filter((d) => d.direction === 'c>s').length).toBeGreaterThanOrEqual(3);
    expect(foreign.datagrams.filter((d) => d.direction === 's>c').length).toBeGreaterThanOrEqual(3);
  });

  it(`${CASES.tampered} cases through a network that drops, duplicates, reorders, mutates and forges keep every invariant`, async () => {
    const outcome = await campaign('tampered', 0);
    expect(outcome.problems).toEqual([]);
    expect(probe.report.violations).toEqual([]);
    // Not vacuous: handshakes completed (so the established paths saw forgeries too) and many datagrams went in.
    expect(outcome.established).toBeGreaterThanOrEqual(CASES.tampered / 5);
    expect(outcome.inputs).toBeGreaterThan(CASES.tampered * 10);
  });

  it(`${CASES['attacker-vs-server']} cases of an attacker alone never establish a server session`, async () => {
    const outcome = await campaign('attacker-vs-server', 10_000);
    expect(outcome.problems).toEqual([]);
    expect(probe.report.violations).toEqual([]);
  });

  it(`${CASES['attacker-vs-client']} cases of an attacker alone never establish the client`, async () => {
    const outcome = await campaign('attacker-vs-client', 20_000);
    expect(outcome.problems).toEqual([]);
    expect(probe.report.violations).toEqual([]);
    expect(outcome.established).toBe(0);
  });
});
