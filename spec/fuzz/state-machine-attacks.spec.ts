// The state-machine attacks published against DTLS stacks (de Ruiter & Poll 2015 for TLS;
// Fiterau-Brostean et al., "Analysis of DTLS Implementations Using Protocol State Fuzzing",
// USENIX Security 2020), played against the real DtlsServer and client Session. The
// attacker runs the real state machine up to flight 5 (or 4) and then deviates, with
// messages built by the lib/wire encoders: it knows the credentials where that makes the
// attack stronger (a Finished it can compute), and none where it plays an outsider.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { ecdsaPublicKey } from '../../lib/crypto/ecdsa.js';
import { rawPublicKeyCertificate } from '../../lib/credentials/raw-public-key.js';
import type { FlightEntry } from '../../lib/handshake/flight.js';
import { AlertDescription, AlertLevel } from '../../lib/wire/alert.js';
import { ContentType, HandshakeType } from '../../lib/wire/constants.js';
import { encodeFinished } from '../../lib/wire/finished.js';
import { KEY_EXCHANGES, keyExchange, type KeyExchangeSetup } from './helpers/key-exchanges.js';
import { Lab } from './helpers/lab.js';
import { ScriptedClient, messagesOf } from './helpers/scripted-client.js';
import { ScriptedServer } from './helpers/scripted-server.js';

const H = HandshakeType;
const MUTUAL = KEY_EXCHANGES.filter((k) => k.server.clientAuth === 'required');
const isType = (type: number) => (e: FlightEntry) => e.kind === 'handshake' && e.message.msgType === type;

/**
 * The flight without messages of these types, renumbered so that message_seq has no hole:
 * a hole would only stall the peer's sequencer (RFC 6347 §4.2.2); without one, the state
 * machine itself sees the skip, which is the attack.
 */
function without(entries: readonly FlightEntry[], ...types: number[]): FlightEntry[] {
  const kept = entries.filter((e) => !types.some((t) => isType(t)(e)));
  let next = Math.min(...messagesOf(entries).map((m) => m.messageSeq));
  return kept.map((e) => (e.kind === 'handshake' ? { ...e, message: { ...e.message, messageSeq: next++ } } : e));
}

/** The server under attack and an attacker playing the client by the book up to flight 5, which it returns unsent. */
async function againstServer(setup: KeyExchangeSetup, client?: ConstructorParameters<typeof ScriptedClient>[2]) {
  const lab = await new Lab({ setup, seed: 11, withClient: false }).start();
  const attacker = new ScriptedClient(lab, setup, client);
  const flight5 = await attacker.negotiate();
  const session = () => lab.serverSessions[0];
  return { lab, attacker, flight5, session };
}

/** A genuine client under attack and an attacker playing the server, which returns flight 4 unsent. */
async function againstClient(setup: KeyExchangeSetup) {
  const lab = await new Lab({ setup, seed: 12, withServer: false }).start();
  const attacker = new ScriptedServer(lab, setup);
  const flight4 = attacker.answerHello();
  return { lab, attacker, flight4, client: lab.client! };
}

const alertsNamed = (alerts: { level: number; description: number }[]) => alerts.map((a) => `${a.level}/${a.description}`);

describe('the scripted attackers are faithful: by the book, they complete the handshake', () => {
  it.each(KEY_EXCHANGES.map((k) => [k.name, k] as const))('%s: scripted client against the real server', async (_, setup) => {
    const { lab, attacker, flight5, session } = await againstServer(setup);
    attacker.sendEntries(flight5.entries);
    lab.clock.advanceBy(50);
    expect(session().state).toBe('established');
    expect(attacker.io.has(H.finished)).toBe(true);
    lab.close();
  });

  it.each(KEY_EXCHANGES.map((k) => [k.name, k] as const))('%s: scripted server against the real client', async (_, setup) => {
    const { lab, attacker, flight4, client } = await againstClient(setup);
    attacker.sendEntries(flight4.entries);
    const flight6 = await attacker.finish();
    attacker.sendEntries(flight6.entries);
    lab.clock.advanceBy(50);
    expect(client.state).toBe('established');
    lab.close();
  });
});

