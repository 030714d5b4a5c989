import { describe, expect, it } from 'vitest';
import { ClientHandshake } from '../../lib/handshake/client-handshake.js';
import { ClientVersionProbe } from '../../lib/handshake/client-version-probe.js';
import type { Flight } from '../../lib/handshake/flight.js';
import type { HandshakeMessage } from '../../lib/handshake/handshake-message.js';
import type { HandshakeStep } from '../../lib/handshake/handshake-step.js';
import { HELLO_RETRY_REQUEST_RANDOM } from '../../lib/handshake/hello-retry13.js';
import { DOWNGRADE_SENTINEL } from '../../lib/handshake/version-negotiation.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { decodeClientHello } from '../../lib/wire/client-hello.js';
import { DTLS_1_0, DTLS_1_2, DTLS_1_3, HandshakeType } from '../../lib/wire/constants.js';
import { ExtensionType, findExtension } from '../../lib/wire/extensions.js';
import { encodeServerHello } from '../../lib/wire/server-hello.js';
import { decodeSupportedVersionsOffer, encodeSelectedVersion } from '../../lib/wire/supported-versions-extension.js';
import { clientOptions, deliver, handshakeMessages, helloVerifyRequest, only, serverFor, serverOptions } from './helpers/handshake-pair.js';
import { client13Options, deliver13, gate13, secrets } from './helpers/handshake13-pair.js';

const probe = () => ClientVersionProbe.offering(clientOptions(), client13Options());

/** Feeds a flight's handshake messages to the probe; returns the steps it took. */
async function deliverToProbe(flight: Flight, to: ClientVersionProbe): Promise<HandshakeStep[]> {
  const steps: HandshakeStep[] = [];
  for (const message of handshakeMessages(flight)) steps.push(await to.onMessage(message));
  return steps;
}

function firstHello(flight: Flight) {
  const decoded = decodeClientHello(handshakeMessages(flight)[0].body);
  if (!decoded.ok) throw new Error('malformed ClientHello');
  return decoded.value;
}

function serverHello(options: { version?: number; selected?: number; random?: Uint8Array; cipherSuite?: number }): HandshakeMessage {
  const random = options.random ?? new Uint8Array(32).fill(0x42);
  const extensions = options.selected === undefined ? [] : [encodeSelectedVersion(options.selected)];
  const body = encodeServerHello({ serverVersion: options.version ?? DTLS_1_2, random, sessionId: new Uint8Array(0), cipherSuite: options.cipherSuite ?? 0x1301, compressionMethod: 0, extensions });
  return { msgType: HandshakeType.server_hello, messageSeq: 0, body };
}

/** A 1.2 handshake taken over by the probe (the driver then replays the answer to it). */
function takenOver(step: HandshakeStep): ClientHandshake {
  if (!(step.fallback12 instanceof ClientHandshake)) throw new Error(`expected a fallback to 1.2, got ${JSON.stringify(Object.keys(step))}`);
  return step.fallback12;
}

