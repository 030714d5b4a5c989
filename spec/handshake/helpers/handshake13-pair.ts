import { NamedGroup } from '../../../lib/crypto/ecdhe.js';
import { nobleProvider } from '../../../lib/crypto/provider.js';
import { TLS13_CIPHER_SUITES } from '../../../lib/crypto/tls13-cipher-suites.js';
import { ClientHandshake13, type ClientHandshake13Options } from '../../../lib/handshake/client-handshake13.js';
import { CookieSecrets } from '../../../lib/handshake/cookie.js';
import { exchangeCookie13 } from '../../../lib/handshake/cookie-exchange13.js';
import type { Flight } from '../../../lib/handshake/flight.js';
import type { HandshakeMessage } from '../../../lib/handshake/handshake-message.js';
import type { HandshakeStep } from '../../../lib/handshake/handshake-step.js';
import { ServerHandshake13, type ServerHandshake13Options } from '../../../lib/handshake/server-handshake13.js';
import { decodeClientHello } from '../../../lib/wire/client-hello.js';
import { IDENTITY, KEY, handshakeMessages, overTheWire } from './handshake-pair.js';

export { IDENTITY, KEY };
export const PEER = '127.0.0.1:40000';

export function client13Options(overrides: Partial<ClientHandshake13Options> = {}): ClientHandshake13Options {
  return {
    provider: nobleProvider,
    cipherSuites: TLS13_CIPHER_SUITES,
    groups: [NamedGroup.x25519, NamedGroup.secp256r1],
    psk: { identity: IDENTITY, key: KEY },
    ...overrides,
  };
}

export function server13Options(overrides: Partial<ServerHandshake13Options> = {}): ServerHandshake13Options {
  return {
    provider: nobleProvider,
    cipherSuites: TLS13_CIPHER_SUITES,
    groups: [NamedGroup.x25519, NamedGroup.secp256r1],
    pskLookup: (identity) => (new TextDecoder().decode(identity) === 'Client_identity' ? KEY : undefined),
    ...overrides,
  };
}

/** Feeds a whole flight to a 1.3 state machine, message by message; returns the steps it took. */
export async function deliver13(flight: Flight, to: ClientHandshake13 | ServerHandshake13): Promise<HandshakeStep[]> {
  const steps: HandshakeStep[] = [];
  for (const message of handshakeMessages(flight)) steps.push(await to.onMessage(message));
  return steps;
}

/** The message a ClientHello flight carries, decoded as the gate decodes it. */
export function clientHelloOf(flight: Flight): { message: HandshakeMessage; hello: ReturnType<typeof decodeHelloOrThrow> } {
  const [message] = handshakeMessages(flight);
  return { message, hello: decodeHelloOrThrow(message) };
}

function decodeHelloOrThrow(message: HandshakeMessage) {
  const decoded = decodeClientHello(message.body);
  if (!decoded.ok) throw new Error('client sent a malformed ClientHello');
  return decoded.value;
}

/** A stateless gate's answer to a ClientHello flight: the HelloRetryRequest as a one-message flight, or the server the cookie lets start. */
export function gate13(flight: Flight, secrets: CookieSecrets, options = server13Options(), peer = PEER) {
  const { message, hello } = clientHelloOf(flight);
  const exchange = exchangeCookie13(secrets, peer, message, hello, { ...options, psk: options.pskLookup !== undefined });
  if (exchange.kind === 'retry') return { kind: 'retry' as const, flight: { number: 2, final: false, entries: [{ kind: 'handshake' as const, epoch: 0, message: overTheWire(exchange.helloRetryRequest) }] } };
  if (exchange.kind === 'verified') return { kind: 'verified' as const, server: new ServerHandshake13(options, message, hello, exchange.retry) };
  return exchange;
}

export function secrets(): CookieSecrets {
  return new CookieSecrets(new Uint8Array(32).fill(7));
}