describe('cookie bypass (RFC 6347 §4.2.1)', () => {
  it('a second ClientHello without a cookie, after one with, neither restarts nor duplicates the handshake', async () => {
    const setup = keyExchange('PSK');
    const { lab, attacker, flight5, session } = await againstServer(setup);
    const first = session();
    // The first ClientHello again (message_seq 0, no cookie).
    const flight1Hello = attacker.io.sent[0];
    lab.inject('c>s', flight1Hello);
    lab.clock.advanceBy(50);
    expect(lab.serverSessions).toHaveLength(1);
    expect(lab.server.sessionCount).toBe(1);
    expect(first.state).toBe('handshaking');
    attacker.sendEntries(flight5.entries);
    lab.clock.advanceBy(50);
    expect(first.state).toBe('established');
    // Once established, a cookieless ClientHello gets a HelloVerifyRequest and leaves the session alone.
    lab.inject('c>s', flight1Hello);
    lab.clock.advanceBy(50);
    expect(lab.serverSessions).toHaveLength(1);
    expect(first.state).toBe('established');
    lab.close();
  });

  it('a ClientHello without a cookie, sent again and again, never creates a session', async () => {
    const setup = keyExchange('PSK');
    const lab = await new Lab({ setup, seed: 13, withClient: false }).start();
    const attacker = new ScriptedClient(lab, setup);
    const [entry] = attacker.handshake.start().flight!.entries;
    for (let i = 0; i < 20; i++) attacker.sendEntries([entry]);
    lab.clock.advanceBy(50);
    expect(attacker.io.messages.filter((m) => m.message.msgType === H.hello_verify_request)).toHaveLength(20);
    expect(lab.server.sessionCount).toBe(0);
    expect(lab.serverSessions).toHaveLength(0);
    lab.close();
  });
});

describe('messages of the wrong epoch', () => {
  // Found here: a Finished sent in plaintext (epoch 0) used to complete the handshake. RFC 5246
  // §7.4.9: the Finished is the first message protected with the new keys; an unprotected one is dropped.
  it.each(KEY_EXCHANGES.map((k) => [k.name, k] as const))('%s: the server refuses a client Finished sent in epoch 0', async (_, setup) => {
    const { lab, attacker, flight5, session } = await againstServer(setup);
    attacker.sendEntries(flight5.entries, () => 0);
    lab.clock.advanceBy(50);
    expect(session().state).not.toBe('established');
    lab.close();
  });

  it.each(KEY_EXCHANGES.map((k) => [k.name, k] as const))('%s: the client refuses a server Finished sent in epoch 0', async (_, setup) => {
    const { lab, attacker, flight4, client } = await againstClient(setup);
    attacker.sendEntries(flight4.entries);
    const flight6 = await attacker.finish();
    attacker.sendEntries(flight6.entries, () => 0);
    lab.clock.advanceBy(50);
    expect(client.state).not.toBe('established');
    lab.close();
  });

  it('a ClientKeyExchange sent in epoch 1 is never read: the handshake times out, nothing is established', async () => {
    const { lab, attacker, flight5, session } = await againstServer(keyExchange('ECDHE_PSK'));
    attacker.sendEntries(flight5.entries, (e) => (isType(H.client_key_exchange)(e) ? 1 : e.epoch));
    lab.clock.advanceBy(25_000);
    expect(session().info).toBeUndefined();
    expect(session().state).toBe('closed');
    expect(lab.server.sessionCount).toBe(0);
    lab.close();
  });

  it('records of epochs the server never had (2, 65535) are dropped and the handshake completes', async () => {
    const { lab, attacker, flight5, session } = await againstServer(keyExchange('PSK'));
    const dropped = session().droppedRecords;
    for (const epoch of [2, 3, 0xffff]) {
      attacker.io.transmit(attacker.io.forged(ContentType.handshake, epoch, 1, new Uint8Array(40)));
      attacker.io.transmit(attacker.io.forged(ContentType.application_data, epoch, 1, new Uint8Array(40)));
    }
    lab.clock.advanceBy(50);
    expect(session().droppedRecords).toBe(dropped + 6);
    attacker.sendEntries(flight5.entries);
    lab.clock.advanceBy(50);
    expect(session().state).toBe('established');
    expect(lab.received.server).toEqual([]);
    lab.close();
  });
});

