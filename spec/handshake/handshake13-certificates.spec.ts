import { describe, expect, it } from 'vitest';
import { credentials, type CredentialStore } from '../../lib/credentials/credential-store.js';
import { NamedGroup } from '../../lib/crypto/ecdhe.js';
import { tls13CipherSuiteByName } from '../../lib/crypto/tls13-cipher-suites.js';
import { ClientHandshake13, type ClientHandshake13Options } from '../../lib/handshake/client-handshake13.js';
import type { Flight } from '../../lib/handshake/flight.js';
import type { HandshakeStep } from '../../lib/handshake/handshake-step.js';
import { ServerHandshake13, type ServerHandshake13Options } from '../../lib/handshake/server-handshake13.js';
import { messageHash } from '../../lib/handshake/transcript13.js';
import { LONGEST_HELLO_RETRY_REQUEST_BODY } from '../../lib/handshake/hello-retry13.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { encodeCertificateRequest13 } from '../../lib/wire/certificate-request13.js';
import { decodeCertificate13 } from '../../lib/wire/certificate13.js';
import { HandshakeType } from '../../lib/wire/constants.js';
import { decodeEncryptedExtensions } from '../../lib/wire/encrypted-extensions.js';
import { CertificateType, ExtensionType, SignatureScheme, encodeSignatureAlgorithmsExtension, findExtension } from '../../lib/wire/extensions.js';
import { PEER_KEYS, readPem } from '../interop/helpers/peer-keys.js';
import { handshakeMessages, only } from './helpers/handshake-pair.js';
import { IDENTITY, client13Options, clientHelloOf, deliver13, gate13, secrets, server13Options } from './helpers/handshake13-pair.js';

/** The fixture P-256 certificate (its own CA, CN=localhost) with its key, and trust in it. */
const x509Store = (): CredentialStore =>
  credentials().x509({ tag: 0, certificate: readPem(PEER_KEYS.certificate), privateKey: readPem(PEER_KEYS.privateKey), ca: readPem(PEER_KEYS.certificate) });
/** Raw public keys (RFC 7250): the fixture RPK pair, trusting its own public key. */
const rpkStore = (): CredentialStore => credentials().ecdsa({ tag: 0, privateKey: readPem(PEER_KEYS.rawPrivateKey), trustedPeers: [readPem(PEER_KEYS.rawPublicKey)] });
/** Another self-signed certificate: a root the server's chain does not lead to. */
const otherRoot = (): CredentialStore => credentials().x509({ tag: 0, ca: readPem(new URL('../fixtures/wire/openssl-ecdhe-ecdsa-server.crt.pem', import.meta.url).pathname) });

/** A certificate client: no PSK, the store's trust (the server name checked in an X.509 leaf) and its certificate for a server that asks. */
function certificateClient(store = x509Store(), overrides: Partial<ClientHandshake13Options> = {}): ClientHandshake13 {
  const [certificate] = store.localCertificates(0);
  return new ClientHandshake13({
    ...client13Options({ psk: undefined }),
    authenticator: store.authenticator(0, { role: 'server', serverName: 'localhost' }),
    ...(certificate ? { certificate } : {}),
    ...overrides,
  });
}

/** A certificate server: no PSKs, the store's certificates and, with clientAuth, its trust for client certificates. */
function certificateServer(store = x509Store(), overrides: Partial<ServerHandshake13Options> = {}): ServerHandshake13Options {
  return server13Options({
    pskLookup: undefined,
    certificates: store.localCertificates(0),
    clientAuthenticator: store.authenticator(0, { role: 'client' }),
    ...overrides,
  });
}

