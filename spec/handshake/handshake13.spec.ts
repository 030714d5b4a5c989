import { describe, expect, it } from 'vitest';
import { NamedGroup } from '../../lib/crypto/ecdhe.js';
import { tls13CipherSuiteByName } from '../../lib/crypto/tls13-cipher-suites.js';
import { ClientHandshake13 } from '../../lib/handshake/client-handshake13.js';
import type { HandshakeStep } from '../../lib/handshake/handshake-step.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { HandshakeType } from '../../lib/wire/constants.js';
import { ExtensionType, findExtension } from '../../lib/wire/extensions.js';
import { decodeServerHello } from '../../lib/wire/server-hello.js';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../lib/handshake/hello-retry13.js';
import { handshakeMessages, only } from './helpers/handshake-pair.js';
import { IDENTITY, KEY, client13Options, deliver13, gate13, secrets, server13Options } from './helpers/handshake13-pair.js';

/** Runs a whole 1.3 handshake through the stateless gate: CH1 -> HRR -> CH2 -> server flight -> client Finished. */
async function handshake13(client = new ClientHandshake13(client13Options()), serverOptions = server13Options()) {
  const keys = secrets();
  const flight1 = client.start().flight!;
  const retry = gate13(flight1, keys, serverOptions);
  if (retry.kind !== 'retry') throw new Error(`the gate answered ${retry.kind}`);
  const flight3 = only(await deliver13(retry.flight, client), 'flight');
  const verified = gate13(flight3, keys, serverOptions);
  if (verified.kind !== 'verified') throw new Error(`the gate answered ${verified.kind}`);
  const { server } = verified;
  const serverStart = await server.start();
  const flight4 = serverStart.flight!;
  const clientSteps = await deliver13(flight4, client);
  const flight5 = only(clientSteps, 'flight');
  const serverSteps = await deliver13(flight5, server);
  return { client, server, flight1, hrr: retry.flight, flight3, flight4, flight5, serverStart, clientSteps, serverSteps };
}

/** The server the gate starts for a client's second ClientHello. */
async function throughGate(client: ClientHandshake13) {
  const keys = secrets();
  const retry = gate13(client.start().flight!, keys);
  if (retry.kind !== 'retry') throw new Error('expected a retry');
  const verified = gate13(only(await deliver13(retry.flight, client), 'flight'), keys);
  if (verified.kind !== 'verified') throw new Error('expected the cookie to verify');
  return verified.server;
}

function epochs(steps: HandshakeStep[]) {
  return steps.flatMap((s) => s.epochs13 ?? []);
}

describe('ClientHandshake13 with ServerHandshake13 through the stateless cookie gate', () => {
  it('completes psk_dhe_ke on x25519 with TLS_AES_128_GCM_SHA256, both sides holding the same traffic secrets', async () => {
    const run = await handshake13();
    const client = only(run.clientSteps, 'established13');
    const server = only(run.serverSteps, 'established13');
    expect(run.client.isEstablished && run.server.isEstablished).toBe(true);
    expect(client.cipherSuite.name).toBe('TLS_AES_128_GCM_SHA256');
    expect([client.keyExchange, client.group, server.keyExchange, server.group]).toEqual(['psk_dhe_ke', NamedGroup.x25519, 'psk_dhe_ke', NamedGroup.x25519]);
    expect(server.peer).toEqual({ kind: 'psk', identity: IDENTITY });
    expect(client.applicationSecrets.write).toEqual(server.applicationSecrets.read);
    expect(client.applicationSecrets.read).toEqual(server.applicationSecrets.write);
    // Epoch 2 (handshake) then 3 (application), each side reading what the other writes.
    const [serverHs] = epochs([run.serverStart]);
    const [clientHs, clientApp] = epochs(run.clientSteps);
    const [serverApp] = epochs(run.serverSteps);
    expect([serverHs.epoch, clientHs.epoch, clientApp.epoch, serverApp.epoch]).toEqual([2, 2, 3, 3]);
    expect(clientHs.write).toEqual(serverHs.read);
    expect(clientHs.read).toEqual(serverHs.write);
    expect(clientApp.write).toEqual(serverApp.read);
  });

  it('sends ServerHello in epoch 0 and EncryptedExtensions and Finished in epoch 2, then the client Finished in epoch 2 (RFC 9147 §5)', async () => {
    const run = await handshake13();
    expect(run.flight4.entries.map((e) => (e.kind === 'handshake' ? [e.message.msgType, e.epoch] : e.kind))).toEqual([
      [HandshakeType.server_hello, 0],
      [HandshakeType.encrypted_extensions, 2],
      [HandshakeType.finished, 2],
    ]);
    expect(run.flight5.entries.map((e) => (e.kind === 'handshake' ? [e.message.msgType, e.epoch] : e.kind))).toEqual([[HandshakeType.finished, 2]]);
  });

  it('numbers messages as RFC 9147 §5.2 does: HRR answers ClientHello1 at 0, ClientHello2 and ServerHello at 1', async () => {
    const run = await handshake13();
    const seqs = [run.flight1, run.hrr, run.flight3, run.flight4, run.flight5].map((f) => handshakeMessages(f).map((m) => m.messageSeq));
    expect(seqs).toEqual([[0], [0], [1], [1, 2, 3], [2]]);
  });

  it('takes psk_ke when that is all the client offers: no key share either way', async () => {
    const run = await handshake13(new ClientHandshake13(client13Options({ keyExchanges: ['psk_ke'] })));
    const summary = only(run.serverSteps, 'established13');
    expect(summary.keyExchange).toBe('psk_ke');
    expect(summary.group).toBeUndefined();
    const [serverHello] = handshakeMessages(run.flight4);
    const decoded = decodeServerHello(serverHello.body);
    expect(decoded.ok && findExtension(decoded.value.extensions, ExtensionType.key_share)).toBe(undefined);
  });

  it('asks for a share of its own preferred group in the HelloRetryRequest when the client sent none for it (RFC 8446 §4.1.4)', async () => {
    const run = await handshake13(new ClientHandshake13(client13Options({ groups: [NamedGroup.secp256r1, NamedGroup.x25519] })), server13Options({ groups: [NamedGroup.x25519] }));
    const [hrr] = handshakeMessages(run.hrr);
    const decoded = decodeServerHello(hrr.body);
    expect(decoded.ok && decoded.value.random).toEqual(HELLO_RETRY_REQUEST_RANDOM);
    expect(decoded.ok && findExtension(decoded.value.extensions, ExtensionType.key_share)).toBeDefined();
    expect(only(run.serverSteps, 'established13').group).toBe(NamedGroup.x25519);
  });

  for (const name of ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256']) {
    it(`completes with ${name}`, async () => {
      const suite = tls13CipherSuiteByName(name)!;
      const run = await handshake13(new ClientHandshake13(client13Options({ cipherSuites: [suite] })));
      expect(only(run.serverSteps, 'established13').cipherSuite).toBe(suite);
    });
  }

  it('fails the server with decrypt_error when the client knows another key for the identity (the binder does not verify)', async () => {
    const server = await throughGate(new ClientHandshake13(client13Options({ psk: { identity: IDENTITY, key: new TextEncoder().encode('wrong') } })));
    expect((await server.start()).failure?.alert).toBe(AlertDescription.decrypt_error);
  });

  it('answers unknown_psk_identity to an identity it does not know', async () => {
    const server = await throughGate(new ClientHandshake13(client13Options({ psk: { identity: new TextEncoder().encode('nobody'), key: KEY } })));
    expect((await server.start()).failure?.alert).toBe(AlertDescription.unknown_psk_identity);
  });
});