describe('skipping messages', () => {
  it.each(KEY_EXCHANGES.map((k) => [k.name, k] as const))('%s: a client that skips ClientKeyExchange is never established', async (_, setup) => {
    const { lab, attacker, flight5, session } = await againstServer(setup);
    const skipped = without(flight5.entries, H.client_key_exchange, H.certificate_verify);
    attacker.sendEntries(skipped);
    lab.clock.advanceBy(25_000);
    expect(session().info).toBeUndefined();
    expect(session().state).toBe('closed');
    lab.close();
  });

  it.each(MUTUAL.map((k) => [k.name, k] as const))(
    '%s: a client that shows a trusted certificate but skips CertificateVerify is refused, even with a Finished that matches its transcript',
    async (_, setup) => {
      const { lab, attacker, flight5, session } = await againstServer(setup);
      const kept = without(flight5.entries, H.certificate_verify, H.finished);
      const finished = attacker.finishedAfter(messagesOf(kept));
      attacker.sendEntries([...kept, { kind: 'handshake', epoch: 1, message: finished }]);
      lab.clock.advanceBy(50);
      expect(session().info).toBeUndefined();
      expect(session().state).toBe('closed');
      expect(alertsNamed(attacker.io.alerts())).toContain(`${AlertLevel.fatal}/${AlertDescription.unexpected_message}`);
      lab.close();
    },
  );

  it.each(MUTUAL.map((k) => [k.name, k] as const))(
    '%s: a client that shows a trusted certificate without its private key fails CertificateVerify',
    async (_, setup) => {
      const genuine = setup.client.credentials.localCertificates(0)[0];
      // The trusted certificate, with someone else's key to sign CertificateVerify.
      const impostorKey = rawPublicKeyCertificate(Uint8Array.from({ length: 32 }, (_, i) => i + 7)).privateKey;
      expect(ecdsaPublicKey(impostorKey)).not.toEqual(ecdsaPublicKey(genuine.privateKey));
      const { lab, attacker, flight5, session } = await againstServer(setup, { certificate: { ...genuine, privateKey: impostorKey } });
      attacker.sendEntries(flight5.entries);
      lab.clock.advanceBy(50);
      expect(session().info).toBeUndefined();
      expect(alertsNamed(attacker.io.alerts())).toContain(`${AlertLevel.fatal}/${AlertDescription.decrypt_error}`);
      lab.close();
    },
  );

  it.each(MUTUAL.map((k) => [k.name, k] as const))('%s: a client that skips its Certificate when one is required is refused', async (_, setup) => {
    const { lab, attacker, flight5, session } = await againstServer(setup);
    const kept = without(flight5.entries, H.certificate, H.certificate_verify, H.finished);
    attacker.sendEntries([...kept, { kind: 'handshake', epoch: 1, message: attacker.finishedAfter(messagesOf(kept)) }]);
    lab.clock.advanceBy(50);
    expect(session().info).toBeUndefined();
    expect(session().state).toBe('closed');
    lab.close();
  });

  it('a server that skips its Certificate (ECDHE_ECDSA) is refused by the client', async () => {
    const { lab, attacker, flight4, client } = await againstClient(keyExchange('ECDHE_ECDSA X.509'));
    attacker.sendEntries(without(flight4.entries, H.certificate));
    lab.clock.advanceBy(50);
    expect(client.state).toBe('closed');
    expect(client.error?.alert?.name).toBe('unexpected_message');
    lab.close();
  });

  it.each(['ECDHE_ECDSA X.509', 'ECDHE_PSK'])('%s: a server that skips ServerKeyExchange is refused by the client', async (name) => {
    const { lab, attacker, flight4, client } = await againstClient(keyExchange(name));
    attacker.sendEntries(without(flight4.entries, H.server_key_exchange));
    lab.clock.advanceBy(50);
    expect(client.state).toBe('closed');
    expect(client.error?.alert?.name).toBe('unexpected_message');
    lab.close();
  });

  it.each(KEY_EXCHANGES.map((k) => [k.name, k] as const))('%s: a server that sends its Finished without ChangeCipherSpec never completes the handshake', async (_, setup) => {
    const { lab, attacker, flight4, client } = await againstClient(setup);
    attacker.sendEntries(flight4.entries);
    const flight6 = await attacker.finish();
    attacker.sendEntries(flight6.entries.filter((e) => e.kind !== 'change_cipher_spec'));
    lab.clock.advanceBy(25_000);
    expect(client.info).toBeUndefined();
    expect(client.state).toBe('closed');
    lab.close();
  });
});

