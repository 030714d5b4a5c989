import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { tls13CipherSuiteByName } from '../../lib/crypto/tls13-cipher-suites.js';
import { hash } from '../../lib/crypto/hash.js';
import { finishedVerifyData, KeySchedule13, nextTrafficSecret } from '../../lib/crypto/tls13-key-schedule.js';
import { openDatagram13 } from '../../lib/record/open-datagram13.js';
import type { PlainRecord } from '../../lib/record/read-epochs.js';
import { ReadEpochs13 } from '../../lib/record/read-epochs13.js';
import { recordCipher13 } from '../../lib/record/record-cipher13.js';
import { splitRecords13 } from '../../lib/record/split-records13.js';
import { ContentType } from '../../lib/wire/constants.js';

/**
 * DTLS 1.3 exchanges between wolfSSL 5.7.2's example client and server (PSK), captured on
 * loopback with the NSS key log both wrote (spec/fixtures/record13/README.md). Opening every
 * record with keys derived here from those secrets checks, against an implementation that is
 * not ours: the "dtls13" labels of key, iv and sn (RFC 9147 §5.9, §4.2.3), record number
 * decryption, the unified header as AAD, the nonce, sequence number and epoch reconstruction,
 * the CID in the header and the KeyUpdate's next secret (RFC 8446 §7.2). Sealing each record
 * again must give wolfSSL's bytes exactly (the AEADs are deterministic).
 */
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/record13');

interface Capture {
  readonly datagrams: { readonly toServer: boolean; readonly bytes: Uint8Array }[];
  readonly secrets: ReadonlyMap<string, Uint8Array>;
}

function capture(name: string): Capture {
  const datagrams = readFileSync(join(FIXTURES, `${name}.hex`), 'utf8')
    .trim()
    .split('\n')
    .map((line) => ({ toServer: line.startsWith('c>s'), bytes: hexToBytes(line.slice(4)) }));
  const secrets = new Map(
    readFileSync(join(FIXTURES, `${name}.keylog`), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([label, , secret]) => [label, hexToBytes(secret)] as const),
  );
  return { datagrams, secrets };
}

const CASES = [
  { name: 'wolfssl-aes128gcm', suite: 'TLS_AES_128_GCM_SHA256' },
  { name: 'wolfssl-aes128gcm-psk-ke', suite: 'TLS_AES_128_GCM_SHA256' },
  { name: 'wolfssl-aes256gcm', suite: 'TLS_AES_256_GCM_SHA384' },
  { name: 'wolfssl-chacha20', suite: 'TLS_CHACHA20_POLY1305_SHA256' },
  { name: 'wolfssl-aes128ccm', suite: 'TLS_AES_128_CCM_SHA256' },
  { name: 'wolfssl-aes128ccm8', suite: 'TLS_AES_128_CCM_8_SHA256' },
  // --cid AB on the client, CD on the server; the client's -I sends KeyUpdate(update_requested): epoch 4 both ways.
  { name: 'wolfssl-aes128gcm-cid-keyupdate', suite: 'TLS_AES_128_GCM_SHA256', clientCid: 'AB', serverCid: 'CD', keyUpdate: true },
] as const;

const ascii = (s: string) => new TextEncoder().encode(s);

describe('wolfSSL 5.7.2 DTLS 1.3 records, opened and sealed again (RFC 9147 §4)', () => {
  for (const c of CASES) {
    const suite = tls13CipherSuiteByName(c.suite)!;
    const cids = 'clientCid' in c ? { client: ascii(c.clientCid), server: ascii(c.serverCid) } : undefined;

    /** The epochs one side reads: the peer's secrets; `cid` is the reader's own. */
    function reader(sender: 'CLIENT' | 'SERVER', secrets: Capture['secrets'], cid?: Uint8Array): { epochs: ReadEpochs13; secretOf: Map<number, Uint8Array> } {
      const epochs = new ReadEpochs13({ cidLength: cid?.length ?? 0 });
      const secretOf = new Map<number, Uint8Array>([
        [2, secrets.get(`${sender}_HANDSHAKE_TRAFFIC_SECRET`)!],
        [3, secrets.get(`${sender}_TRAFFIC_SECRET_0`)!],
      ]);
      if ('keyUpdate' in c) secretOf.set(4, nextTrafficSecret(suite.hash, secretOf.get(3)!));
      // Every protected record carries the CID, the handshake epoch's too (RFC 9147 §9: from the first record after the hellos that agreed it).
      for (const [epoch, secret] of secretOf) epochs.install(epoch, suite, secret, cid);
      return { epochs, secretOf };
    }

    it(`${c.name}: every datagram opens with keys derived from wolfSSL's traffic secrets, and each record seals back to wolfSSL's bytes`, () => {
      const { datagrams, secrets } = capture(c.name);
      const server = reader('CLIENT', secrets, cids?.server);
      const client = reader('SERVER', secrets, cids?.client);
      const opened: { toServer: boolean; record: PlainRecord }[] = [];
      let resealed = 0;
      for (const { toServer, bytes } of datagrams) {
        const side = toServer ? server : client;
        const records: PlainRecord[] = [];
        expect(openDatagram13(bytes, side.epochs, (r) => records.push(r) > 0)).toBe(0);
        opened.push(...records.map((record) => ({ toServer, record })));
        // Seal each protected record again under the sender's keys at its number: the same bytes.
        const raws = splitRecords13(bytes, side.epochs.cidLength).records;
        raws.forEach((raw, i) => {
          if (raw.kind !== 'ciphertext') return;
          const record = records[i];
          const cipher = recordCipher13(record.epoch, suite, side.secretOf.get(record.epoch)!, undefined, raw.cid);
          expect(cipher.protect(record.contentType, record.sequenceNumber, record.payload, raw.sequenceLength)).toEqual(concatBytes(raw.header, raw.encrypted));
          resealed++;
        });
      }
      expect(resealed).toBeGreaterThanOrEqual(6);
      const appData = (toServer: boolean) => opened.filter((o) => o.toServer === toServer && o.record.contentType === ContentType.application_data);
      const hello = new TextDecoder().decode(appData(true)[0].record.payload);
      expect(hello).toBe('hello wolfssl!');
      // The server echoes it (-e).
      expect(appData(false).map((o) => new TextDecoder().decode(o.record.payload))).toContain('hello wolfssl!');
      // Handshake records went in epochs 0 and 2, ACKs (26) in protected records.
      expect(new Set(opened.map((o) => o.record.epoch))).toEqual(new Set('keyUpdate' in c ? [0, 2, 3, 4] : [0, 2, 3]));
      expect(opened.some((o) => o.record.contentType === 26)).toBe(true);
    });
  }
});

