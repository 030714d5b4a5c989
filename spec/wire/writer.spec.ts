import { describe, expect, it } from 'vitest';
import { Writer } from '../../lib/wire/writer.js';
import { hex, toHex } from './helpers/hex.js';

describe('Writer', () => {
  it('writes big-endian integers of 1, 2, 3 and 6 bytes', () => {
    const out = new Writer().uint8(0xab).uint16(0x1234).uint24(0xabcdef).uint48(0x0123456789ab).finish();
    expect(toHex(out)).toBe('ab1234abcdef0123456789ab');
  });

  it('writes the largest 48-bit value', () => {
    expect(toHex(new Writer().uint48(2 ** 48 - 1).finish())).toBe('ffffffffffff');
  });

  it('writes 32-bit integers, and 64-bit ones up to the largest safe integer', () => {
    expect(toHex(new Writer().uint32(0xfad6aac5).finish())).toBe('fad6aac5');
    expect(toHex(new Writer().uint64(Number.MAX_SAFE_INTEGER).finish())).toBe('001fffffffffffff');
    expect(toHex(new Writer().uint64(2 ** 32 + 2).finish())).toBe('0000000100000002');
  });

  it('grows past its initial capacity', () => {
    const w = new Writer(1);
    for (let i = 0; i < 1000; i++) w.uint16(i);
    const out = w.finish();
    expect(out.length).toBe(2000);
    expect(out[1998] * 256 + out[1999]).toBe(999);
  });

  it('prefixes vectors with their length in 1, 2 or 3 bytes', () => {
    const data = hex('aabbcc');
    expect(toHex(new Writer().vector8(data).finish())).toBe('03aabbcc');
    expect(toHex(new Writer().vector16(data).finish())).toBe('0003aabbcc');
    expect(toHex(new Writer().vector24(data).finish())).toBe('000003aabbcc');
  });

  it('patches in the length of a vector written by a callback, nested', () => {
    const out = new Writer(2)
      .vector16((outer) => {
        outer.uint8(1).vector8((inner) => inner.uint16(0xbeef).bytes(hex('000000')));
      })
      .finish();
    expect(toHex(out)).toBe('0007' + '01' + '05' + 'beef' + '000000');
  });

  it('returns a copy that later writes do not change', () => {
    const w = new Writer().uint8(1);
    const first = w.finish();
    w.uint8(2);
    expect(toHex(first)).toBe('01');
    expect(toHex(w.finish())).toBe('0102');
    expect(w.length).toBe(2);
  });

  it('hands out a buffer it filled exactly, and later writes still leave that result alone', () => {
    const w = new Writer(3).uint8(1).uint16(2);
    const full = w.finish();
    w.uint8(3);
    w.vector8(new Uint8Array(0));
    expect(toHex(full)).toBe('010002');
    expect(toHex(w.finish())).toBe('01000203' + '00');
  });

  it('does not change a result taken inside a vector callback when the length is patched in', () => {
    const w = new Writer(3);
    let inside: Uint8Array = new Uint8Array(0);
    w.vector16((v) => {
      v.uint8(7);
      inside = v.finish();
    });
    expect(toHex(inside)).toBe('000007');
    expect(toHex(w.finish())).toBe('000107');
  });

  it('throws RangeError for values the field cannot hold', () => {
    expect(() => new Writer().uint8(256)).toThrow(RangeError);
    expect(() => new Writer().uint16(-1)).toThrow(RangeError);
    expect(() => new Writer().uint24(0x1000000)).toThrow(RangeError);
    expect(() => new Writer().uint48(2 ** 48)).toThrow(RangeError);
    expect(() => new Writer().uint32(2 ** 32)).toThrow(RangeError);
    expect(() => new Writer().uint64(2 ** 53)).toThrow(RangeError);
    expect(() => new Writer().uint16(1.5)).toThrow(RangeError);
    expect(() => new Writer().vector8(new Uint8Array(256))).toThrow(RangeError);
    expect(() => new Writer().vector8((w) => w.bytes(new Uint8Array(256)))).toThrow(RangeError);
  });
});