describe('ChangeCipherSpec before keys exist (the CVE-2014-0224 pattern)', () => {
  it.each(KEY_EXCHANGES.map((k) => [k.name, k] as const))(
    '%s: the server forgets a ChangeCipherSpec that came before ClientKeyExchange; a flight 5 without its own is never completed',
    async (_, setup) => {
      const { lab, attacker, flight5, session } = await againstServer(setup);
      attacker.io.transmit(attacker.io.changeCipherSpec());
      lab.clock.advanceBy(10);
      attacker.sendEntries(flight5.entries.filter((e) => e.kind !== 'change_cipher_spec'));
      lab.clock.advanceBy(25_000);
      expect(session().info).toBeUndefined();
      lab.close();
    },
  );

  it.each(KEY_EXCHANGES.map((k) => [k.name, k] as const))(
    '%s: the client forgets a ChangeCipherSpec that came with the ServerHello; a flight 6 without its own is never completed',
    async (_, setup) => {
      const { lab, attacker, flight4, client } = await againstClient(setup);
      attacker.io.transmit(attacker.io.changeCipherSpec());
      attacker.sendEntries(flight4.entries);
      const flight6 = await attacker.finish();
      attacker.sendEntries(flight6.entries.filter((e) => e.kind !== 'change_cipher_spec'));
      lab.clock.advanceBy(25_000);
      expect(client.info).toBeUndefined();
      lab.close();
    },
  );

  it('a ChangeCipherSpec in epoch 1 is dropped, not taken as the peer switching keys', async () => {
    const { lab, attacker, flight5, session } = await againstServer(keyExchange('PSK'));
    attacker.sendEntries(flight5.entries, (e) => (e.kind === 'change_cipher_spec' ? 1 : e.epoch));
    lab.clock.advanceBy(25_000);
    expect(session().info).toBeUndefined();
    lab.close();
  });
});

describe('Finished that does not verify', () => {
  it.each(KEY_EXCHANGES.map((k) => [k.name, k] as const))('%s: the server answers a wrong client Finished with decrypt_error', async (_, setup) => {
    const { lab, attacker, flight5, session } = await againstServer(setup);
    const entries = flight5.entries.map((e): FlightEntry => {
      if (!isType(H.finished)(e) || e.kind !== 'handshake') return e;
      const verifyData = e.message.body.slice();
      verifyData[0] ^= 1;
      return { ...e, message: { ...e.message, body: encodeFinished({ verifyData }) } };
    });
    attacker.sendEntries(entries);
    lab.clock.advanceBy(50);
    expect(session().info).toBeUndefined();
    expect(session().state).toBe('closed');
    expect(alertsNamed(attacker.io.alerts())).toContain(`${AlertLevel.fatal}/${AlertDescription.decrypt_error}`);
    lab.close();
  });

  it.each(KEY_EXCHANGES.map((k) => [k.name, k] as const))(
    '%s: a server that does not know the credentials cannot finish: its Finished under its own keys is dropped, the client is never established',
    async (_, setup) => {
      const { lab, attacker, flight4, client } = await againstClient(setup);
      attacker.sendEntries(flight4.entries);
      lab.clock.runUntil(() => attacker.io.has(H.client_key_exchange), 5_000, 10);
      // An outsider: valid record framing, a Finished in a protected-looking epoch-1 record, no keys.
      attacker.io.transmit(attacker.io.changeCipherSpec(), attacker.io.forged(ContentType.handshake, 1, 0, new Uint8Array(12 + 12 + 24)));
      lab.clock.advanceBy(25_000);
      expect(client.info).toBeUndefined();
      expect(client.state).toBe('closed');
      lab.close();
    },
  );
});

describe('application data before the handshake is done', () => {
  it.each(KEY_EXCHANGES.map((k) => [k.name, k] as const))(
    '%s: data the client protects before its Finished, or sends in plaintext, is never delivered',
    async (_, setup) => {
      const { lab, attacker, flight5, session } = await againstServer(setup);
      const beforeFinished = without(flight5.entries, H.finished);
      const finished = flight5.entries.filter(isType(H.finished));
      attacker.io.transmit(attacker.io.record(ContentType.application_data, 0, utf8('plaintext early data')));
      attacker.sendEntries(beforeFinished);
      attacker.io.transmit(attacker.io.record(ContentType.application_data, 1, utf8('protected early data')));
      lab.clock.advanceBy(10);
      attacker.sendEntries(finished);
      lab.clock.advanceBy(10);
      expect(session().state).toBe('established');
      attacker.io.transmit(attacker.io.record(ContentType.application_data, 0, utf8('plaintext late data')));
      attacker.io.transmit(attacker.io.record(ContentType.application_data, 1, utf8('genuine data')));
      lab.clock.advanceBy(10);
      expect(lab.received.server.map((d) => new TextDecoder().decode(d))).toEqual(['genuine data']);
      lab.close();
    },
  );

  it('data the server protects before its Finished is never delivered to the client', async () => {
    const { lab, attacker, flight4, client } = await againstClient(keyExchange('ECDHE_PSK'));
    attacker.sendEntries(flight4.entries);
    const flight6 = await attacker.finish();
    attacker.io.transmit(attacker.io.record(ContentType.application_data, 1, utf8('early')));
    lab.clock.advanceBy(10);
    attacker.sendEntries(flight6.entries);
    lab.clock.advanceBy(10);
    attacker.io.transmit(attacker.io.record(ContentType.application_data, 1, utf8('after Finished')));
    lab.clock.advanceBy(10);
    expect(client.state).toBe('established');
    expect(lab.received.client.map((d) => new TextDecoder().decode(d))).toEqual(['after Finished']);
    lab.close();
  });
});