/**
 * The wolfSSL examples' DTLS 1.3 PSK (wolfssl/test.h): 01 23 45 67 89 ab cd ef, four times.
 * With psk_ke (client -K) no (EC)DHE enters the schedule, so every secret follows from it and
 * the transcript: the whole KeySchedule13 with the "dtls13" labels can be checked against
 * wolfSSL's key log.
 */
const WOLFSSL_PSK = hexToBytes('0123456789abcdef'.repeat(4));

/**
 * The transcript form of a DTLS handshake message (RFC 9147 §5.2): msg_type and length, without
 * message_seq, fragment_offset and fragment_length (the messages here are not fragmented).
 */
const transcriptForm = (message: Uint8Array): Uint8Array => concatBytes(message.subarray(0, 4), message.subarray(12));

describe('KeySchedule13 against wolfSSL 5.7.2 (DTLS 1.3, external PSK, psk_ke, a HelloRetryRequest with a cookie)', () => {
  it('derives the binder wolfSSL sent, both handshake and both application traffic secrets of its key log, and both Finished', () => {
    const { datagrams, secrets } = capture('wolfssl-aes128gcm-psk-ke');
    const suite = tls13CipherSuiteByName('TLS_AES_128_GCM_SHA256')!;
    const server = new ReadEpochs13();
    const client = new ReadEpochs13();
    server.install(2, suite, secrets.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')!);
    client.install(2, suite, secrets.get('SERVER_HANDSHAKE_TRAFFIC_SECRET')!);
    const handshake: Uint8Array[] = [];
    for (const { toServer, bytes } of datagrams) {
      openDatagram13(bytes, toServer ? server : client, (r) => {
        if (r.contentType === ContentType.handshake && r.epoch <= 2) handshake.push(r.payload);
        return true;
      });
    }
    // ClientHello, HelloRetryRequest, ClientHello, ServerHello, EncryptedExtensions, Finished, Finished.
    expect(handshake.map((m) => m[0])).toEqual([1, 2, 1, 2, 8, 20, 20]);
    const [ch1, hrr, ch2, sh, ee, serverFinished, clientFinished] = handshake.map(transcriptForm);
    // RFC 8446 §4.4.1: after a HelloRetryRequest the first ClientHello is replaced by message_hash.
    const messageHash = concatBytes(Uint8Array.of(254, 0, 0, 32), hash('sha256', ch1));
    const th = (...messages: Uint8Array[]) => hash('sha256', concatBytes(messageHash, hrr, ...messages));

    const schedule = new KeySchedule13('sha256', WOLFSSL_PSK);
    // §4.2.11.2: the binder covers the second ClientHello up to its binders list: 2 + 1 + 32 bytes from its end.
    const binder = ch2.subarray(ch2.length - 32);
    expect(finishedVerifyData('sha256', schedule.binderKey('external'), th(ch2.subarray(0, ch2.length - 35)))).toEqual(binder);

    const hs = schedule.handshakeSecrets(undefined, th(ch2, sh));
    expect(hs.client).toEqual(secrets.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET'));
    expect(hs.server).toEqual(secrets.get('SERVER_HANDSHAKE_TRAFFIC_SECRET'));
    expect(finishedVerifyData('sha256', hs.server, th(ch2, sh, ee))).toEqual(serverFinished.subarray(4));
    expect(finishedVerifyData('sha256', hs.client, th(ch2, sh, ee, serverFinished))).toEqual(clientFinished.subarray(4));

    const ap = schedule.applicationSecrets(th(ch2, sh, ee, serverFinished));
    expect(ap.client).toEqual(secrets.get('CLIENT_TRAFFIC_SECRET_0'));
    expect(ap.server).toEqual(secrets.get('SERVER_TRAFFIC_SECRET_0'));
  });
});
