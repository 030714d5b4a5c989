import { createHmac } from 'node:crypto';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { hash } from '../../lib/crypto/hash.js';
import { TLS13_CIPHER_SUITES, tls13CipherSuiteByName } from '../../lib/crypto/tls13-cipher-suites.js';
import {
  finishedKey,
  finishedMatches,
  finishedVerifyData,
  KeySchedule13,
  nextTrafficSecret,
  resumptionPsk,
  trafficKeys,
} from '../../lib/crypto/tls13-key-schedule.js';

const AES_128_GCM = tls13CipherSuiteByName('TLS_AES_128_GCM_SHA256')!;
const hex = (bytes: Uint8Array): string => bytesToHex(bytes);
const h = (s: string): Uint8Array => hexToBytes(s.replace(/\s+/g, ''));

/**
 * RFC 8448 §3 "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256, x25519, label prefix "tls13 "):
 * the inputs (ECDHE shared secret, transcript hashes) and every secret, key and IV the trace
 * prints. The values are the RFC's, as other implementations' test suites quote its text
 * (Erlang/OTP's ssl tests and Bouncy Castle's for §3 and §4); a mistyped byte cannot pass,
 * since each output is an HMAC chain over the inputs.
 */
const SIMPLE = {
  sharedSecret: '8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d',
  helloHash: '860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8',
  clientHandshake: 'b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21',
  serverHandshake: 'b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38',
  serverHandshakeKey: '3fce516009c21727d0f2e4e86ee403bc',
  serverHandshakeIv: '5d313eb2671276ee13000b30',
  clientHandshakeKey: 'dbfaa693d1762c5b666af5d950258d01',
  clientHandshakeIv: '5bd3c71b836e0b76bb73265f',
  // through CertificateVerify: what the server Finished covers
  certificateVerifyHash: 'edb7725fa7a3473b031ec8ef65a2485493900138a2b91291407d7951a06110ed',
  serverFinishedKey: '008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8',
  serverVerifyData: '9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718',
  // through the server Finished
  finishedHash: '9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13',
  clientFinishedKey: 'b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4',
  clientVerifyData: 'a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61',
  clientApplication: '9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5',
  serverApplication: 'a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643',
  exporter: 'fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50',
  serverApplicationKey: '9f02283b6c9c07efc26bb9f2ac92e356',
  serverApplicationIv: 'cf782b88dd83549aadf1e984',
  clientApplicationKey: '17422dda596ed5d9acd890e3c63f5051',
  clientApplicationIv: '5b78923dee08579033e523d9',
  // through the client Finished
  clientFinishedHash: '209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d',
  resumptionMaster: '7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c',
  // the NewSessionTicket's nonce 00 00, and the PSK §4 resumes with
  ticketNonce: '0000',
  resumptionPsk: '4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3',
};

/** RFC 8448 §4 "Resumed 0-RTT Handshake": the PSK binder over the partial ClientHello. */
const RESUMED = {
  binderKey: '69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256',
  binderFinishedKey: '5588673e72cb59c87d220caffe94f2dea9a3b1609f7d50e90a48227db9ed7eaa',
  binderHash: '63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14',
  binder: '3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d',
};

/** RFC 8448 §5 "HelloRetryRequest" (P-256 after the retry): the transcript starts with message_hash, the schedule is the same. */
const RETRY = {
  sharedSecret: 'c142ce13ca11b5c2233652e63ad3d97844f1621fbfb9de69d547dc8fedeabeb4',
  helloHash: '8aa8e828ec2f8a884fec95a3139de01c15a3daa7ff5bfc3f4bfcc21b438d7bf8',
  clientHandshake: '158aa7ab8855073582b41d674b4055cabcc534728f659314861b4e08e2011566',
  serverHandshake: '3403e781e2af7b6508da28574f6e95a1abf162de83a97927c37672a4a0cef8a1',
  serverHandshakeKey: '4646bfac1712c426cd78d8a24a8a6f6b',
  serverHandshakeIv: 'c7d395c08d62f297d13768ea',
  finishedHash: '50f63cbf36b0dd049e7a0ba27d6455745ea2aaac54bb167f9950b2b7ce9509da',
  clientApplication: '75ecf4b972525aa0dcd057c9944d4cd5d82671d8843141d7dc2a4ff15a21dc51',
  exporter: '7c06d3ae106a3a374ace4837b3985cac67780a6e2c5c04b58319d584df09d223',
  clientApplicationKey: 'a7eb2a0525eb4331d58fcbf9f7ca2e9c',
  clientApplicationIv: '86e8be227c1bd2b3e39cb444',
  clientFinishedHash: '0e8b349158b855fdcd0c11dbbc4e83e43caa6e483c6c65df53151888e50165f4',
  resumptionMaster: '09170c6d472721566f9cf99b08699daff561ec8fb22d5a32c3f94ce009b69975',
};

