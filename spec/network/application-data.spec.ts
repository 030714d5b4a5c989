import { describe, expect, it } from 'vitest';
import { dataTrial, type DirectionOutcome } from './helpers/data-trial.js';

const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1);
const RECORDS = 40;
const BAD_LINK = { loss: 0.2, duplicate: 0.2, reorder: 0.2, corrupt: 0.1, records: RECORDS };

/** What the application got is what was sent, at most once each, and exactly the records the link delivered intact. */
function expectFaithful(direction: DirectionOutcome): void {
  const sent = new Set(direction.messages);
  expect(new Set(direction.received).size).toBe(direction.received.length);
  expect(direction.received.filter((m) => !sent.has(m))).toEqual([]);
  expect(direction.received.length).toBe(direction.intact);
}

describe('application data through a lossy, duplicating, reordering, corrupting link (seeded, virtual time)', () => {
  it(`delivers each record at most once, never a corrupted one, and every record the link delivered intact, for ${SEEDS.length} seeds`, async () => {
    const totals = { sent: 0, intact: 0, received: 0, damaged: 0, duplicate: 0, reorder: 0, corrupt: 0 };
    for (const seed of SEEDS) {
      const trial = await dataTrial({ seed, ...BAD_LINK });
      expect({ seed, established: trial.established }).toEqual({ seed, established: true });
      for (const direction of [trial.clientToServer, trial.serverToClient]) {
        expect(direction.sent).toBe(RECORDS);
        expectFaithful(direction);
        totals.sent += direction.sent;
        totals.intact += direction.intact;
        totals.received += direction.received.length;
        totals.damaged += direction.damaged;
      }
      totals.duplicate += trial.impairments.duplicate;
      totals.reorder += trial.impairments.reorder;
      totals.corrupt += trial.impairments.corrupt;
    }
    // The link really did all of it: the loss the application saw is the link's, not ours.
    expect(totals.duplicate).toBeGreaterThan(200);
    expect(totals.reorder).toBeGreaterThan(200);
    expect(totals.damaged).toBeGreaterThan(100);
    expect(totals.received).toBe(totals.intact);
    expect(totals.intact / totals.sent).toBeGreaterThan(0.6);
    expect(totals.intact / totals.sent).toBeLessThan(0.85);
  });

  it('delivers every record, once and in full, when the link only duplicates and reorders', async () => {
    for (const seed of SEEDS.slice(0, 10)) {
      const trial = await dataTrial({ seed, loss: 0, duplicate: 0.5, reorder: 0.5, corrupt: 0, records: RECORDS });
      for (const direction of [trial.clientToServer, trial.serverToClient]) {
        expectFaithful(direction);
        expect([...direction.received].sort()).toEqual([...direction.messages].sort());
      }
    }
  });

  it('the ledger check can fail: a record the link delivered intact but the application did not get is caught', async () => {
    const trial = await dataTrial({ seed: 1, ...BAD_LINK });
    const direction = trial.clientToServer;
    expectFaithful(direction);
    const lostByUs = { ...direction, received: direction.received.slice(1) };
    expect(() => expectFaithful(lostByUs)).toThrow();
    const twice = { ...direction, received: [...direction.received, direction.received[0]], intact: direction.intact + 1 };
    expect(() => expectFaithful(twice)).toThrow();
    const corrupted = { ...direction, received: [...direction.received.slice(1), 'client recOrd 0'] };
    expect(() => expectFaithful(corrupted)).toThrow();
  });
});
