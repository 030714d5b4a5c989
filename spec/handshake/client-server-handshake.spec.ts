import { describe, expect, it } from 'vitest';
import { ClientHandshake } from '../../lib/handshake/client-handshake.js';
import { NOTHING } from '../../lib/handshake/handshake-step.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { ContentType, DTLS_1_2, HandshakeType } from '../../lib/wire/constants.js';
import {
  ECDHE_PSK_SUITES,
  IDENTITY,
  KEY,
  PSK_SUITES,
  clientOptions,
  deliver,
  handshakeMessages,
  only,
  serverOptions,
  startPair,
} from './helpers/handshake-pair.js';

/** Runs a whole handshake between a ClientHandshake and a ServerHandshake, message by message. */
async function fullHandshake(client = new ClientHandshake(clientOptions()), options = serverOptions()) {
  const pair = await startPair(client, options);
  const clientSteps4 = await deliver(pair.flight4, pair.client);
  const flight5 = only(clientSteps4, 'flight');
  const clientKeys = only(clientSteps4, 'keys');
  const serverSteps5 = await deliver(flight5, pair.server);
  const flight6 = only(serverSteps5, 'flight');
  const serverKeys = only(serverSteps5, 'keys');
  const serverSummary = only(serverSteps5, 'established');
  const clientSteps6 = await deliver(flight6, pair.client);
  const clientSummary = only(clientSteps6, 'established');
  return { ...pair, flight5, flight6, clientKeys, serverKeys, clientSummary, serverSummary, clientSteps6, serverSteps5 };
}

