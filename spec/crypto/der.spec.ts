import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { derEquals, readDerChildren, readDerElements } from '../../lib/crypto/der.js';
import { seededBytes } from '../wire/helpers/prng.js';

const read = (hex: string) => readDerElements(hexToBytes(hex));

describe('readDerElements', () => {
  it('splits consecutive elements and returns views of their contents', () => {
    const elements = read('0201050403aabbcc0500');
    expect(elements?.map((e) => [e.tag, bytesToHex(e.value)])).toEqual([
      [0x02, '05'],
      [0x04, 'aabbcc'],
      [0x05, ''],
    ]);
    expect(read('')).toEqual([]);
  });

  it('reads long-form lengths of one and two bytes', () => {
    const long1 = `0481${'80'}${'00'.repeat(128)}`;
    expect(read(long1)?.[0].value).toHaveLength(128);
    const long2 = `048201${'00'}${'11'.repeat(256)}`;
    expect(read(long2)?.[0].value).toHaveLength(256);
  });

  it('refuses BER forms DER forbids: indefinite length, non-minimal long form, a leading zero length byte', () => {
    expect(read('30800201050000')).toBeNull();
    expect(read('04810100')).toBeNull();
    expect(read(`04820080${'00'.repeat(128)}`)).toBeNull();
  });

  it('refuses high tag numbers, truncated headers and contents, and absurd lengths', () => {
    expect(read('1f0100')).toBeNull();
    expect(read('04')).toBeNull();
    expect(read('0403aabb')).toBeNull();
    expect(read('0482')).toBeNull();
    expect(read('0484ffffffff00')).toBeNull();
    expect(read('0201050403aabbcc05')).toBeNull();
  });

  it('never throws and never returns contents beyond the input on random bytes', () => {
    const random = seededBytes(690);
    for (let i = 0; i < 2000; i++) {
      const input = random(i % 40);
      const elements = readDerElements(input);
      if (elements === null) continue;
      const total = elements.reduce((n, e) => n + e.value.length, 0);
      expect(total).toBeLessThanOrEqual(input.length);
    }
  });
});

describe('readDerChildren and derEquals', () => {
  it('reads a SEQUENCE with the expected tag only', () => {
    const [sequence] = read('3006020101020102') ?? [];
    expect(readDerChildren(sequence, 0x30)?.map((e) => bytesToHex(e.value))).toEqual(['01', '02']);
    expect(readDerChildren(sequence, 0x31)).toBeNull();
    expect(readDerChildren(undefined, 0x30)).toBeNull();
  });

  it('compares tag and contents exactly', () => {
    const [oid] = read('06072a8648ce3d0201') ?? [];
    expect(derEquals(oid, 0x06, hexToBytes('2a8648ce3d0201'))).toBe(true);
    expect(derEquals(oid, 0x04, hexToBytes('2a8648ce3d0201'))).toBe(false);
    expect(derEquals(oid, 0x06, hexToBytes('2a8648ce3d02'))).toBe(false);
    expect(derEquals(oid, 0x06, hexToBytes('2a8648ce3d0202'))).toBe(false);
  });
});
