import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { CIPHER_SUITES } from '../../lib/crypto/cipher-suites.js';
import {
  computeExtendedMasterSecret,
  computeMasterSecret,
  computeVerifyData,
  deriveKeyBlock,
} from '../../lib/crypto/key-schedule.js';
import { Prf } from '../../lib/crypto/prf.js';
import { seededBytes } from '../wire/helpers/prng.js';
import { referencePrf } from './helpers/tls12-prf-reference.js';

/**
 * NIST CAVP SP 800-135 TLS 1.2 KDF vectors (tls.zip, COUNT = 0 of [TlsPrf1_2HmacSha256] and
 * [TlsPrf1_2HmacSha384]); OpenSSL's evpkdf_tls12_prf.txt and BouncyCastle's tests use them too.
 * The master secret comes from the hello randoms, the key block from a second pair of randoms.
 */
const CAVP = [
  {
    alg: 'sha256' as const,
    preMasterSecret:
      'f8938ecc9edebc5030c0c6a441e213cd24e6f770a50dda07876f8d55da062bcadb386b411fd4fe4313a604fce6c17fbc',
    clientHelloRandom: '36c129d01a3200894b9179faac589d9835d58775f9b5ea3587cb8fd0364cae8c',
    serverHelloRandom: 'f6c9575ed7ddd73e1f7d16eca115415812a43c2b747daaaae043abfb50053fce',
    clientRandom: '62e1fd91f23f558a605f28478c58cf72637b89784d959df7e946d3f07bd1b616',
    serverRandom: 'ae6c806f8ad4d80784549dff28a4b58fd837681a51d928c3e30ee5ff14f39868',
    masterSecret: '202c88c00f84a17a20027079604787461176455539e705be730890602c289a5001e34eeb3a043e5d52a65e66125188bf',
    keyBlock:
      'd06139889fffac1e3a71865f504aa5d0d2a2e89506c6f2279b670c3e1b74f531016a2530c51a3a0f7e1d6590d0f0566b' +
      '2f387f8d11fd4f731cdd572d2eae927f6f2f81410b25e6960be68985add6c38445ad9f8c64bf8068bf9a6679485d966f' +
      '1ad6f68b43495b10a683755ea2b858d70ccac7ec8b053c6bd41ca299d4e51928',
  },
  {
    alg: 'sha384' as const,
    preMasterSecret:
      'a5e2642633f5b8c81ad3fe0c2fe3a8e5ef806b06121dd10df4bb0fe857bfdcf522558e05d2682c9a80c741a3aab1716f',
    clientHelloRandom: 'abe4bf5527429ac8eb13574d2709e8012bd1a113c6d3b1d3aa2c3840518778ac',
    serverHelloRandom: 'cb6e0b3eb02976b6466dfa9651c2919414f1648fd3a7838d02153e5bd39535b6',
    clientRandom: '954b5fe1849c2ede177438261f099a2fcd884d001b9fe1de754364b1f6a6dd8e',
    serverRandom: '1b1c8568344a65c30828e7483c0e353e2c68641c9551efae6927d9cd627a107c',
    masterSecret: 'b4d49bfa87747fe815457bc3da15073d6ac73389e703079a3503c09e14bd559a5b3c7c601c7365f6ea8c68d3d9596827',
    keyBlock:
      '10fd89ef689c7ef033387b8a8f3e5e8e7c11f680f6bdd71fbac3246a73e98d45d03185dde686e6b2369e4503e9dc5a6d' +
      '2cee3e2bf2fa3f41d3de57dff3e197c8a9d5f74cc2d277119d894f8584b07a0a5822f0bd68b3433ec6adaf5c9406c5f3' +
      'ddbb71bbe17ce98f3d4d5893d3179ef369f57aad908e2bf710639100c3ce7e0c',
  },
];

describe('computeMasterSecret (RFC 5246 §8.1)', () => {
  for (const v of CAVP) {
    it(`matches the NIST CAVP TLS 1.2 ${v.alg.toUpperCase()} master secret (seed client_random + server_random)`, () => {
      const ms = computeMasterSecret(
        v.alg,
        hexToBytes(v.preMasterSecret),
        hexToBytes(v.clientHelloRandom),
        hexToBytes(v.serverHelloRandom),
      );
      expect(bytesToHex(ms)).toBe(v.masterSecret);
    });
  }

  it('is 48 bytes whatever the pre-master secret length, and swapping the randoms changes it', () => {
    const random = seededBytes(81);
    const clientRandom = random(32);
    const serverRandom = random(32);
    for (const pmsLength of [0, 16, 36, 100]) {
      expect(computeMasterSecret('sha256', random(pmsLength), clientRandom, serverRandom)).toHaveLength(48);
    }
    const pms = random(48);
    expect(computeMasterSecret('sha256', pms, clientRandom, serverRandom)).not.toEqual(
      computeMasterSecret('sha256', pms, serverRandom, clientRandom),
    );
  });

  it('throws when a random is not 32 bytes (a caller bug)', () => {
    expect(() => computeMasterSecret('sha256', new Uint8Array(48), new Uint8Array(31), new Uint8Array(32))).toThrow(RangeError);
    expect(() => computeMasterSecret('sha256', new Uint8Array(48), new Uint8Array(32), new Uint8Array(33))).toThrow(RangeError);
  });
});

