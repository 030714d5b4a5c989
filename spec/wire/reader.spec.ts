import { describe, expect, it } from 'vitest';
import { decode, Reader } from '../../lib/wire/reader.js';
import { hex } from './helpers/hex.js';

describe('Reader', () => {
  it('reads big-endian integers of 1, 2, 3 and 6 bytes', () => {
    const r = new Reader(hex('ab 1234 abcdef 0123456789ab'));
    expect(r.uint8('a')).toBe(0xab);
    expect(r.uint16('b')).toBe(0x1234);
    expect(r.uint24('c')).toBe(0xabcdef);
    expect(r.uint48('d')).toBe(0x0123456789ab);
    expect(r.atEnd).toBe(true);
  });

  it('reads the largest 48-bit value exactly', () => {
    expect(new Reader(hex('ffffffffffff')).uint48('n')).toBe(2 ** 48 - 1);
  });

  it('reads 32-bit integers unsigned, and 64-bit ones up to 2^53 - 1, beyond which they are invalid', () => {
    expect(new Reader(hex('ffffffff')).uint32('n')).toBe(2 ** 32 - 1);
    expect(new Reader(hex('0000000100000002')).uint64('n')).toBe(2 ** 32 + 2);
    expect(decode('T', hex('001fffffffffffff'), (r) => r.uint64('n'))).toEqual({ ok: true, value: Number.MAX_SAFE_INTEGER });
    expect(decode('T', hex('0020000000000000'), (r) => r.uint64('n'))).toEqual({ ok: false, error: { kind: 'invalid', what: 'T.n' } });
    expect(decode('T', hex('00000000000000'), (r) => r.uint64('n'))).toEqual({ ok: false, error: { kind: 'truncated', what: 'T.n' } });
  });

  it('tracks offset and remaining', () => {
    const r = new Reader(hex('0102030405'));
    r.uint16('x');
    expect(r.offset).toBe(2);
    expect(r.remaining).toBe(3);
    expect(r.atEnd).toBe(false);
  });

  it('returns views into the input rather than copies', () => {
    const input = hex('00 03 aabbcc');
    const v = decode('T', input, (r) => {
      r.uint8('pad');
      return r.vector8('v');
    });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    input[2] = 0x11;
    expect(v.value[0]).toBe(0x11);
    expect(v.value.buffer).toBe(input.buffer);
  });

  it('reports a read past the end as truncated, naming the field', () => {
    expect(decode('Thing', hex('0102'), (r) => r.uint24('size'))).toEqual({
      ok: false,
      error: { kind: 'truncated', what: 'Thing.size' },
    });
  });

  it('reports a vector longer than the remaining bytes as truncated', () => {
    expect(decode('T', hex('05 0102'), (r) => r.vector8('v'))).toEqual({
      ok: false,
      error: { kind: 'truncated', what: 'T.v' },
    });
  });

  it('reports bytes left over after the body as overlong', () => {
    expect(decode('T', hex('0102'), (r) => r.uint8('a'))).toEqual({
      ok: false,
      error: { kind: 'overlong', what: 'T' },
    });
  });

  it('rejects a vector length outside its declared bounds as invalid', () => {
    expect(decode('T', hex('00'), (r) => r.vector8('v', 1)).ok).toBe(false);
    expect(decode('T', hex('00'), (r) => r.vector8('v', 1))).toMatchObject({ error: { kind: 'invalid' } });
    expect(decode('T', hex('03 010203'), (r) => r.vector8('v', 0, 2))).toMatchObject({ error: { kind: 'invalid' } });
    expect(decode('T', hex('fffe' + '00'.repeat(0xfffe)), (r) => r.vector16('v', 0, 0xfffe)).ok).toBe(true);
    expect(decode('T', hex('000000'), (r) => r.vector24('v', 1))).toMatchObject({ error: { kind: 'invalid' } });
  });

  it('parses the items of a length-prefixed list until its end', () => {
    expect(decode('T', hex('0006 0001 0002 0003'), (r) => r.list16('l', (i) => i.uint16('x')))).toEqual({
      ok: true,
      value: [1, 2, 3],
    });
    expect(decode('T', hex('02 0a0b'), (r) => r.list8('l', (i) => i.uint8('x')))).toEqual({ ok: true, value: [10, 11] });
    expect(decode('T', hex('000002 0102'), (r) => r.list24('l', (i) => i.uint16('x')))).toEqual({ ok: true, value: [0x0102] });
  });

  it('reports an item overrunning its list as invalid, not truncated', () => {
    // 3 bytes cannot hold uint16 items: the list length and its content disagree.
    expect(decode('T', hex('0003 000100'), (r) => r.list16('l', (i) => i.uint16('x')))).toEqual({
      ok: false,
      error: { kind: 'invalid', what: 'T.x' },
    });
  });

  it('lets a decoder body fail with its own kind', () => {
    expect(decode('T', hex('07'), (r) => (r.uint8('v') === 7 ? r.fail('invalid', 'v') : 0))).toEqual({
      ok: false,
      error: { kind: 'invalid', what: 'T.v' },
    });
  });

  it('does not swallow exceptions that are not decode failures', () => {
    expect(() =>
      decode('T', hex('00'), () => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
  });
});
