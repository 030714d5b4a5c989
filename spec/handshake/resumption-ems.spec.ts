import { describe, expect, it } from 'vitest';
import { cipherSuiteByName } from '../../lib/crypto/cipher-suites.js';
import { nobleProvider } from '../../lib/crypto/provider.js';
import { ClientHandshake } from '../../lib/handshake/client-handshake.js';
import type { ResumableSession } from '../../lib/handshake/resumable-session.js';
import { chooseResumption } from '../../lib/handshake/resumption-choice.js';
import { ServerHandshake } from '../../lib/handshake/server-handshake.js';
import { ServerResumption } from '../../lib/handshake/server-resumption.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { encodeClientHello, type ClientHello } from '../../lib/wire/client-hello.js';
import { DTLS_1_2, HandshakeType } from '../../lib/wire/constants.js';
import { encodeExtendedMasterSecretExtension } from '../../lib/wire/extensions.js';
import { encodeServerHello } from '../../lib/wire/server-hello.js';

const suite = cipherSuiteByName('TLS_PSK_WITH_AES_128_CCM_8')!;
const other = cipherSuiteByName('TLS_PSK_WITH_AES_128_CCM')!;
const SESSION_ID = new Uint8Array(32).fill(0x5e);

function serverWith(extendedMasterSecret: boolean): ServerResumption {
  const resumption = new ServerResumption({ provider: nobleProvider, now: () => 1000, lifetime: 60_000, cacheSize: 10, tickets: false });
  resumption.remember({ masterSecret: new Uint8Array(48).fill(1), cipherSuite: suite.id, extendedMasterSecret, peer: { kind: 'anonymous' }, sessionId: SESSION_ID });
  return resumption;
}

function hello(extendedMasterSecret: boolean): ClientHello {
  return {
    clientVersion: DTLS_1_2,
    random: new Uint8Array(32).fill(2),
    sessionId: SESSION_ID,
    cookie: new Uint8Array(32),
    cipherSuites: [suite.id, other.id],
    compressionMethods: [0],
    extensions: extendedMasterSecret ? [encodeExtendedMasterSecretExtension()] : [],
  };
}

describe('RFC 7627 §5.3 on the server: resumption and the extended master secret', () => {
  it('resumes a session with the extension offered by a ClientHello with it', () => {
    expect(chooseResumption(hello(true), serverWith(true), [suite, other])).toMatchObject({ kind: 'resume', suite, byTicket: false });
  });

  it('aborts with handshake_failure when a session with the extension is offered without it', () => {
    expect(chooseResumption(hello(false), serverWith(true), [suite, other])).toMatchObject({ kind: 'abort' });
    const message = { msgType: HandshakeType.client_hello, messageSeq: 1, body: encodeClientHello(hello(false)) };
    const server = new ServerHandshake({ provider: nobleProvider, cipherSuites: [suite], groups: [], pskLookup: () => new Uint8Array(4), resumption: serverWith(true) }, message, hello(false));
    expect(server.start().failure).toMatchObject({ alert: AlertDescription.handshake_failure, reason: expect.stringMatching(/RFC 7627 §5.3/) });
  });

  it('does not resume a session without the extension, offered with it or without: a full handshake', () => {
    expect(chooseResumption(hello(true), serverWith(false), [suite, other])).toEqual({ kind: 'full' });
    expect(chooseResumption(hello(false), serverWith(false), [suite, other])).toEqual({ kind: 'full' });
  });

  it('does not resume a session whose suite the server no longer serves or the client no longer offers', () => {
    expect(chooseResumption(hello(true), serverWith(true), [other])).toEqual({ kind: 'full' });
    expect(chooseResumption({ ...hello(true), cipherSuites: [other.id] }, serverWith(true), [suite, other])).toEqual({ kind: 'full' });
  });
});

describe('RFC 7627 §5.3 and RFC 5246 §7.4.1.3 on the client: what a server that resumes must keep', () => {
  const session: ResumableSession = {
    masterSecret: new Uint8Array(48).fill(1),
    cipherSuite: suite.id,
    extendedMasterSecret: true,
    peer: { kind: 'psk', identity: new Uint8Array([1]) },
    createdAt: 0,
    sessionId: SESSION_ID,
  };
  const answer = (cipherSuite: number, extendedMasterSecret: boolean) => {
    const client = new ClientHandshake({ provider: nobleProvider, cipherSuites: [suite, other], groups: [], psk: () => undefined, resume: session, tickets: false });
    client.start();
    const body = encodeServerHello({
      serverVersion: DTLS_1_2,
      random: new Uint8Array(32).fill(3),
      sessionId: SESSION_ID,
      cipherSuite,
      compressionMethod: 0,
      extensions: extendedMasterSecret ? [encodeExtendedMasterSecretExtension()] : [],
    });
    return client.onMessage({ msgType: HandshakeType.server_hello, messageSeq: 0, body });
  };

  it('takes the resumed session with the extension and the same suite: keys, then the server Finished', () => {
    expect(answer(suite.id, true)).toMatchObject({ keys: { suite } });
  });

  it('aborts with handshake_failure when the server resumes without the extension', () => {
    expect(answer(suite.id, false)).toMatchObject({ failure: { alert: AlertDescription.handshake_failure, reason: expect.stringMatching(/RFC 7627 §5.3/) } });
  });

  it('aborts with illegal_parameter when the server resumes with another suite', () => {
    expect(answer(other.id, true)).toMatchObject({ failure: { alert: AlertDescription.illegal_parameter } });
  });

  it('does not offer a session without the extension: a full handshake with an empty session ID', () => {
    const client = new ClientHandshake({ provider: nobleProvider, cipherSuites: [suite], groups: [], resume: { ...session, extendedMasterSecret: false }, tickets: false });
    const flight = client.start().flight!;
    const entry = flight.entries[0];
    expect(entry.kind === 'handshake' && entry.message.body[2 + 32]).toBe(0);
  });
});