describe('computeExtendedMasterSecret (RFC 7627 §4)', () => {
  it('is PRF(pre_master_secret, "extended master secret", session_hash)[0..47] for both PRF hashes', () => {
    const random = seededBytes(7627);
    for (const alg of ['sha256', 'sha384'] as const) {
      const pms = random(32);
      const sessionHash = random(alg === 'sha256' ? 32 : 48);
      const ems = computeExtendedMasterSecret(alg, pms, sessionHash);
      expect(bytesToHex(ems)).toBe(referencePrf(alg, pms, 'extended master secret', sessionHash, 48));
    }
  });

  it('differs from the classic master secret over the same inputs', () => {
    const pms = new Uint8Array(48).fill(7);
    const randoms = new Uint8Array(64).fill(9);
    const classic = computeMasterSecret('sha256', pms, randoms.subarray(0, 32), randoms.subarray(32));
    expect(computeExtendedMasterSecret('sha256', pms, randoms)).not.toEqual(classic);
  });
});

describe('deriveKeyBlock (RFC 5246 §6.3)', () => {
  for (const v of CAVP) {
    const suites = CIPHER_SUITES.filter((s) => s.prfHash === v.alg);
    it(`partitions the NIST CAVP ${v.alg.toUpperCase()} key block (seed server_random + client_random) for ${suites.length} suites`, () => {
      expect(suites.length).toBeGreaterThan(0);
      for (const suite of suites) {
        const kb = deriveKeyBlock(suite, hexToBytes(v.masterSecret), hexToBytes(v.clientRandom), hexToBytes(v.serverRandom));
        const k = suite.keyLength * 2;
        const iv = suite.fixedIvLength * 2;
        expect(bytesToHex(kb.clientWriteKey), suite.name).toBe(v.keyBlock.slice(0, k));
        expect(bytesToHex(kb.serverWriteKey), suite.name).toBe(v.keyBlock.slice(k, 2 * k));
        expect(bytesToHex(kb.clientWriteIv), suite.name).toBe(v.keyBlock.slice(2 * k, 2 * k + iv));
        expect(bytesToHex(kb.serverWriteIv), suite.name).toBe(v.keyBlock.slice(2 * k + iv, 2 * k + 2 * iv));
      }
    });
  }

  for (const suite of CIPHER_SUITES) {
    it(`${suite.name}: ${suite.keyLength}-byte write keys and ${suite.fixedIvLength}-byte write IVs, no MAC keys`, () => {
      const random = seededBytes(suite.id);
      const ms = random(48);
      const clientRandom = random(32);
      const serverRandom = random(32);
      const kb = deriveKeyBlock(suite, ms, clientRandom, serverRandom);
      expect(kb.clientWriteKey).toHaveLength(suite.keyLength);
      expect(kb.serverWriteKey).toHaveLength(suite.keyLength);
      expect(kb.clientWriteIv).toHaveLength(suite.fixedIvLength);
      expect(kb.serverWriteIv).toHaveLength(suite.fixedIvLength);
      const stream = referencePrf(
        suite.prfHash,
        ms,
        'key expansion',
        concatBytes(serverRandom, clientRandom),
        2 * suite.keyLength + 2 * suite.fixedIvLength,
      );
      expect(bytesToHex(concatBytes(kb.clientWriteKey, kb.serverWriteKey, kb.clientWriteIv, kb.serverWriteIv))).toBe(stream);
    });
  }
});

describe('computeVerifyData (RFC 5246 §7.4.9)', () => {
  it('is the first 12 bytes of PRF(master_secret, finished_label, handshake_hash)', () => {
    const random = seededBytes(749);
    for (const alg of ['sha256', 'sha384'] as const) {
      const ms = random(48);
      const handshakeHash = random(alg === 'sha256' ? 32 : 48);
      for (const label of ['client finished', 'server finished'] as const) {
        const verifyData = computeVerifyData(alg, ms, label, handshakeHash);
        expect(verifyData).toHaveLength(12);
        expect(bytesToHex(verifyData)).toBe(referencePrf(alg, ms, label, handshakeHash, 12));
      }
    }
  });

  it('differs between the client and the server label', () => {
    const ms = new Uint8Array(48).fill(1);
    const h = new Uint8Array(32).fill(2);
    expect(computeVerifyData('sha256', ms, 'client finished', h)).not.toEqual(computeVerifyData('sha256', ms, 'server finished', h));
  });
});

describe('the key schedule with a master secret keyed once (Prf)', () => {
  it('gives the key block and both verify_data the bytes give, for SHA-256 and SHA-384 suites', () => {
    const random = seededBytes(7627);
    for (const suite of CIPHER_SUITES) {
      const ms = random(48);
      const [cr, sr, h] = [random(32), random(32), random(suite.prfHash === 'sha256' ? 32 : 48)];
      const master = new Prf(suite.prfHash, ms);
      expect(deriveKeyBlock(suite, master, cr, sr)).toEqual(deriveKeyBlock(suite, ms, cr, sr));
      for (const label of ['client finished', 'server finished'] as const) {
        expect(computeVerifyData(suite.prfHash, master, label, h)).toEqual(computeVerifyData(suite.prfHash, ms, label, h));
      }
    }
  });

  it('refuses a Prf keyed for another hash (a caller bug)', () => {
    const master = new Prf('sha384', new Uint8Array(48));
    expect(() => computeVerifyData('sha256', master, 'client finished', new Uint8Array(32))).toThrow(RangeError);
  });
});