describe('KeySchedule13 against RFC 8448 (prefix "tls13 ")', () => {
  it('§3 simple 1-RTT: handshake, application, exporter and resumption secrets, and the traffic keys of both sides', () => {
    const schedule = new KeySchedule13('sha256', undefined, 'tls13 ');
    const hs = schedule.handshakeSecrets(h(SIMPLE.sharedSecret), h(SIMPLE.helloHash));
    expect([hex(hs.client), hex(hs.server)]).toEqual([SIMPLE.clientHandshake, SIMPLE.serverHandshake]);
    const serverHs = trafficKeys(AES_128_GCM, hs.server, 'tls13 ');
    const clientHs = trafficKeys(AES_128_GCM, hs.client, 'tls13 ');
    expect([hex(serverHs.key), hex(serverHs.iv), hex(clientHs.key), hex(clientHs.iv)]).toEqual([
      SIMPLE.serverHandshakeKey,
      SIMPLE.serverHandshakeIv,
      SIMPLE.clientHandshakeKey,
      SIMPLE.clientHandshakeIv,
    ]);
    const ap = schedule.applicationSecrets(h(SIMPLE.finishedHash));
    expect([hex(ap.client), hex(ap.server), hex(ap.exporter)]).toEqual([SIMPLE.clientApplication, SIMPLE.serverApplication, SIMPLE.exporter]);
    const serverAp = trafficKeys(AES_128_GCM, ap.server, 'tls13 ');
    const clientAp = trafficKeys(AES_128_GCM, ap.client, 'tls13 ');
    expect([hex(serverAp.key), hex(serverAp.iv), hex(clientAp.key), hex(clientAp.iv)]).toEqual([
      SIMPLE.serverApplicationKey,
      SIMPLE.serverApplicationIv,
      SIMPLE.clientApplicationKey,
      SIMPLE.clientApplicationIv,
    ]);
    const rms = schedule.resumptionMasterSecret(h(SIMPLE.clientFinishedHash));
    expect(hex(rms)).toBe(SIMPLE.resumptionMaster);
    expect(hex(resumptionPsk('sha256', rms, h(SIMPLE.ticketNonce), 'tls13 '))).toBe(SIMPLE.resumptionPsk);
  });

  it('§3 simple 1-RTT: both Finished keys and verify_data, and finishedMatches takes only the right one', () => {
    const hs = new KeySchedule13('sha256', undefined, 'tls13 ').handshakeSecrets(h(SIMPLE.sharedSecret), h(SIMPLE.helloHash));
    expect(hex(finishedKey('sha256', hs.server, 'tls13 '))).toBe(SIMPLE.serverFinishedKey);
    expect(hex(finishedVerifyData('sha256', hs.server, h(SIMPLE.certificateVerifyHash), 'tls13 '))).toBe(SIMPLE.serverVerifyData);
    expect(hex(finishedKey('sha256', hs.client, 'tls13 '))).toBe(SIMPLE.clientFinishedKey);
    expect(hex(finishedVerifyData('sha256', hs.client, h(SIMPLE.finishedHash), 'tls13 '))).toBe(SIMPLE.clientVerifyData);
    const received = h(SIMPLE.clientVerifyData);
    expect(finishedMatches('sha256', hs.client, h(SIMPLE.finishedHash), received, 'tls13 ')).toBe(true);
    for (const i of [0, 31]) {
      const forged = received.slice();
      forged[i] ^= 1;
      expect(finishedMatches('sha256', hs.client, h(SIMPLE.finishedHash), forged, 'tls13 ')).toBe(false);
    }
    expect(finishedMatches('sha256', hs.client, h(SIMPLE.finishedHash), received.subarray(0, 31), 'tls13 ')).toBe(false);
  });

  it('§4 resumed: the resumption binder key and the PSK binder over the partial ClientHello', () => {
    const schedule = new KeySchedule13('sha256', h(SIMPLE.resumptionPsk), 'tls13 ');
    const binderKey = schedule.binderKey('resumption');
    expect(hex(binderKey)).toBe(RESUMED.binderKey);
    expect(hex(finishedKey('sha256', binderKey, 'tls13 '))).toBe(RESUMED.binderFinishedKey);
    expect(hex(finishedVerifyData('sha256', binderKey, h(RESUMED.binderHash), 'tls13 '))).toBe(RESUMED.binder);
    // RFC 8446 §7.1: an external PSK's binder key has its own label, so one cannot pass for the other.
    expect(hex(schedule.binderKey('external'))).not.toBe(RESUMED.binderKey);
  });

  it('§5 HelloRetryRequest: the secrets over the transcript that begins with message_hash', () => {
    const schedule = new KeySchedule13('sha256', undefined, 'tls13 ');
    const hs = schedule.handshakeSecrets(h(RETRY.sharedSecret), h(RETRY.helloHash));
    expect([hex(hs.client), hex(hs.server)]).toEqual([RETRY.clientHandshake, RETRY.serverHandshake]);
    const serverHs = trafficKeys(AES_128_GCM, hs.server, 'tls13 ');
    expect([hex(serverHs.key), hex(serverHs.iv)]).toEqual([RETRY.serverHandshakeKey, RETRY.serverHandshakeIv]);
    const ap = schedule.applicationSecrets(h(RETRY.finishedHash));
    expect([hex(ap.client), hex(ap.exporter)]).toEqual([RETRY.clientApplication, RETRY.exporter]);
    const clientAp = trafficKeys(AES_128_GCM, ap.client, 'tls13 ');
    expect([hex(clientAp.key), hex(clientAp.iv)]).toEqual([RETRY.clientApplicationKey, RETRY.clientApplicationIv]);
    expect(hex(schedule.resumptionMasterSecret(h(RETRY.clientFinishedHash)))).toBe(RETRY.resumptionMaster);
  });
});