/** CH1 -> HRR -> CH2 through the stateless gate, then the server's flight 4 and the client's answer to it. */
async function handshake13(client: ClientHandshake13, serverOptions: ServerHandshake13Options, tamper4: (flight: Flight) => Flight = (f) => f, tamper5: (flight: Flight) => Flight = (f) => f) {
  const keys = secrets();
  const retry = gate13(client.start().flight!, keys, serverOptions);
  if (retry.kind !== 'retry') throw new Error(`the gate answered ${retry.kind}`);
  const flight3 = only(await deliver13(retry.flight, client), 'flight');
  const verified = gate13(flight3, keys, serverOptions);
  if (verified.kind !== 'verified') throw new Error(`the gate answered ${verified.kind}`);
  const { server } = verified;
  const serverStart = await server.start();
  if (!serverStart.flight) return { client, server, serverStart, hrr: retry.flight, clientSteps: [], serverSteps: [] };
  const flight4 = tamper4(serverStart.flight);
  const clientSteps = await deliver13(flight4, client);
  const flight5 = clientSteps.find((s) => s.flight)?.flight;
  const serverSteps = flight5 ? await deliver13(tamper5(flight5), server) : [];
  return { client, server, serverStart, hrr: retry.flight, flight4, flight5, clientSteps, serverSteps };
}

function shape(flight: Flight | undefined): Array<[number, number]> {
  return (flight?.entries ?? []).flatMap((e) => (e.kind === 'handshake' ? [[e.message.msgType, e.epoch] as [number, number]] : []));
}

function failures(steps: HandshakeStep[]): number[] {
  return steps.flatMap((s) => (s.failure ? [s.failure.alert] : []));
}

/** The flight with the body of its message of type `msgType` replaced. */
function replaceBody(flight: Flight, msgType: number, body: (old: Uint8Array) => Uint8Array): Flight {
  return {
    ...flight,
    entries: flight.entries.map((e) => (e.kind === 'handshake' && e.message.msgType === msgType ? { ...e, message: { ...e.message, body: body(e.message.body) } } : e)),
  };
}

const flipLast = (body: Uint8Array): Uint8Array => {
  const copy = body.slice();
  copy[copy.length - 1] ^= 1;
  return copy;
};