describe('the ClientHello offering DTLS 1.3 and 1.2 (RFC 8446 §4.1.2, §4.2.1; RFC 9147 §5.3)', () => {
  it("offers 1.3 then 1.2, 1.3's suites before 1.2's, 1.2's extensions beside 1.3's, each once, and the PSK last", () => {
    const hello = firstHello(probe().start().flight!);
    const versions = findExtension(hello.extensions, ExtensionType.supported_versions);
    expect(versions && decodeSupportedVersionsOffer(versions.data)).toEqual({ ok: true, value: [DTLS_1_3, DTLS_1_2] });
    expect(hello.clientVersion).toBe(DTLS_1_2);
    const ids = clientOptions().cipherSuites.map((s) => s.id);
    expect(hello.cipherSuites.slice(-ids.length)).toEqual(ids);
    expect(hello.cipherSuites[0]).toBe(0x1301);
    const types = hello.extensions.map((e) => e.type);
    expect(new Set(types).size).toBe(types.length);
    for (const type of [ExtensionType.extended_master_secret, ExtensionType.renegotiation_info, ExtensionType.key_share, ExtensionType.psk_key_exchange_modes, ExtensionType.supported_groups]) {
      expect(types).toContain(type);
    }
    expect(types.at(-1)).toBe(ExtensionType.pre_shared_key);
  });

  it('is taken by a 1.3 server: HelloRetryRequest, the second ClientHello, and a completed 1.3 handshake', async () => {
    const client = probe();
    const keys = secrets();
    const flight1 = client.start().flight!;
    const retry = gate13(flight1, keys);
    if (retry.kind !== 'retry') throw new Error('expected a HelloRetryRequest');
    const flight3 = only(await deliverToProbe(retry.flight, client), 'flight');
    // RFC 8446 §4.1.2: the second ClientHello keeps the 1.2 offer beside the cookie.
    expect(firstHello(flight3).cipherSuites).toEqual(firstHello(flight1).cipherSuites);
    expect(findExtension(firstHello(flight3).extensions, ExtensionType.extended_master_secret)).toBeDefined();
    const verified = gate13(flight3, keys);
    if (verified.kind !== 'verified') throw new Error('expected the cookie to verify');
    const flight4 = (await verified.server.start()).flight!;
    const flight5 = only(await deliverToProbe(flight4, client), 'flight');
    const serverDone = only(await deliver13(flight5, verified.server), 'established13');
    expect(serverDone.cipherSuite.name).toBe('TLS_AES_128_GCM_SHA256');
    expect(client.isEstablished).toBe(true);
  });

  it('is taken by a 1.2 server through its HelloVerifyRequest: the 1.2 machine goes on with the same hello, the cookie added, to both Finished', async () => {
    const client = probe();
    const flight1 = client.start().flight!;
    const hvr = helloVerifyRequest(new Uint8Array(32).fill(0xc0));
    const dtls12 = takenOver(await client.onMessage(hvr));
    const flight3 = (await dtls12.onMessage(hvr)).flight!;
    expect(handshakeMessages(flight3)[0].messageSeq).toBe(1);
    expect({ ...firstHello(flight3), cookie: new Uint8Array(0) }).toEqual(firstHello(flight1));
    const server = serverFor(flight3);
    const flight4 = server.start().flight!;
    const flight5 = only(await deliver(flight4, dtls12), 'flight');
    const flight6 = only(await deliver(flight5, server), 'flight');
    const done = only(await deliver(flight6, dtls12), 'established');
    expect(done.extendedMasterSecret).toBe(true);
    expect(dtls12.isEstablished && server.isEstablished).toBe(true);
  });

  it('is taken by a 1.2 server answering with its ServerHello at once (no cookie exchange)', async () => {
    const client = probe();
    const server = serverFor(client.start().flight!);
    const [hello, ...rest] = handshakeMessages(server.start().flight!);
    const dtls12 = takenOver(await client.onMessage(hello));
    await dtls12.onMessage(hello);
    const flight5 = only(await Promise.all(rest.map((m) => dtls12.onMessage(m))), 'flight');
    const flight6 = only(await deliver(flight5, server), 'flight');
    only(await deliver(flight6, dtls12), 'established');
  });
});

