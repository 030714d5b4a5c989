import { expect, it } from 'vitest';
import { goldenFor } from '../../fixtures/wire/golden.js';
import { toHex } from './hex.js';

/** Registers, for every golden case of a codec, an encode test and a decode test. */
export function itMatchesGoldenBytes(codec: string): void {
  for (const c of goldenFor(codec)) {
    it(`encodes ${c.name} to the bytes of the RFC structure`, () => {
      expect(toHex(c.encode(c.value))).toBe(toHex(c.bytes));
    });
    it(`decodes ${c.name} back to its value`, () => {
      expect(c.decode(c.bytes)).toEqual({ ok: true, value: c.value });
    });
  }
}
