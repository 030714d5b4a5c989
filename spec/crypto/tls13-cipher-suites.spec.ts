import { describe, expect, it } from 'vitest';
import { createAead } from '../../lib/crypto/aeads.js';
import { TLS13_CIPHER_SUITES, tls13CipherSuiteById, tls13CipherSuiteByName } from '../../lib/crypto/tls13-cipher-suites.js';

describe('TLS13_CIPHER_SUITES (RFC 8446 §B.4)', () => {
  it('lists the five suites with their IANA code points, hashes and lengths', () => {
    const rows = TLS13_CIPHER_SUITES.map((s) => [s.id, s.name, s.aead, s.hash, s.keyLength, s.ivLength, s.tagLength]);
    expect(rows).toEqual([
      [0x1301, 'TLS_AES_128_GCM_SHA256', 'AES_128_GCM', 'sha256', 16, 12, 16],
      [0x1302, 'TLS_AES_256_GCM_SHA384', 'AES_256_GCM', 'sha384', 32, 12, 16],
      [0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'CHACHA20_POLY1305', 'sha256', 32, 12, 16],
      [0x1304, 'TLS_AES_128_CCM_SHA256', 'AES_128_CCM', 'sha256', 16, 12, 16],
      [0x1305, 'TLS_AES_128_CCM_8_SHA256', 'AES_128_CCM_8', 'sha256', 16, 12, 8],
    ]);
  });

  it('gives lengths the AEADs accept: a key of keyLength makes an AEAD with tagLength', () => {
    for (const s of TLS13_CIPHER_SUITES) expect(createAead(s.aead, new Uint8Array(s.keyLength)).tagLength).toBe(s.tagLength);
  });

  it('finds each suite by id and by name, and nothing for a 1.2 suite or an unknown one', () => {
    for (const s of TLS13_CIPHER_SUITES) {
      expect(tls13CipherSuiteById(s.id)).toBe(s);
      expect(tls13CipherSuiteByName(s.name)).toBe(s);
    }
    expect(tls13CipherSuiteById(0xc0a8)).toBeUndefined();
    expect(tls13CipherSuiteById(0x1306)).toBeUndefined();
    expect(tls13CipherSuiteByName('TLS_PSK_WITH_AES_128_CCM_8')).toBeUndefined();
  });
});
