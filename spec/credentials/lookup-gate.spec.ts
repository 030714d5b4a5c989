import { describe, expect, it } from 'vitest';
import { LookupGate } from '../../lib/credentials/lookup-gate.js';
import { credentials } from '../../lib/credentials/credential-store.js';
import { NEVER_ABORTED, type LookupContext } from '../../lib/handshake/lookup-context.js';
import { encodeP256Spki } from '../../lib/crypto/spki.js';
import { ecdsaPublicKey } from '../../lib/crypto/ecdsa.js';

/** A lookup the spec answers by hand. */
function manual<T>() {
  let answer!: (value: T) => void;
  let fail!: (error: unknown) => void;
  let calls = 0;
  const promise = new Promise<T>((resolve, reject) => {
    answer = resolve;
    fail = reject;
  });
  return { run: () => (calls++, promise), answer, fail, get calls() { return calls; } };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LookupGate', () => {
  it('runs up to its bound at once and starts the waiting ones in order as slots free', async () => {
    const gate = new LookupGate(2);
    const lookups = [manual<string>(), manual<string>(), manual<string>(), manual<string>()];
    const results = Promise.allSettled(lookups.map((l) => gate.run(l.run, NEVER_ABORTED)));
    expect(lookups.map((l) => l.calls)).toEqual([1, 1, 0, 0]);
    expect([gate.inFlight, gate.queued]).toEqual([2, 2]);
    lookups[1].answer('b');
    await turn();
    expect(lookups.map((l) => l.calls)).toEqual([1, 1, 1, 0]);
    lookups[0].fail(new Error('database down'));
    await turn();
    expect(lookups.map((l) => l.calls)).toEqual([1, 1, 1, 1]);
    lookups[2].answer('c');
    lookups[3].answer('d');
    const settled = await results;
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['database down', 'b', 'c', 'd']);
    expect([gate.inFlight, gate.queued]).toEqual([0, 0]);
  });

  it('answers a synchronous lookup synchronously and frees its slot at once', () => {
    const gate = new LookupGate(1);
    expect(gate.run(() => 42, NEVER_ABORTED)).toBe(42);
    expect(gate.inFlight).toBe(0);
  });

  it('takes a waiting lookup out of the queue when its signal aborts, without running it', async () => {
    const gate = new LookupGate(1);
    const first = manual<string>();
    const second = manual<string>();
    const handshake = new AbortController();
    gate.run(first.run, NEVER_ABORTED);
    const waiting = gate.run(second.run, handshake.signal);
    handshake.abort(new Error('evicted'));
    await expect(waiting).rejects.toThrow('evicted');
    expect(gate.queued).toBe(0);
    first.answer('a');
    await turn();
    expect(second.calls).toBe(0);
    // Nor is a new one run for a handshake already gone.
    await expect(gate.run(() => 'now', handshake.signal)).rejects.toThrow('evicted');
  });

  it('keeps the slot of a running lookup until it settles, even after its signal aborted', async () => {
    const gate = new LookupGate(1);
    const deaf = manual<string>();
    const handshake = new AbortController();
    void gate.run(deaf.run, handshake.signal);
    handshake.abort();
    const next = manual<string>();
    void gate.run(next.run, NEVER_ABORTED);
    await turn();
    expect([gate.inFlight, next.calls]).toEqual([1, 0]);
    deaf.answer('late');
    await turn();
    expect(next.calls).toBe(1);
  });

  it('turns a lookup that throws into a rejection, and frees its slot', async () => {
    const gate = new LookupGate(1);
    await expect(
      gate.run(() => {
        throw new Error('bug');
      }, NEVER_ABORTED),
    ).rejects.toThrow('bug');
    expect(gate.inFlight).toBe(0);
  });
});

describe('lookups get the handshake signal and run through the gate', () => {
  const identity = new TextEncoder().encode('device-7');

  it('a pskLookup receives the signal; one written for a single argument still works', async () => {
    const signals: AbortSignal[] = [];
    const store = credentials()
      .pskLookup(0, (_id, context) => (signals.push(context.signal), undefined))
      .pskLookup(0, async (id) => (new TextDecoder().decode(id) === 'device-7' ? Uint8Array.of(7) : undefined));
    const handshake = new AbortController();
    const context: LookupContext = { signal: handshake.signal };
    expect(await store.serverPskLookup(0, new LookupGate(1))(identity, context)).toEqual(Uint8Array.of(7));
    expect(signals).toEqual([handshake.signal]);
  });

  it('a raw-key trust callback receives the signal and waits for a slot like a PSK lookup', async () => {
    const seen: AbortSignal[] = [];
    const pending = manual<boolean>();
    const gate = new LookupGate(1);
    const verify = credentials()
      .ecdsa({ tag: 0, trust: (_spki, context) => (seen.push(context.signal), pending.run()) })
      .authenticator(0, { role: 'client' }, gate)!.verifyRawPublicKey!;
    const spki = encodeP256Spki(ecdsaPublicKey(new Uint8Array(32).fill(3)));
    const first = new AbortController();
    const second = new AbortController();
    const verdicts = [verify(spki, { signal: first.signal }), verify(spki, { signal: second.signal })];
    expect(seen).toEqual([first.signal]);
    expect(gate.queued).toBe(1);
    pending.answer(true);
    const checks = await Promise.all(verdicts);
    expect(checks.map((c) => c.ok)).toEqual([true, true]);
    expect(seen).toEqual([first.signal, second.signal]);
  });
});
