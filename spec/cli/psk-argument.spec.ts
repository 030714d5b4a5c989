import { describe, expect, it } from 'vitest';
import { parsePskArgument } from '../../lib/cli/psk-argument.js';
import { UsageError } from '../../lib/cli/usage-error.js';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('parsePskArgument', () => {
  it('takes the key as UTF-8 text', () => {
    expect(parsePskArgument('Client_identity:secretPSK')).toEqual({ identity: 'Client_identity', key: new TextEncoder().encode('secretPSK') });
  });

  it('takes the key as hex digits after "hex:", either case', () => {
    expect(parsePskArgument('dev:hex:00ff7A')).toEqual({ identity: 'dev', key: bytes(0x00, 0xff, 0x7a) });
  });

  it('ends the identity at the first colon, so the key may hold colons', () => {
    expect(parsePskArgument('a:b:c')).toEqual({ identity: 'a', key: new TextEncoder().encode('b:c') });
  });

  it('gives the same bytes for the text and hex forms of the test key', () => {
    expect(parsePskArgument('id:hex:73656372657450534b').key).toEqual(parsePskArgument('id:secretPSK').key);
  });

  it.each([
    ['no colon', 'Client_identity', /IDENTITY:KEY/],
    ['empty identity', ':secret', /empty identity/],
    ['empty key', 'id:', /empty key/],
    ['empty hex key', 'id:hex:', /empty key/],
    ['odd number of hex digits', 'id:hex:abc', /even number of hex digits/],
    ['non-hex digits', 'id:hex:zz', /hex digits/],
  ])('refuses %s with a usage error', (_what, text, message) => {
    expect(() => parsePskArgument(text)).toThrow(UsageError);
    expect(() => parsePskArgument(text)).toThrow(message);
  });
});
