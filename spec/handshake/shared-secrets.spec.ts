// The secrets a cluster shares, derived from one master: the same in every process, apart per
// purpose and per period, checked against node:crypto's own HKDF (RFC 5869).
import { hkdfSync } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SharedSecrets } from '../../lib/handshake/shared-secrets.js';

const master = new Uint8Array(32).map((_, i) => 0xa0 + i);

/** HKDF-SHA256 as node:crypto computes it, with a period index as a big-endian int64 after the label. */
function nodeHkdf(label: string, index: number, length: number): Uint8Array {
  const info = Buffer.alloc(label.length + 8);
  info.write(label, 'latin1');
  info.writeBigInt64BE(BigInt(index), label.length);
  return new Uint8Array(hkdfSync('sha256', master, 'rx-dtls shared secrets v1', info, length));
}

describe('SharedSecrets: per-purpose, per-period secrets from one master (HKDF-SHA256)', () => {
  it('computes what node:crypto computes, for periods before and after 0', () => {
    const secrets = new SharedSecrets(master);
    for (const index of [-1, 0, 1, 29_000_000]) {
      expect(secrets.cookieSecret(index)).toEqual(nodeHkdf('rx-dtls cookie secret', index, 32));
      expect(secrets.ticketKey(index)).toEqual(new Uint8Array([...nodeHkdf('rx-dtls ticket key name', index, 16), ...nodeHkdf('rx-dtls ticket key', index, 32)]));
    }
  });

  it('is the same in two processes given the same master, and differs per period, per purpose and per master', () => {
    const [one, two] = [new SharedSecrets(master), new SharedSecrets(master.slice())];
    expect(two.cookieSecret(7)).toEqual(one.cookieSecret(7));
    expect(two.ticketKey(7)).toEqual(one.ticketKey(7));
    expect(one.cookieSecret(8)).not.toEqual(one.cookieSecret(7));
    expect(one.ticketKey(7).subarray(16)).not.toEqual(one.cookieSecret(7));
    const other = new SharedSecrets(master.map((b) => b ^ 1));
    expect(other.cookieSecret(7)).not.toEqual(one.cookieSecret(7));
    expect(other.ticketKey(7).subarray(0, 16)).not.toEqual(one.ticketKey(7).subarray(0, 16));
  });

  it('takes no master shorter than 32 bytes', () => {
    expect(() => new SharedSecrets(new Uint8Array(31))).toThrow(RangeError);
  });

  it('shows none of its key material when printed', () => {
    const secrets = new SharedSecrets(master);
    const printed = [inspect(secrets, { depth: Infinity, showHidden: true }), JSON.stringify({ secrets }), String(secrets)].join('\n');
    expect(printed).not.toMatch(/\d{2,3}(, \d{2,3}){7}/); // no run of byte values
    expect(printed).not.toContain(Buffer.from(master).toString('hex').slice(0, 16));
  });
});
