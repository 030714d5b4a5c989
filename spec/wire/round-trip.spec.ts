// Property: for random valid values of every structure, decode(encode(x)) equals x.
import { describe, expect, it } from 'vitest';
import { arbitraries } from './helpers/arbitrary.js';
import { extensionGoldenCases, goldenCases } from '../fixtures/wire/golden.js';
import { Prng } from './helpers/prng.js';

const RUNS = 300;

describe('decode(encode(x)) = x', () => {
  for (const a of arbitraries) {
    it(`holds for ${RUNS} random ${a.codec} values`, () => {
      const seed = [...a.codec].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193), 0x811c9dc5);
      const p = new Prng(seed);
      for (let run = 0; run < RUNS; run++) {
        const value = a.generate(p);
        const decoded = a.decode(a.encode(value));
        expect(decoded, `${a.codec}, seed ${seed >>> 0}, run ${run}`).toEqual({ ok: true, value });
      }
    });
  }

  it('covers every codec that has golden bytes', () => {
    const withGolden = new Set([...goldenCases, ...extensionGoldenCases].map((c) => c.codec));
    const withArbitrary = new Set(arbitraries.map((a) => a.codec));
    const missing = [...withGolden].filter((c) => !withArbitrary.has(c));
    // These carry no data, so there is nothing random to generate.
    expect(missing.sort()).toEqual(['ChangeCipherSpec', 'EncryptThenMac', 'ExtendedMasterSecret', 'PostHandshakeAuth', 'ServerHelloDone']);
  });
});
