import { CIPHER_SUITES, cipherSuiteByName, type CipherSuite } from '../../../lib/crypto/cipher-suites.js';
import { NamedGroup } from '../../../lib/crypto/ecdhe.js';
import { nobleProvider } from '../../../lib/crypto/provider.js';
import { ClientHandshake, type ClientHandshakeOptions } from '../../../lib/handshake/client-handshake.js';
import type { Flight } from '../../../lib/handshake/flight.js';
import type { HandshakeMessage } from '../../../lib/handshake/handshake-message.js';
import type { HandshakeStep } from '../../../lib/handshake/handshake-step.js';
import { ServerHandshake, type ServerHandshakeOptions } from '../../../lib/handshake/server-handshake.js';
import { decodeClientHello } from '../../../lib/wire/client-hello.js';
import { DTLS_1_0, HandshakeType } from '../../../lib/wire/constants.js';
import { decodeHandshakeFragments, encodeHandshakeMessage } from '../../../lib/wire/handshake-header.js';
import { encodeHelloVerifyRequest } from '../../../lib/wire/hello-verify-request.js';

export const IDENTITY = new TextEncoder().encode('Client_identity');
export const KEY = new TextEncoder().encode('secretPSK');
export const PSK_SUITES = CIPHER_SUITES.filter((s) => s.keyExchange === 'PSK');
export const ECDHE_PSK_SUITES = CIPHER_SUITES.filter((s) => s.keyExchange === 'ECDHE_PSK');
export const suite = (name: string): CipherSuite => cipherSuiteByName(name)!;

export function clientOptions(overrides: Partial<ClientHandshakeOptions> = {}): ClientHandshakeOptions {
  return {
    provider: nobleProvider,
    cipherSuites: [...PSK_SUITES, ...ECDHE_PSK_SUITES],
    psk: () => ({ identity: IDENTITY, key: KEY }),
    groups: [NamedGroup.x25519, NamedGroup.secp256r1],
    ...overrides,
  };
}

export function serverOptions(overrides: Partial<ServerHandshakeOptions> = {}): ServerHandshakeOptions {
  return {
    provider: nobleProvider,
    cipherSuites: [...PSK_SUITES, ...ECDHE_PSK_SUITES],
    pskLookup: (identity) => (new TextDecoder().decode(identity) === 'Client_identity' ? KEY : undefined),
    groups: [NamedGroup.x25519, NamedGroup.secp256r1],
    ...overrides,
  };
}

/** A message as the peer sees it: encoded with its DTLS header and decoded again. */
export function overTheWire(message: HandshakeMessage): HandshakeMessage {
  const decoded = decodeHandshakeFragments(encodeHandshakeMessage(message.msgType, message.messageSeq, message.body));
  if (!decoded.ok || decoded.value.length !== 1) throw new Error('a flight message did not survive encoding');
  const [f] = decoded.value;
  return { msgType: f.msgType, messageSeq: f.messageSeq, body: f.body };
}

export function handshakeMessages(flight: Flight): HandshakeMessage[] {
  return flight.entries.flatMap((e) => (e.kind === 'handshake' ? [overTheWire(e.message)] : []));
}

/** Feeds a whole flight, entry by entry, to a state machine; returns the steps it took. */
export async function deliver(flight: Flight, to: ClientHandshake | ServerHandshake): Promise<HandshakeStep[]> {
  const steps: HandshakeStep[] = [];
  for (const entry of flight.entries) {
    steps.push(entry.kind === 'handshake' ? await to.onMessage(overTheWire(entry.message)) : to.onChangeCipherSpec());
  }
  return steps;
}

/** The one step of `steps` that carries `key`, failing loudly if there is not exactly one. */
export function only<K extends keyof HandshakeStep>(steps: HandshakeStep[], key: K): NonNullable<HandshakeStep[K]> {
  const found = steps.filter((s) => s[key] !== undefined);
  if (found.length !== 1) throw new Error(`expected one step with ${key}, got ${found.length}: ${JSON.stringify(steps.map((s) => Object.keys(s)))}`);
  return found[0][key]!;
}

/** A server side for the client's (last) ClientHello, as the endpoint builds it once the cookie is verified. */
export function serverFor(helloFlight: Flight, options = serverOptions()): ServerHandshake {
  const [message] = handshakeMessages(helloFlight);
  const hello = decodeClientHello(message.body);
  if (!hello.ok) throw new Error('client sent a malformed ClientHello');
  return new ServerHandshake(options, message, hello.value);
}

/** The HelloVerifyRequest a stateless server answers a first ClientHello with (RFC 6347 §4.2.1). */
export function helloVerifyRequest(cookie: Uint8Array, messageSeq = 0): HandshakeMessage {
  return { msgType: HandshakeType.hello_verify_request, messageSeq, body: encodeHelloVerifyRequest({ serverVersion: DTLS_1_0, cookie }) };
}

export interface Pair {
  client: ClientHandshake;
  server: ServerHandshake;
  flight1: Flight;
  flight3: Flight;
  flight4: Flight;
}

/** Runs flights 1 to 4 (with the cookie exchange); the client has not seen flight 4 yet. */
export async function startPair(client = new ClientHandshake(clientOptions()), options = serverOptions()): Promise<Pair> {
  const flight1 = client.start().flight!;
  const flight3 = (await client.onMessage(helloVerifyRequest(new Uint8Array(32).fill(0xc0)))).flight!;
  const server = serverFor(flight3, options);
  const flight4 = server.start().flight!;
  return { client, server, flight1, flight3, flight4 };
}