describe('ClientHandshake with ServerHandshake, message by message', () => {
  for (const suite of [...PSK_SUITES, ...ECDHE_PSK_SUITES]) {
    it(`completes ${suite.name} with the same master secret and working record keys on both sides`, async () => {
      const run = await fullHandshake(new ClientHandshake(clientOptions({ cipherSuites: [suite] })));
      expect(run.client.isEstablished).toBe(true);
      expect(run.server.isEstablished).toBe(true);
      expect(run.clientSummary.masterSecret).toEqual(run.serverSummary.masterSecret);
      expect(run.clientSummary.masterSecret).toHaveLength(48);
      expect(run.clientSummary.cipherSuite).toBe(suite);
      expect(run.serverSummary.cipherSuite).toBe(suite);
      expect(run.clientSummary.extendedMasterSecret).toBe(true);
      expect(run.serverSummary.extendedMasterSecret).toBe(true);
      expect(run.serverSummary.peer).toEqual({ kind: 'psk', identity: IDENTITY });
      // What one side's write key protects, the other side's read key opens.
      const plaintext = Uint8Array.of(1, 2, 3, 4);
      const record = run.clientKeys.write.protect(ContentType.application_data, DTLS_1_2, 7, plaintext);
      const header = { contentType: ContentType.application_data, version: DTLS_1_2, epoch: 1, sequenceNumber: 7, length: record.length - 13 };
      expect(run.serverKeys.read.unprotect(header, record.subarray(13))).toEqual(plaintext);
      const back = run.serverKeys.write.protect(ContentType.application_data, DTLS_1_2, 9, plaintext);
      expect(run.clientKeys.read.unprotect({ ...header, sequenceNumber: 9, length: back.length - 13 }, back.subarray(13))).toEqual(plaintext);
    });
  }

  it('uses the server preference among the suites both offer', async () => {
    const [first, second] = PSK_SUITES;
    const run = await fullHandshake(new ClientHandshake(clientOptions({ cipherSuites: [first, second] })), serverOptions({ cipherSuites: [second, first] }));
    expect(run.clientSummary.cipherSuite).toBe(second);
  });

  it('numbers the flights 1, 3, 4, 5, 6 and only flight 6 is final (RFC 6347 §4.2.4)', async () => {
    const run = await fullHandshake();
    expect([run.flight1, run.flight3, run.flight4, run.flight5, run.flight6].map((f) => [f.number, f.final])).toEqual([
      [1, false],
      [3, false],
      [4, false],
      [5, false],
      [6, true],
    ]);
  });

  it('repeats the first ClientHello with the cookie added, at message_seq 1 (RFC 6347 §4.2.1, §4.2.2)', async () => {
    const { flight1, flight3 } = await startPair();
    const [first] = handshakeMessages(flight1);
    const [second] = handshakeMessages(flight3);
    expect(first.messageSeq).toBe(0);
    expect(second.messageSeq).toBe(1);
    expect(second.body.length).toBe(first.body.length + 32);
  });

  it('makes the server answer with the ClientHello message_seq and expect the one after it', async () => {
    const { server, flight4 } = await startPair(new ClientHandshake(clientOptions({ cipherSuites: ECDHE_PSK_SUITES })));
    expect(server.nextReceiveSeq).toBe(2);
    // ServerHello, ServerKeyExchange, ServerHelloDone
    expect(handshakeMessages(flight4).map((m) => m.messageSeq)).toEqual([1, 2, 3]);
  });

  it('puts ClientKeyExchange and ChangeCipherSpec in epoch 0 and Finished in epoch 1', async () => {
    const { flight5, flight6 } = await fullHandshake();
    expect(flight5.entries.map((e) => [e.kind, e.epoch, e.kind === 'handshake' ? e.message.msgType : undefined])).toEqual([
      ['handshake', 0, HandshakeType.client_key_exchange],
      ['change_cipher_spec', 0, undefined],
      ['handshake', 1, HandshakeType.finished],
    ]);
    expect(flight6.entries.map((e) => [e.kind, e.epoch])).toEqual([
      ['change_cipher_spec', 0],
      ['handshake', 1],
    ]);
  });

  it('completes without a cookie exchange too (the server answers the first ClientHello)', async () => {
    const client = new ClientHandshake(clientOptions());
    const flight1 = client.start().flight!;
    const { serverFor } = await import('./helpers/handshake-pair.js');
    const server = serverFor(flight1);
    const flight5 = only(await deliver(server.start().flight!, client), 'flight');
    const flight6 = only(await deliver(flight5, server), 'flight');
    only(await deliver(flight6, client), 'established');
    expect(client.isEstablished && server.isEstablished).toBe(true);
  });

  it('sends a PSK ServerKeyExchange only with an identity hint, and gives the hint to the client selector (RFC 4279 §2)', async () => {
    const hints: string[] = [];
    const psk = (hint: Uint8Array) => {
      hints.push(new TextDecoder().decode(hint));
      return { identity: IDENTITY, key: KEY };
    };
    const plain = await fullHandshake(new ClientHandshake(clientOptions({ cipherSuites: [PSK_SUITES[0]], psk })));
    expect(handshakeMessages(plain.flight4).map((m) => m.msgType)).toEqual([HandshakeType.server_hello, HandshakeType.server_hello_done]);
    const hinted = await fullHandshake(
      new ClientHandshake(clientOptions({ cipherSuites: [PSK_SUITES[0]], psk })),
      serverOptions({ pskIdentityHint: new TextEncoder().encode('hint-42') }),
    );
    expect(handshakeMessages(hinted.flight4).map((m) => m.msgType)).toEqual([
      HandshakeType.server_hello,
      HandshakeType.server_key_exchange,
      HandshakeType.server_hello_done,
    ]);
    expect(hints).toEqual(['', 'hint-42']);
  });

  it('completes with an asynchronous PSK lookup (a database)', async () => {
    const lookups: string[] = [];
    const options = serverOptions({
      pskLookup: async (identity) => {
        lookups.push(new TextDecoder().decode(identity));
        await new Promise((resolve) => setTimeout(resolve, 1));
        return KEY;
      },
    });
    const { client, server, flight4 } = await startPair(undefined, options);
    const flight5 = only(await deliver(flight4, client), 'flight');
    const [cke] = handshakeMessages(flight5);
    const pending = server.onMessage(cke);
    expect(pending).toBeInstanceOf(Promise);
    const step = await pending;
    expect(step.keys).toBeDefined();
    expect(lookups).toEqual(['Client_identity']);
    expect(server.onChangeCipherSpec()).toEqual(NOTHING);
    const [, finished] = handshakeMessages(flight5);
    const done = await server.onMessage(finished);
    expect(done.established).toBeDefined();
    only(await deliver(done.flight!, client), 'established');
  });

  it('fails with internal_error when the asynchronous PSK lookup rejects', async () => {
    const { client, server, flight4 } = await startPair(undefined, serverOptions({ pskLookup: () => Promise.reject(new Error('db down')) }));
    const [cke] = handshakeMessages(only(await deliver(flight4, client), 'flight'));
    const step = await server.onMessage(cke);
    expect(step.failure?.alert).toBe(AlertDescription.internal_error);
  });

  it('makes the server fail with decrypt_error when the client used another key for the identity', async () => {
    const client = new ClientHandshake(clientOptions({ psk: () => ({ identity: IDENTITY, key: new TextEncoder().encode('wrongPSK') }) }));
    const { server, flight4 } = await startPair(client);
    const steps = await deliver(only(await deliver(flight4, client), 'flight'), server);
    expect(only(steps, 'failure').alert).toBe(AlertDescription.decrypt_error);
    expect(server.isEstablished).toBe(false);
    expect(steps.some((s) => s.flight)).toBe(false);
  });

  it('makes the server fail with unknown_psk_identity for an identity it has no key for (RFC 4279 §2)', async () => {
    const client = new ClientHandshake(clientOptions({ psk: () => ({ identity: new TextEncoder().encode('stranger'), key: KEY }) }));
    const { server, flight4 } = await startPair(client);
    const steps = await deliver(only(await deliver(flight4, client), 'flight'), server);
    expect(steps[0].failure?.alert).toBe(AlertDescription.unknown_psk_identity);
    // The failed machine takes no more input.
    expect(steps.slice(1)).toEqual([NOTHING, NOTHING]);
  });

  it('makes the client fail with decrypt_error when the server Finished does not verify', async () => {
    const { client, server, flight4 } = await startPair();
    const flight5 = only(await deliver(flight4, client), 'flight');
    const flight6 = only(await deliver(flight5, server), 'flight');
    const [finished] = handshakeMessages(flight6);
    const forged = finished.body.slice();
    forged[0] ^= 1;
    expect(client.onChangeCipherSpec()).toEqual(NOTHING);
    expect((await client.onMessage({ ...finished, body: forged })).failure?.alert).toBe(AlertDescription.decrypt_error);
    expect(client.isEstablished).toBe(false);
  });

  it('makes the client fail with handshake_failure when it has no PSK for the server', async () => {
    const client = new ClientHandshake(clientOptions({ psk: () => undefined }));
    const { flight4 } = await startPair(client);
    expect(only(await deliver(flight4, client), 'failure').alert).toBe(AlertDescription.handshake_failure);
  });

  it('holds a server Finished that overtook its ChangeCipherSpec until the ChangeCipherSpec arrives (RFC 6347 §4.1)', async () => {
    const { client, server, flight4 } = await startPair();
    const flight5 = only(await deliver(flight4, client), 'flight');
    const flight6 = only(await deliver(flight5, server), 'flight');
    const [finished] = handshakeMessages(flight6);
    expect(await client.onMessage(finished)).toEqual(NOTHING);
    expect(client.isEstablished).toBe(false);
    expect(client.onChangeCipherSpec().established).toBeDefined();
    expect(client.isEstablished).toBe(true);
  });

  it('holds a client Finished that overtook its ChangeCipherSpec on the server side too', async () => {
    const { client, server, flight4 } = await startPair();
    const flight5 = only(await deliver(flight4, client), 'flight');
    const [cke, finished] = handshakeMessages(flight5);
    expect((await server.onMessage(cke)).keys).toBeDefined();
    expect(await server.onMessage(finished)).toEqual(NOTHING);
    const step = server.onChangeCipherSpec();
    expect(step.established).toBeDefined();
    expect(step.flight?.number).toBe(6);
  });

  it('ignores a ChangeCipherSpec that comes before the keys exist, on both sides', async () => {
    const { client, server, flight4 } = await startPair();
    expect(client.onChangeCipherSpec()).toEqual(NOTHING);
    expect(server.onChangeCipherSpec()).toEqual(NOTHING);
    // Nothing was spoiled: the handshake still completes.
    const flight5 = only(await deliver(flight4, client), 'flight');
    const flight6 = only(await deliver(flight5, server), 'flight');
    only(await deliver(flight6, client), 'established');
  });

  it('ignores a duplicate ChangeCipherSpec after the first', async () => {
    const { client, server, flight4 } = await startPair();
    const flight5 = only(await deliver(flight4, client), 'flight');
    const [cke, finished] = handshakeMessages(flight5);
    await server.onMessage(cke);
    expect(server.onChangeCipherSpec()).toEqual(NOTHING);
    expect(server.onChangeCipherSpec()).toEqual(NOTHING);
    expect((await server.onMessage(finished)).established).toBeDefined();
  });

  it('fails with unexpected_message when a Finished comes before ClientKeyExchange', async () => {
    const { client, server, flight4 } = await startPair();
    const [, finished] = handshakeMessages(only(await deliver(flight4, client), 'flight'));
    expect((await server.onMessage(finished)).failure?.alert).toBe(AlertDescription.unexpected_message);
  });

  it('takes no input after it is established', async () => {
    const run = await fullHandshake();
    const [cke] = handshakeMessages(run.flight5);
    expect(await run.server.onMessage(cke)).toEqual(NOTHING);
    expect(await run.client.onMessage(handshakeMessages(run.flight6)[0])).toEqual(NOTHING);
    expect(run.client.start()).toEqual(NOTHING);
  });
});
