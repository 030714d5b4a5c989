import type { Prng } from './prng.js';

const extremes = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

/**
 * A seeded mutation of `input`: one to three of bit flips, byte insertions and
 * deletions, bytes or 2-3 byte windows (where length fields live) set to extreme
 * values or to "the rest of the input, give or take a byte", truncation, and a
 * duplicated span.
 */
export function mutate(p: Prng, input: Uint8Array): Uint8Array {
  const out = Array.from(input);
  const at = (): number => p.int(out.length + 1);
  for (let ops = p.range(1, 3); ops > 0; ops--) {
    switch (p.int(7)) {
      case 0:
        if (out.length > 0) out[p.int(out.length)] ^= 1 << p.int(8);
        break;
      case 1:
        out.splice(at(), 0, ...p.blob(1, 4));
        break;
      case 2:
        out.splice(at(), p.range(1, 4));
        break;
      case 3:
        if (out.length > 0) out[p.int(out.length)] = p.pick(extremes);
        break;
      case 4: {
        const width = p.range(2, 3);
        if (out.length < width) break;
        const i = p.int(out.length - width + 1);
        const rest = out.length - i - width;
        const n = p.pick([0, 1, 2 ** (8 * width) - 1, 2 ** (8 * width - 1), Math.max(0, rest + p.range(-2, 2))]);
        for (let k = 0; k < width; k++) out[i + k] = Math.floor(n / 2 ** (8 * (width - 1 - k))) & 0xff;
        break;
      }
      case 5:
        out.length = p.int(out.length + 1);
        break;
      case 6: {
        const from = p.int(out.length + 1);
        const span = out.slice(from, from + p.range(1, 16));
        out.splice(at(), 0, ...span);
        break;
      }
    }
  }
  return Uint8Array.from(out);
}
