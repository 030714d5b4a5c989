// A server that skips the HelloVerifyRequest (RFC 6347 §4.2.1 makes it optional) and answers
// every ClientHello, here with a ServerHello whose rest of flight 4 never arrives. Each answer
// after the first is a copy of a message the client already has. Before any flight of the
// server is complete, such a copy is no sign that the client's flight was lost: the client must
// keep to its RFC 6347 §4.2.4.1 timer (0, 1, 3 s) instead of resending at once each time.
import { concatBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { cipherSuiteByName } from '../../lib/crypto/cipher-suites.js';
import { openClientSession } from '../../lib/endpoint/client.js';
import { splitRecords } from '../../lib/record/split-records.js';
import { memoryLink } from '../../lib/transport/memory.js';
import { ContentType, DTLS_1_2, HandshakeType } from '../../lib/wire/constants.js';
import { encodeHandshakeMessage } from '../../lib/wire/handshake-header.js';
import { encodeRecordHeader } from '../../lib/wire/record-header.js';
import { encodeServerHello } from '../../lib/wire/server-hello.js';
import { CLIENT_ADDRESS, SERVER_ADDRESS, pskStore } from '../endpoint/helpers/pair.js';
import { VirtualTime } from '../../lib/testing/index.js';

const DELAY = 10;
const SUITE = cipherSuiteByName('TLS_PSK_WITH_AES_128_CCM_8')!;

/** An epoch-0 record holding a ServerHello with message_seq 0, the server's first message when it skips the cookie exchange. */
function serverHelloRecord(sequenceNumber: number): Uint8Array {
  const body = encodeServerHello({ serverVersion: DTLS_1_2, random: new Uint8Array(32).fill(7), sessionId: new Uint8Array(0), cipherSuite: SUITE.id, compressionMethod: 0, extensions: [] });
  const message = encodeHandshakeMessage(HandshakeType.server_hello, 0, body);
  return concatBytes(encodeRecordHeader({ contentType: ContentType.handshake, version: DTLS_1_2, epoch: 0, sequenceNumber, length: message.length }), message);
}

const isClientHello = (datagram: Uint8Array): boolean =>
  splitRecords(datagram).records.some((r) => r.header.contentType === ContentType.handshake && r.fragment[0] === HandshakeType.client_hello);

describe('a server that answers every ClientHello without a HelloVerifyRequest', () => {
  it('gets the ClientHello at 0, 1 and 3 s of the RFC 6347 timer, not one per answer', async () => {
    const time = new VirtualTime();
    const [clientEnd, serverEnd] = memoryLink(CLIENT_ADDRESS, SERVER_ADDRESS, { scheduler: time.scheduler, delay: DELAY });
    const clientHellos: number[] = [];
    let answers = 0;
    serverEnd.datagrams$.subscribe(({ data, peer }) => {
      if (!isClientHello(data)) return;
      clientHellos.push(time.now);
      serverEnd.send(serverHelloRecord(answers++), peer);
    });
    const session = await openClientSession({ host: SERVER_ADDRESS.address, port: SERVER_ADDRESS.port, transport: clientEnd, credentials: pskStore(), cipherSuites: [SUITE.name], scheduler: time.scheduler, keyLog: undefined });
    const retransmits: string[] = [];
    session.events$.subscribe({ next: (e) => {
      if (e.type === 'retransmit') retransmits.push(e.reason);
    }, error: () => undefined });

    time.advanceTo(4_000);
    console.info(`ClientHellos in 4 s of virtual time: ${clientHellos.length}`);

    expect(clientHellos).toEqual([DELAY, 1_000 + DELAY, 3_000 + DELAY]);
    expect(retransmits).toEqual(['timeout', 'timeout']);
    expect(session.state).toBe('handshaking');
    session.close();
  });
});