describe('unexpected alerts', () => {
  it('warning alerts during the handshake are reported and do not derail it', async () => {
    const { lab, attacker, flight5, session } = await againstServer(keyExchange('PSK'));
    const received: string[] = [];
    session().events$.subscribe({ next: (e) => e.type === 'alert' && received.push(`${e.direction} ${e.name}`), error: () => undefined });
    for (const description of [AlertDescription.user_canceled, AlertDescription.no_renegotiation, 200]) {
      attacker.io.transmit(attacker.io.alert({ level: AlertLevel.warning, description }));
    }
    attacker.sendEntries(flight5.entries);
    lab.clock.advanceBy(50);
    expect(received).toHaveLength(3);
    expect(session().state).toBe('established');
    lab.close();
  });

  it('after the handshake, plaintext alerts (fatal, close_notify, malformed) are dropped and the session carries on', async () => {
    const { lab, attacker, flight5, session } = await againstServer(keyExchange('PSK'));
    attacker.sendEntries(flight5.entries);
    lab.clock.advanceBy(10);
    const dropped = session().droppedRecords;
    attacker.io.transmit(
      attacker.io.alert({ level: AlertLevel.fatal, description: AlertDescription.handshake_failure }),
      attacker.io.alert({ level: AlertLevel.warning, description: AlertDescription.close_notify }),
      attacker.io.record(ContentType.alert, 0, new Uint8Array([7, 0])),
      attacker.io.record(ContentType.alert, 1, new Uint8Array([7, 0])),
    );
    lab.clock.advanceBy(10);
    expect(session().state).toBe('established');
    expect(session().droppedRecords).toBe(dropped + 4);
    attacker.io.transmit(attacker.io.record(ContentType.application_data, 1, utf8('still here')));
    lab.clock.advanceBy(10);
    expect(lab.received.server.map((d) => new TextDecoder().decode(d))).toEqual(['still here']);
    lab.close();
  });

  it('a protected fatal alert from the peer ends the session with EALERT', async () => {
    const { lab, attacker, flight5, session } = await againstServer(keyExchange('PSK'));
    attacker.sendEntries(flight5.entries);
    lab.clock.advanceBy(10);
    attacker.io.transmit(attacker.io.alert({ level: AlertLevel.fatal, description: AlertDescription.internal_error }, 1));
    lab.clock.advanceBy(10);
    expect(session().state).toBe('closed');
    expect(session().error?.code).toBe('EALERT');
    lab.close();
  });
});

describe('forged records with valid headers', () => {
  it.each(KEY_EXCHANGES.map((k) => [k.name, k] as const))(
    '%s: epoch-1 records of random bytes are dropped, deliver nothing and do not move the replay window',
    async (_, setup) => {
      const { lab, attacker, flight5, session } = await againstServer(setup);
      attacker.sendEntries(flight5.entries);
      lab.clock.advanceBy(10);
      const dropped = session().droppedRecords;
      const forgeries = [5, 100, 2 ** 32, 2 ** 48 - 1].flatMap((seq) =>
        [ContentType.application_data, ContentType.handshake, ContentType.alert, ContentType.change_cipher_spec].map((type) =>
          attacker.io.forged(type, 1, seq, Uint8Array.from({ length: 48 }, (_, i) => (i * 31 + seq) & 0xff)),
        ),
      );
      attacker.io.transmit(...forgeries);
      lab.clock.advanceBy(10);
      expect(session().droppedRecords).toBe(dropped + forgeries.length);
      // Genuine records with small sequence numbers still get through: forgeries did not slide the window.
      attacker.io.transmit(attacker.io.record(ContentType.application_data, 1, utf8('after forgeries')));
      lab.clock.advanceBy(10);
      expect(lab.received.server.map((d) => new TextDecoder().decode(d))).toEqual(['after forgeries']);
      expect(session().state).toBe('established');
      lab.close();
    },
  );
});
