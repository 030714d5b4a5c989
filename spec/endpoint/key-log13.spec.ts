import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { tls13CipherSuiteByName } from '../../lib/crypto/tls13-cipher-suites.js';
import { openDatagram13 } from '../../lib/record/open-datagram13.js';
import type { PlainRecord } from '../../lib/record/read-epochs.js';
import { ReadEpochs13 } from '../../lib/record/read-epochs13.js';
import { ContentType, HandshakeType } from '../../lib/wire/constants.js';
import { decodeHandshakeFragments } from '../../lib/wire/handshake-header.js';
import { startPair, type WireDatagram } from './helpers/pair.js';

const LINE = /^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0) ([0-9a-f]{64}) ([0-9a-f]{64})\n$/;

/** The records of `from`'s datagrams that open in `epoch` under `secret`, as the key log's reader would open them. */
function openWith(wire: readonly WireDatagram[], from: 'client' | 'server', epoch: number, secret: Uint8Array): PlainRecord[] {
  const epochs = new ReadEpochs13();
  epochs.install(epoch, tls13CipherSuiteByName('TLS_AES_128_GCM_SHA256')!, secret);
  const opened: PlainRecord[] = [];
  for (const d of wire.filter((w) => w.from === from)) {
    openDatagram13(d.data, epochs, (record) => {
      if (record.epoch === epoch) opened.push(record);
      return true;
    });
  }
  return opened;
}

describe('SSLKEYLOGFILE lines of a DTLS 1.3 session (NSS key log format)', () => {
  it("both ends log the same four lines, keyed by the client random, whose secrets open the handshake's and the data's records", async () => {
    const clientLines: string[] = [];
    const serverLines: string[] = [];
    const pair = await startPair({
      server: { versions: ['1.3'], keyLog: (line) => serverLines.push(line) },
      client: { versions: ['1.3'], keyLog: (line) => clientLines.push(line) },
    });
    expect(pair.time.runUntil(() => pair.client.state === 'established', 10_000)).toBe(true);
    pair.client.send(utf8('from the client'));
    pair.serverSessions[0].send(utf8('from the server'));
    pair.time.advanceBy(10);

    expect(clientLines).toHaveLength(4);
    expect(serverLines).toEqual(clientLines);
    const parsed = clientLines.map((line) => LINE.exec(line)!);
    expect(parsed.every((m) => m !== null)).toBe(true);
    expect(parsed.map((m) => m[1])).toEqual(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']);
    expect(new Set(parsed.map((m) => m[2])).size).toBe(1);
    const secret = (i: number) => hexToBytes(parsed[i][3]);

    // Epoch 2: the server's EncryptedExtensions and Finished, the client's Finished.
    const serverHandshake = openWith(pair.wire, 'server', 2, secret(1)).flatMap((r) => {
      const fragments = decodeHandshakeFragments(r.payload);
      return fragments.ok ? fragments.value.map((f) => f.msgType) : [];
    });
    expect(serverHandshake).toEqual(expect.arrayContaining([HandshakeType.encrypted_extensions, HandshakeType.finished]));
    expect(openWith(pair.wire, 'client', 2, secret(0)).map((r) => r.contentType)).toContain(ContentType.handshake);
    // Epoch 3: the application data of each side.
    const text = (records: PlainRecord[]) => records.filter((r) => r.contentType === ContentType.application_data).map((r) => new TextDecoder().decode(r.payload));
    expect(text(openWith(pair.wire, 'client', 3, secret(2)))).toEqual(['from the client']);
    expect(text(openWith(pair.wire, 'server', 3, secret(3)))).toEqual(['from the server']);
  });

  it('a key log that throws does not end the session: a key-log-error event, and data still flows', async () => {
    const pair = await startPair({
      server: { versions: ['1.3'] },
      client: {
        versions: ['1.3'],
        keyLog: () => {
          throw new Error('disk full');
        },
      },
    });
    expect(pair.time.runUntil(() => pair.client.state === 'established', 10_000)).toBe(true);
    expect(pair.clientEvents).toContainEqual(expect.objectContaining({ type: 'key-log-error' }));
    const atServer: string[] = [];
    pair.serverSessions[0].data$.subscribe((d) => atServer.push(new TextDecoder().decode(d)));
    pair.client.send(utf8('still here'));
    pair.time.advanceBy(10);
    expect(atServer).toEqual(['still here']);
  });
});
