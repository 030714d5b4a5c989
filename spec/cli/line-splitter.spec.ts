import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../lib/cli/line-splitter.js';

const text = (parts: Uint8Array[]) => parts.map((p) => new TextDecoder().decode(p));
const bytes = (s: string) => new TextEncoder().encode(s);

describe('LineSplitter', () => {
  it('gives each complete line with its newline', () => {
    expect(text(new LineSplitter(100).push(bytes('one\ntwo\nthr')))).toEqual(['one\n', 'two\n']);
  });

  it('joins a line that arrives over several chunks', () => {
    const splitter = new LineSplitter(100);
    expect(splitter.push(bytes('hel'))).toEqual([]);
    expect(splitter.push(bytes('lo'))).toEqual([]);
    expect(text(splitter.push(bytes(' world\nnext')))).toEqual(['hello world\n']);
    expect(text(splitter.end())).toEqual(['next']);
  });

  it('gives a last line without newline at the end of input, and nothing when input ended with one', () => {
    const splitter = new LineSplitter(100);
    expect(text(splitter.push(bytes('a\nb')))).toEqual(['a\n']);
    expect(text(splitter.end())).toEqual(['b']);
    expect(splitter.end()).toEqual([]);
  });

  it('keeps empty lines as a lone newline', () => {
    expect(text(new LineSplitter(100).push(bytes('\n\nx\n')))).toEqual(['\n', '\n', 'x\n']);
  });

  it('cuts a line longer than the limit into pieces of the limit', () => {
    const splitter = new LineSplitter(4);
    expect(text(splitter.push(bytes('abcdefghij\nxy')))).toEqual(['abcd', 'efgh', 'ij\n']);
    expect(text(splitter.push(bytes('zw\n')))).toEqual(['xyzw', '\n']);
  });

  it('puts every input byte out once, in order, whatever the chunking', () => {
    const input = bytes('first line\n\nsecond, longer line than the limit\nlast');
    for (const chunkSize of [1, 2, 3, 7, 64]) {
      const splitter = new LineSplitter(8);
      const out: Uint8Array[] = [];
      for (let i = 0; i < input.length; i += chunkSize) out.push(...splitter.push(input.subarray(i, i + chunkSize)));
      out.push(...splitter.end());
      expect(text(out).join('')).toBe(new TextDecoder().decode(input));
      expect(out.every((line) => line.length <= 8 && line.length > 0)).toBe(true);
    }
  });

  it('refuses a limit below one byte', () => {
    expect(() => new LineSplitter(0)).toThrow(RangeError);
  });
});