describe('DTLS 1.3 with certificates: ClientHandshake13 with ServerHandshake13 through the cookie gate', () => {
  it('authenticates the server by its X.509 certificate on (EC)DHE: SH in epoch 0, EE, Certificate, CertificateVerify, Finished in epoch 2; the client answers with its Finished', async () => {
    const run = await handshake13(certificateClient(), certificateServer());
    expect(shape(run.flight4)).toEqual([
      [HandshakeType.server_hello, 0],
      [HandshakeType.encrypted_extensions, 2],
      [HandshakeType.certificate, 2],
      [HandshakeType.certificate_verify, 2],
      [HandshakeType.finished, 2],
    ]);
    expect(shape(run.flight5)).toEqual([[HandshakeType.finished, 2]]);
    const client = only(run.clientSteps, 'established13');
    const server = only(run.serverSteps, 'established13');
    expect([client.keyExchange, client.group, server.keyExchange]).toEqual(['ecdhe', NamedGroup.x25519, 'ecdhe']);
    expect(client.peer).toMatchObject({ kind: 'x509', subject: 'CN=localhost' });
    expect(server.peer).toEqual({ kind: 'anonymous' });
    expect(client.applicationSecrets.write).toEqual(server.applicationSecrets.read);
    expect(client.applicationSecrets.read).toEqual(server.applicationSecrets.write);
  });

  it('sends the chain as CertificateEntries with an empty certificate_request_context (RFC 8446 §4.4.2)', async () => {
    const run = await handshake13(certificateClient(), certificateServer());
    const certificate = handshakeMessages(run.flight4!).find((m) => m.msgType === HandshakeType.certificate)!;
    const decoded = decodeCertificate13(certificate.body);
    expect(decoded.ok && decoded.value.context.length).toBe(0);
    expect(decoded.ok && decoded.value.entries.length).toBe(1);
  });

  it('TLS_AES_256_GCM_SHA384: the suite\'s hash drives the schedule and the transcript (48-byte secrets), the cookie carries a SHA-384 hash of ClientHello1', async () => {
    const suite = tls13CipherSuiteByName('TLS_AES_256_GCM_SHA384')!;
    const run = await handshake13(certificateClient(x509Store(), { cipherSuites: [suite] }), certificateServer());
    const summary = only(run.serverSteps, 'established13');
    expect(summary.cipherSuite).toBe(suite);
    expect(summary.applicationSecrets.read).toHaveLength(48);
    expect(only(run.clientSteps, 'established13').applicationSecrets.write).toEqual(summary.applicationSecrets.read);
  });

  it('asks for a share of its group in the HelloRetryRequest and then serves the certificate on it', async () => {
    const run = await handshake13(certificateClient(), certificateServer(x509Store(), { groups: [NamedGroup.secp256r1] }));
    expect(only(run.clientSteps, 'established13').group).toBe(NamedGroup.secp256r1);
    expect(only(run.serverSteps, 'established13').peer).toEqual({ kind: 'anonymous' });
  });

  it('raw public keys (RFC 7250): the types settled in EncryptedExtensions, the SPKI in one CertificateEntry, both sides authenticated', async () => {
    const run = await handshake13(certificateClient(rpkStore()), certificateServer(rpkStore(), { clientAuth: 'required' }));
    const encryptedExtensions = handshakeMessages(run.flight4!).find((m) => m.msgType === HandshakeType.encrypted_extensions)!;
    const extensions = decodeEncryptedExtensions(encryptedExtensions.body);
    expect(extensions.ok && findExtension(extensions.value, ExtensionType.server_certificate_type)?.data).toEqual(Uint8Array.of(CertificateType.raw_public_key));
    expect(extensions.ok && findExtension(extensions.value, ExtensionType.client_certificate_type)?.data).toEqual(Uint8Array.of(CertificateType.raw_public_key));
    expect(only(run.clientSteps, 'established13').peer).toMatchObject({ kind: 'raw-public-key' });
    expect(only(run.serverSteps, 'established13').peer).toMatchObject({ kind: 'raw-public-key' });
  });

  it('mutual authentication: a CertificateRequest before the server Certificate, and the client Certificate, CertificateVerify, Finished; the server reports the client\'s certificate', async () => {
    const run = await handshake13(certificateClient(), certificateServer(x509Store(), { clientAuth: 'required' }));
    expect(shape(run.flight4).map(([type]) => type)).toEqual([
      HandshakeType.server_hello,
      HandshakeType.encrypted_extensions,
      HandshakeType.certificate_request,
      HandshakeType.certificate,
      HandshakeType.certificate_verify,
      HandshakeType.finished,
    ]);
    expect(shape(run.flight5)).toEqual([
      [HandshakeType.certificate, 2],
      [HandshakeType.certificate_verify, 2],
      [HandshakeType.finished, 2],
    ]);
    expect(only(run.serverSteps, 'established13').peer).toMatchObject({ kind: 'x509', subject: 'CN=localhost' });
  });

  it('a client without a certificate answers with an empty Certificate: required -> certificate_required (RFC 8446 §4.4.2.4), optional -> anonymous', async () => {
    const trusting = () => certificateClient(credentials().x509({ tag: 0, ca: readPem(PEER_KEYS.certificate) }));
    const refused = await handshake13(trusting(), certificateServer(x509Store(), { clientAuth: 'required' }));
    expect(shape(refused.flight5)).toEqual([
      [HandshakeType.certificate, 2],
      [HandshakeType.finished, 2],
    ]);
    expect(failures(refused.serverSteps)).toEqual([AlertDescription.certificate_required]);
    const anonymous = await handshake13(trusting(), certificateServer(x509Store(), { clientAuth: 'optional' }));
    expect(only(anonymous.serverSteps, 'established13').peer).toEqual({ kind: 'anonymous' });
  });

  it('fails the client with decrypt_error when the server CertificateVerify signature does not verify', async () => {
    const run = await handshake13(certificateClient(), certificateServer(), (f) => replaceBody(f, HandshakeType.certificate_verify, flipLast));
    expect(failures(run.clientSteps)).toEqual([AlertDescription.decrypt_error]);
  });

  it('fails the server with decrypt_error when the client CertificateVerify signature does not verify', async () => {
    const run = await handshake13(certificateClient(), certificateServer(x509Store(), { clientAuth: 'required' }), undefined, (f) => replaceBody(f, HandshakeType.certificate_verify, flipLast));
    expect(failures(run.serverSteps)).toEqual([AlertDescription.decrypt_error]);
  });

  it('refuses a chain that leads to no root it trusts with unknown_ca, as 1.2 does', async () => {
    const run = await handshake13(certificateClient(otherRoot()), certificateServer());
    expect(failures(run.clientSteps)).toEqual([AlertDescription.unknown_ca]);
  });

  it('refuses a raw public key it does not trust with bad_certificate, as 1.2 does', async () => {
    const stranger = credentials().ecdsa({ tag: 0, trustedPeers: [readPem(PEER_KEYS.rawPublicKey)] });
    const run = await handshake13(certificateClient(stranger), certificateServer(credentials().ecdsa({ tag: 0, privateKey: readPem(PEER_KEYS.privateKey) })));
    expect(failures(run.clientSteps)).toEqual([AlertDescription.bad_certificate]);
  });

  it('takes a Certificate before EncryptedExtensions as unexpected_message', async () => {
    const swap = (f: Flight): Flight => {
      const [hello, ee, certificate, ...rest] = f.entries;
      return { ...f, entries: [hello, certificate, ee, ...rest] };
    };
    const run = await handshake13(certificateClient(), certificateServer(), swap);
    expect(failures(run.clientSteps)[0]).toBe(AlertDescription.unexpected_message);
  });

  it('takes a Certificate from a server that selected the PSK as unexpected_message', async () => {
    const certificateRun = await handshake13(certificateClient(), certificateServer());
    const certificate = handshakeMessages(certificateRun.flight4!).find((m) => m.msgType === HandshakeType.certificate)!;
    const client = new ClientHandshake13({ ...client13Options(), authenticator: x509Store().authenticator(0, { role: 'server' }) });
    // The PSK flight is ServerHello, EncryptedExtensions, Finished: a Certificate takes the Finished's place.
    const run = await handshake13(client, server13Options(), (f) => ({
      ...f,
      entries: [...f.entries.slice(0, 2), { kind: 'handshake', epoch: 2, message: { ...certificate, messageSeq: 3 } }],
    }));
    expect(failures(run.clientSteps)).toEqual([AlertDescription.unexpected_message]);
  });

  it('a server refuses a client Certificate where it sent no CertificateRequest with unexpected_message', async () => {
    const run = await handshake13(certificateClient(), certificateServer(), undefined, (f) => {
      const certificate = { kind: 'handshake' as const, epoch: 2, message: { msgType: HandshakeType.certificate, messageSeq: 2, body: new Uint8Array(4) } };
      return { ...f, entries: [certificate] };
    });
    expect(failures(run.serverSteps)).toEqual([AlertDescription.unexpected_message]);
  });

  it('refuses a CertificateRequest with a certificate_request_context (illegal_parameter) or without signature_algorithms (missing_extension)', async () => {
    const withContext = encodeCertificateRequest13({ context: Uint8Array.of(1), extensions: [encodeSignatureAlgorithmsExtension([SignatureScheme.ecdsa_secp256r1_sha256])] });
    const run = await handshake13(certificateClient(), certificateServer(x509Store(), { clientAuth: 'required' }), (f) => replaceBody(f, HandshakeType.certificate_request, () => withContext));
    expect(failures(run.clientSteps)).toEqual([AlertDescription.illegal_parameter]);
    const noSchemes = encodeCertificateRequest13({ context: new Uint8Array(0), extensions: [{ type: ExtensionType.signature_algorithms_cert, data: Uint8Array.of(0, 2, 4, 3) }] });
    const run2 = await handshake13(certificateClient(), certificateServer(x509Store(), { clientAuth: 'required' }), (f) => replaceBody(f, HandshakeType.certificate_request, () => noSchemes));
    expect(failures(run2.clientSteps)).toEqual([AlertDescription.missing_extension]);
  });
});

