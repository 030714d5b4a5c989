import { describe, expect, it } from 'vitest';
import { DtlsError } from '../../lib/dtls-error.js';
import { parseSendArguments } from '../../lib/dgram/dgram-send-arguments.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const cb = () => undefined;

describe('parseSendArguments (node:dgram send overloads)', () => {
  it('reads the six-argument offset form node-coap RetrySend uses', () => {
    const parsed = parseSendArguments([Buffer.from('xxhelloyy'), 2, 5, 5684, '127.0.0.1', cb]);
    expect(text(parsed.data)).toBe('hello');
    expect(parsed).toMatchObject({ port: 5684, address: '127.0.0.1', callback: cb });
  });

  it('reads the offset form with a port only (node-coap _sendError) and leaves the address to the socket', () => {
    const parsed = parseSendArguments([Buffer.from('abc'), 0, 3, 40000]);
    expect(text(parsed.data)).toBe('abc');
    expect(parsed.port).toBe(40000);
    expect(parsed.address).toBeUndefined();
    expect(parsed.callback).toBeUndefined();
  });

  it('reads (msg, port, address, callback) without offsets', () => {
    const parsed = parseSendArguments(['hi', 1234, 'example.org', cb]);
    expect(text(parsed.data)).toBe('hi');
    expect(parsed).toMatchObject({ port: 1234, address: 'example.org', callback: cb });
  });

  it('reads the connected forms (msg[, offset, length][, callback])', () => {
    expect(parseSendArguments([Buffer.from('one'), cb])).toMatchObject({ port: undefined, address: undefined, callback: cb });
    const sliced = parseSendArguments([Buffer.from('0123456'), 1, 3, cb]);
    expect(text(sliced.data)).toBe('123');
    expect(sliced.port).toBeUndefined();
    expect(sliced.callback).toBe(cb);
  });

  it('joins an array of chunks into one datagram and accepts typed arrays and DataViews', () => {
    const u8 = new Uint8Array([0x62, 0x63]);
    const parsed = parseSendArguments([['a', u8, new DataView(new Uint8Array([0x64]).buffer)], 9]);
    expect(text(parsed.data)).toBe('abcd');
  });

  it('takes a trailing undefined callback and an undefined address as absent', () => {
    const parsed = parseSendArguments([Buffer.from('x'), 0, 1, 7, undefined, undefined]);
    expect(parsed).toMatchObject({ port: 7, address: undefined, callback: undefined });
  });

  it('throws EINVAL for offsets outside the message, bad ports and bad message types', () => {
    const codeOf = (args: unknown[]) => {
      try {
        parseSendArguments(args);
        return 'no error';
      } catch (error) {
        return error instanceof DtlsError ? error.code : String(error);
      }
    };
    expect(codeOf([Buffer.from('abc'), 2, 5, 9])).toBe('EINVAL');
    expect(codeOf([Buffer.from('abc'), 0, 3, 70000])).toBe('EINVAL');
    expect(codeOf([Buffer.from('abc'), 0, 3, 0])).toBe('EINVAL');
    expect(codeOf([42, 9])).toBe('EINVAL');
    expect(codeOf([[Buffer.from('a'), 7], 9])).toBe('EINVAL');
    expect(codeOf([Buffer.from('abc'), 9, 'host', 'extra'])).toBe('EINVAL');
  });
});