describe('what a client that offered 1.3 refuses in the answer', () => {
  it('a 1.2 ServerHello whose random ends with the downgrade sentinel (RFC 8446 §4.1.3): illegal_parameter, before any key exchange', async () => {
    const client = probe();
    const server = serverFor(client.start().flight!, serverOptions({ downgradeSentinel: true }));
    const [hello] = handshakeMessages(server.start().flight!);
    const dtls12 = takenOver(await client.onMessage(hello));
    const step = await dtls12.onMessage(hello);
    expect(step.failure).toMatchObject({ alert: AlertDescription.illegal_parameter, reason: expect.stringMatching(/downgrade sentinel/) });
  });

  it('leaves the sentinel to clients that offered 1.3: a 1.2-only client goes on', async () => {
    const client = new ClientHandshake(clientOptions());
    const server = serverFor(client.start().flight!, serverOptions({ downgradeSentinel: true }));
    const [hello] = handshakeMessages(server.start().flight!);
    expect((await client.onMessage(hello)).failure).toBeUndefined();
  });

  it.each([
    { label: 'supported_versions selecting 1.2, which only a 1.3 ServerHello carries', message: serverHello({ selected: DTLS_1_2 }), alert: AlertDescription.illegal_parameter },
    { label: 'supported_versions selecting a version never offered (DTLS 1.0)', message: serverHello({ selected: DTLS_1_0 }), alert: AlertDescription.illegal_parameter },
    { label: 'a message that is no answer to a ClientHello', message: { msgType: HandshakeType.finished, messageSeq: 0, body: new Uint8Array(12) }, alert: AlertDescription.unexpected_message },
  ])('$label', async ({ message, alert }) => {
    const client = probe();
    client.start();
    expect((await client.onMessage(message)).failure).toMatchObject({ alert });
  });

  it('a ServerHello without supported_versions for DTLS 1.0: the 1.2 machine answers protocol_version', async () => {
    const client = probe();
    client.start();
    const hello = serverHello({ version: DTLS_1_0, cipherSuite: clientOptions().cipherSuites[0].id });
    const dtls12 = takenOver(await client.onMessage(hello));
    expect((await dtls12.onMessage(hello)).failure).toMatchObject({ alert: AlertDescription.protocol_version });
  });

  it('a 1.2 ServerHello carrying supported_versions after the fallback: illegal_parameter', async () => {
    const client = probe();
    client.start();
    const hvr = helloVerifyRequest(new Uint8Array(8).fill(1));
    const dtls12 = takenOver(await client.onMessage(hvr));
    await dtls12.onMessage(hvr);
    const hello = { ...serverHello({ selected: DTLS_1_3, random: new Uint8Array(32).fill(9), cipherSuite: clientOptions().cipherSuites[0].id }), messageSeq: 1 };
    expect((await dtls12.onMessage(hello)).failure).toMatchObject({ alert: AlertDescription.illegal_parameter, reason: expect.stringMatching(/supported_versions/) });
  });

  describe('after a HelloRetryRequest chose 1.3 (RFC 8446 §4.1.4)', () => {
    async function retried() {
      const client = probe();
      const retry = gate13(client.start().flight!, secrets());
      if (retry.kind !== 'retry') throw new Error('expected a HelloRetryRequest');
      only(await deliverToProbe(retry.flight, client), 'flight');
      return client;
    }

    it('a 1.2 ServerHello: illegal_parameter', async () => {
      const client = await retried();
      const step = await client.onMessage({ ...serverHello({ cipherSuite: clientOptions().cipherSuites[0].id }), messageSeq: 1 });
      expect(step.failure).toMatchObject({ alert: AlertDescription.illegal_parameter, reason: expect.stringMatching(/after a HelloRetryRequest/) });
      expect(step.fallback12).toBeUndefined();
    });

    it('a HelloVerifyRequest: illegal_parameter', async () => {
      const client = await retried();
      const step = await client.onMessage(helloVerifyRequest(new Uint8Array(8).fill(1), 1));
      expect(step.failure).toMatchObject({ alert: AlertDescription.illegal_parameter, reason: expect.stringMatching(/HelloVerifyRequest/) });
    });

    it('a second HelloRetryRequest: unexpected_message, as from a 1.3-only client', async () => {
      const client = await retried();
      const step = await client.onMessage({ ...serverHello({ selected: DTLS_1_3, random: HELLO_RETRY_REQUEST_RANDOM }), messageSeq: 1 });
      expect(step.failure).toMatchObject({ alert: AlertDescription.unexpected_message });
    });
  });
});

describe('a ServerHello with the sentinel random for a 1.3 handshake', () => {
  it('is not a downgrade: the sentinel matters only in a 1.2 ServerHello', async () => {
    const client = probe();
    client.start();
    const random = new Uint8Array(32).fill(3);
    random.set(DOWNGRADE_SENTINEL, 24);
    const step = await client.onMessage(serverHello({ selected: DTLS_1_3, random }));
    // The 1.3 machine takes it further (and fails on what this made-up ServerHello lacks: our PSK).
    expect(step.fallback12).toBeUndefined();
    expect(step.failure?.reason).not.toMatch(/sentinel/);
  });
});