describe('DTLS 1.3 with certificates: the first ClientHello and the HelloRetryRequest it asks for', () => {
  it.each(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'])('is padded (RFC 7685) so that the HelloRetryRequest with %s is no longer than it', (name) => {
    const flight = certificateClient(x509Store(), { cipherSuites: [tls13CipherSuiteByName(name)!] }).start().flight!;
    const { message, hello } = clientHelloOf(flight);
    expect(findExtension(hello.extensions, ExtensionType.padding)).toBeDefined();
    expect(message.body.length).toBeGreaterThanOrEqual(LONGEST_HELLO_RETRY_REQUEST_BODY);
    const retry = gate13(flight, secrets(), certificateServer(x509Store(), { groups: [NamedGroup.secp256r1] }));
    if (retry.kind !== 'retry') throw new Error(`the gate answered ${retry.kind}`);
    expect(handshakeMessages(retry.flight)[0].body.length).toBeLessThanOrEqual(message.body.length);
  });

  it('is not padded with a PSK, whose binder makes it long enough', () => {
    const { hello } = clientHelloOf(new ClientHandshake13(client13Options()).start().flight!);
    expect(findExtension(hello.extensions, ExtensionType.padding)).toBeUndefined();
  });
});

describe('DTLS 1.3 with certificates: what the stateless choice refuses', () => {
  /** The first ClientHello of a certificate client, with some extensions taken out. */
  function helloWithout(...types: number[]) {
    const flight = certificateClient().start().flight!;
    const { message, hello } = clientHelloOf(flight);
    return { message, hello: { ...hello, extensions: hello.extensions.filter((e) => !types.includes(e.type)) } };
  }

  it.each([
    ['signature_algorithms', ExtensionType.signature_algorithms],
    ['supported_groups', ExtensionType.supported_groups],
    ['key_share', ExtensionType.key_share],
  ])('answers a ClientHello without a PSK and without %s with missing_extension (RFC 8446 §9.2)', async (_name, type) => {
    const { exchangeCookie13 } = await import('../../lib/handshake/cookie-exchange13.js');
    const { message, hello } = helloWithout(type);
    const exchange = exchangeCookie13(secrets(), '127.0.0.1:1', message, hello, { ...certificateServer(), psk: false });
    expect(exchange).toMatchObject({ kind: 'refuse', alert: AlertDescription.missing_extension });
  });

  it('answers unsupported_certificate when the client takes only raw public keys and the server has only X.509', async () => {
    const { exchangeCookie13 } = await import('../../lib/handshake/cookie-exchange13.js');
    const flight = certificateClient(credentials().ecdsa({ tag: 0, trustedPeers: [readPem(PEER_KEYS.rawPublicKey)] })).start().flight!;
    const { message, hello } = clientHelloOf(flight);
    const exchange = exchangeCookie13(secrets(), '127.0.0.1:1', message, hello, { ...certificateServer(), psk: false });
    expect(exchange).toMatchObject({ kind: 'refuse', alert: AlertDescription.unsupported_certificate });
  });

  it('fails the server with illegal_parameter when the second ClientHello leads to another authentication than the cookie carries', async () => {
    // A PSK client's hello, with a cookie that says the HelloRetryRequest settled on a certificate.
    const flight = new ClientHandshake13(client13Options()).start().flight!;
    const { message, hello } = clientHelloOf(flight);
    const options = { ...certificateServer(), pskLookup: server13Options().pskLookup };
    const suite = tls13CipherSuiteByName('TLS_AES_128_GCM_SHA256')!;
    const server = new ServerHandshake13(options, message, hello, { authentication: 'certificate', suite, clientHello1Hash: messageHash('sha256', message), cookie: Uint8Array.of(1) });
    expect((await server.start()).failure?.alert).toBe(AlertDescription.illegal_parameter);
  });

  it('gives a client with a PSK and trust the PSK from a server that has both, and the certificate from one that has no PSKs', async () => {
    const both = () => new ClientHandshake13({ ...client13Options(), authenticator: x509Store().authenticator(0, { role: 'server', serverName: 'localhost' }) });
    const psk = await handshake13(both(), { ...certificateServer(), pskLookup: server13Options().pskLookup });
    expect(only(psk.serverSteps, 'established13').peer).toEqual({ kind: 'psk', identity: IDENTITY });
    const certificate = await handshake13(both(), certificateServer());
    expect(only(certificate.clientSteps, 'established13').peer).toMatchObject({ kind: 'x509' });
  });
});