/**
 * The schedule of RFC 8446 §7.1 written out step by step over node:crypto's HMAC, with the
 * labels of RFC 9147 §5.9: an implementation independent of noble and of lib/crypto/hkdf.ts.
 */
function referenceSchedule(alg: 'sha256' | 'sha384', psk: Uint8Array | undefined, shared: Uint8Array | undefined, helloHash: Uint8Array, finishedHash: Uint8Array) {
  const length = alg === 'sha256' ? 32 : 48;
  const mac = (key: Uint8Array, data: Uint8Array): Uint8Array => new Uint8Array(createHmac(alg, key).update(data).digest());
  const expandLabel = (secret: Uint8Array, label: string, context: Uint8Array, n: number): Uint8Array => {
    const full = new TextEncoder().encode(`dtls13${label}`);
    const info = concatBytes(Uint8Array.of(n >> 8, n & 0xff, full.length), full, Uint8Array.of(context.length), context);
    let t: Uint8Array = new Uint8Array(0);
    let out: Uint8Array = new Uint8Array(0);
    for (let i = 1; out.length < n; i++) out = concatBytes(out, (t = mac(secret, concatBytes(t, info, Uint8Array.of(i)))));
    return out.subarray(0, n);
  };
  const zeros = new Uint8Array(length);
  const empty = hash(alg, new Uint8Array(0));
  const early = mac(zeros, psk ?? zeros);
  const handshake = mac(expandLabel(early, 'derived', empty, length), shared ?? zeros);
  const master = mac(expandLabel(handshake, 'derived', empty, length), zeros);
  return {
    extBinder: expandLabel(early, 'ext binder', empty, length),
    clientHs: expandLabel(handshake, 'c hs traffic', helloHash, length),
    serverHs: expandLabel(handshake, 's hs traffic', helloHash, length),
    clientAp: expandLabel(master, 'c ap traffic', finishedHash, length),
    exporter: expandLabel(master, 'exp master', finishedHash, length),
    expandLabel,
  };
}

