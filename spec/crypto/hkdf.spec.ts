import { createHmac } from 'node:crypto';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { hash } from '../../lib/crypto/hash.js';
import { deriveSecret, hkdfExpand, hkdfExpandLabel, hkdfExtract } from '../../lib/crypto/hkdf.js';

/** HKDF-Expand written out from RFC 5869 §2.3 over node:crypto's HMAC: an implementation independent of noble's. */
function referenceExpand(alg: 'sha256' | 'sha384', prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const blocks: Uint8Array[] = [];
  let t = new Uint8Array(0);
  for (let i = 1; blocks.reduce((n, b) => n + b.length, 0) < length; i++) {
    t = new Uint8Array(createHmac(alg, prk).update(concatBytes(t, info, Uint8Array.of(i))).digest());
    blocks.push(t);
  }
  return concatBytes(...blocks).subarray(0, length);
}

describe('hkdfExtract / hkdfExpand (RFC 5869)', () => {
  it('matches RFC 5869 A.1 (SHA-256, basic)', () => {
    const prk = hkdfExtract('sha256', hexToBytes('000102030405060708090a0b0c'), new Uint8Array(22).fill(0x0b));
    expect(bytesToHex(prk)).toBe('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
    expect(bytesToHex(hkdfExpand('sha256', prk, hexToBytes('f0f1f2f3f4f5f6f7f8f9'), 42))).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });

  it('matches RFC 5869 A.3 (SHA-256, empty salt and info): an absent salt is HashLen zeros', () => {
    const ikm = new Uint8Array(22).fill(0x0b);
    const prk = hkdfExtract('sha256', undefined, ikm);
    expect(bytesToHex(prk)).toBe('19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04');
    expect(hkdfExtract('sha256', new Uint8Array(32), ikm)).toEqual(prk);
    expect(bytesToHex(hkdfExpand('sha256', prk, new Uint8Array(0), 42))).toBe(
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
  });

  it('agrees with an HMAC-written HKDF for SHA-384 over several output blocks', () => {
    const prk = hkdfExtract('sha384', hexToBytes('0011223344'), new Uint8Array(48).fill(7));
    expect(prk).toEqual(new Uint8Array(createHmac('sha384', hexToBytes('0011223344')).update(new Uint8Array(48).fill(7)).digest()));
    const info = hexToBytes('abcdef');
    expect(hkdfExpand('sha384', prk, info, 100)).toEqual(referenceExpand('sha384', prk, info, 100));
  });
});

describe('hkdfExpandLabel (RFC 8446 §7.1, RFC 9147 §5.9)', () => {
  // RFC 8448 §3, {server} derive write traffic keys for handshake data: key info and iv info.
  const serverHandshakeSecret = hexToBytes('b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38');

  it("builds RFC 8448's HkdfLabel for 'tls13 ' and derives its handshake key and IV", () => {
    expect(bytesToHex(hkdfExpandLabel('sha256', serverHandshakeSecret, 'key', new Uint8Array(0), 16, 'tls13 '))).toBe(
      '3fce516009c21727d0f2e4e86ee403bc',
    );
    expect(bytesToHex(hkdfExpandLabel('sha256', serverHandshakeSecret, 'iv', new Uint8Array(0), 12, 'tls13 '))).toBe('5d313eb2671276ee13000b30');
    // The info of the trace: 00 10 09 "tls13 key" 00, expanded with HKDF-Expand by hand.
    expect(hkdfExpand('sha256', serverHandshakeSecret, hexToBytes('001009746c73313320' + '6b657900'), 16)).toEqual(
      hkdfExpandLabel('sha256', serverHandshakeSecret, 'key', new Uint8Array(0), 16, 'tls13 '),
    );
  });

  it("uses 'dtls13' with no trailing space by default: a DTLS key differs from the TLS one and is HKDF-Expand of 00 10 09 'dtls13key' 00", () => {
    const dtls = hkdfExpandLabel('sha256', serverHandshakeSecret, 'key', new Uint8Array(0), 16);
    const info = concatBytes(hexToBytes('001009'), new TextEncoder().encode('dtls13key'), hexToBytes('00'));
    expect(dtls).toEqual(referenceExpand('sha256', serverHandshakeSecret, info, 16));
    expect(dtls).not.toEqual(hkdfExpandLabel('sha256', serverHandshakeSecret, 'key', new Uint8Array(0), 16, 'tls13 '));
  });

  it('puts the context after the label, each with its one-byte length', () => {
    const context = hexToBytes('0102030405');
    const secret = new Uint8Array(48).fill(0x5a);
    const info = concatBytes(hexToBytes('0030'), Uint8Array.of(14), new TextEncoder().encode('dtls13exporter'), Uint8Array.of(5), context);
    expect(hkdfExpandLabel('sha384', secret, 'exporter', context, 48)).toEqual(referenceExpand('sha384', secret, info, 48));
  });

  it('refuses labels and contexts that do not fit HkdfLabel, and lengths that are not uint16', () => {
    expect(() => hkdfExpandLabel('sha256', serverHandshakeSecret, 'x'.repeat(250), new Uint8Array(0), 16)).toThrow(RangeError);
    expect(() => hkdfExpandLabel('sha256', serverHandshakeSecret, 'key', new Uint8Array(256), 16)).toThrow(RangeError);
    expect(() => hkdfExpandLabel('sha256', serverHandshakeSecret, 'key', new Uint8Array(0), 0x10000)).toThrow(RangeError);
  });
});

describe('deriveSecret (RFC 8446 §7.1)', () => {
  it('reproduces RFC 8448 §3 "derive secret for handshake tls13 derived" from the early secret and the empty hash', () => {
    const early = hexToBytes('33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a');
    expect(bytesToHex(deriveSecret('sha256', early, 'derived', hash('sha256', new Uint8Array(0)), 'tls13 '))).toBe(
      '6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba',
    );
  });

  it('outputs Hash.length bytes: 48 for SHA-384', () => {
    expect(deriveSecret('sha384', new Uint8Array(48), 'derived', hash('sha384', new Uint8Array(0)))).toHaveLength(48);
  });
});