describe('KeySchedule13 with the DTLS 1.3 labels (RFC 9147 §5.9)', () => {
  for (const suite of TLS13_CIPHER_SUITES) {
    it(`${suite.name}: every secret and the key, IV and sn key match a step-by-step "dtls13" schedule, psk_dhe_ke`, () => {
      const n = suite.hash === 'sha256' ? 32 : 48;
      const psk = new Uint8Array(n).fill(0x11);
      const shared = new Uint8Array(32).fill(0x22);
      const helloHash = hash(suite.hash, Uint8Array.of(1));
      const finishedHash = hash(suite.hash, Uint8Array.of(2));
      const ref = referenceSchedule(suite.hash, psk, shared, helloHash, finishedHash);
      const schedule = new KeySchedule13(suite.hash, psk);
      expect(schedule.binderKey('external')).toEqual(ref.extBinder);
      const hs = schedule.handshakeSecrets(shared, helloHash);
      expect([hs.client, hs.server]).toEqual([ref.clientHs, ref.serverHs]);
      const ap = schedule.applicationSecrets(finishedHash);
      expect([ap.client, ap.exporter]).toEqual([ref.clientAp, ref.exporter]);
      const keys = trafficKeys(suite, ap.client);
      const none = new Uint8Array(0);
      expect(keys).toEqual({
        key: ref.expandLabel(ap.client, 'key', none, suite.keyLength),
        iv: ref.expandLabel(ap.client, 'iv', none, 12),
        snKey: ref.expandLabel(ap.client, 'sn', none, suite.keyLength),
      });
      expect(nextTrafficSecret(suite.hash, ap.client)).toEqual(ref.expandLabel(ap.client, 'traffic upd', none, n));
    });
  }

  it('psk_ke (no ECDHE) extracts the 0-value, and differs from a schedule without a PSK', () => {
    const helloHash = hash('sha256', Uint8Array.of(1));
    const psk = new Uint8Array(32).fill(3);
    const ref = referenceSchedule('sha256', psk, undefined, helloHash, helloHash);
    expect(new KeySchedule13('sha256', psk).handshakeSecrets(undefined, helloHash).client).toEqual(ref.clientHs);
    expect(new KeySchedule13('sha256').handshakeSecrets(undefined, helloHash).client).not.toEqual(ref.clientHs);
  });

  it('derives other secrets than TLS 1.3 from the same inputs', () => {
    const helloHash = h(SIMPLE.helloHash);
    const dtls = new KeySchedule13('sha256').handshakeSecrets(h(SIMPLE.sharedSecret), helloHash);
    expect(hex(dtls.client)).not.toBe(SIMPLE.clientHandshake);
  });

  it('refuses stages out of order, and is unusable after destroy()', () => {
    const schedule = new KeySchedule13('sha256');
    expect(() => schedule.applicationSecrets(new Uint8Array(32))).toThrow(/before handshakeSecrets/);
    expect(() => schedule.resumptionMasterSecret(new Uint8Array(32))).toThrow(/before applicationSecrets/);
    schedule.handshakeSecrets(undefined, new Uint8Array(32));
    schedule.destroy();
    expect(() => schedule.applicationSecrets(new Uint8Array(32))).toThrow();
    expect(() => schedule.binderKey('external')).toThrow(/after destroy/);
    expect(() => schedule.handshakeSecrets(undefined, new Uint8Array(32))).toThrow(/after destroy/);
  });
});
