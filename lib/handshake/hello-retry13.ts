import { TLS13_CIPHER_SUITES, tls13CipherSuiteById, type Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import { hashLength } from '../crypto/hash.js';
import { DTLS_1_2, DTLS_1_3 } from '../wire/constants.js';
import { encodeCookieExtension } from '../wire/cookie-extension.js';
import { encodeKeyShareRetry } from '../wire/key-share-extension.js';
import { encodeServerHello } from '../wire/server-hello.js';
import { encodeSelectedVersion } from '../wire/supported-versions-extension.js';
import { Writer } from '../wire/writer.js';
import { COOKIE_LENGTH, type CookieSecrets } from './cookie.js';
import type { Authentication13 } from './server-choice13.js';

/** RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest (SHA-256 of "HelloRetryRequest"). */
export const HELLO_RETRY_REQUEST_RANDOM = Uint8Array.from(
  'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c'.match(/../g) ?? [],
  (byte) => parseInt(byte, 16),
);

/** What a HelloRetryRequest settles: the suite, the authentication, and the group the client must send a share for when it sent none we take. */
export interface RetryPlan {
  /** PSK or certificate: the second ClientHello must lead to the same (RFC 8446 §4.1.4: the handshake goes on as the first one set it). */
  readonly authentication: Authentication13;
  /** The suite the server chose from the first ClientHello. */
  readonly suite: Tls13CipherSuite;
  /** The group whose key share the HelloRetryRequest asks for; none when the client sent a usable one. */
  readonly group?: number;
}

/** What the cookie gives back to a stateless server in the second ClientHello. */
export interface RetryState extends RetryPlan {
  /** Hash(ClientHello1), which stands for it in the transcript (RFC 8446 §4.4.1). */
  readonly clientHello1Hash: Uint8Array;
}

const COOKIE_FORMAT = 2;
const HEADER = 6;
const AUTHENTICATION: readonly Authentication13[] = ['psk', 'certificate'];

/**
 * The 1.3 cookie (RFC 8446 §4.2.2, RFC 9147 §5.1): the server keeps nothing between the
 * HelloRetryRequest and the second ClientHello, so the cookie carries what that one
 * needs: the authentication (0 PSK, 1 certificate), the suite, the group asked for (0: none)
 * and Hash(ClientHello1), MACed with the rotating cookie secret and the peer's address.
 * format(1) authentication(1) suite(2) group(2) hash mac(32).
 */
export function issueRetryCookie(secrets: CookieSecrets, peer: string, state: RetryState): Uint8Array {
  const contents = new Writer(HEADER + state.clientHello1Hash.length)
    .uint8(COOKIE_FORMAT)
    .uint8(AUTHENTICATION.indexOf(state.authentication))
    .uint16(state.suite.id)
    .uint16(state.group ?? 0)
    .bytes(state.clientHello1Hash)
    .finish();
  return new Writer().bytes(contents).bytes(secrets.seal(peer, contents)).finish();
}

/** The state in a cookie this server made for this peer (under the current or previous secret), or undefined. */
export function openRetryCookie(secrets: CookieSecrets, peer: string, cookie: Uint8Array): RetryState | undefined {
  if (cookie.length < HEADER || cookie[0] !== COOKIE_FORMAT) return undefined;
  const authentication = AUTHENTICATION[cookie[1]];
  const suite = tls13CipherSuiteById((cookie[2] << 8) | cookie[3]);
  const group = (cookie[4] << 8) | cookie[5];
  if (!suite || authentication === undefined) return undefined;
  const hashEnd = HEADER + hashLength(suite.hash);
  if (cookie.length <= hashEnd) return undefined;
  if (!secrets.verifySealed(peer, cookie.subarray(0, hashEnd), cookie.subarray(hashEnd))) return undefined;
  return { authentication, suite, ...(group === 0 ? {} : { group }), clientHello1Hash: cookie.slice(HEADER, hashEnd) };
}

/**
 * The body of the HelloRetryRequest (RFC 8446 §4.1.4): a ServerHello with the special
 * random, the client's legacy_session_id echoed, then supported_versions, key_share (when
 * a group is asked for) and cookie, always in that order, so that a stateless server
 * rebuilds the very bytes it sent from the cookie for the transcript.
 */
export function helloRetryRequestBody(sessionId: Uint8Array, plan: RetryPlan, cookie: Uint8Array): Uint8Array {
  const extensions = [encodeSelectedVersion(DTLS_1_3)];
  if (plan.group !== undefined) extensions.push(encodeKeyShareRetry(plan.group));
  extensions.push(encodeCookieExtension(cookie));
  return encodeServerHello({
    serverVersion: DTLS_1_2,
    random: HELLO_RETRY_REQUEST_RANDOM,
    sessionId,
    cipherSuite: plan.suite.id,
    compressionMethod: 0,
    extensions,
  });
}

/**
 * The longest HelloRetryRequest body issued here for a ClientHello with an empty
 * legacy_session_id: a group asked for, and a cookie holding a SHA-384 hash. The gate
 * sends no reply larger than the datagram that caused it, so a client pads a shorter first
 * ClientHello up to this (RFC 7685) rather than go unanswered.
 */
export const LONGEST_HELLO_RETRY_REQUEST_BODY = helloRetryRequestBody(
  new Uint8Array(0),
  { authentication: 'certificate', suite: TLS13_CIPHER_SUITES.find((s) => s.hash === 'sha384') ?? TLS13_CIPHER_SUITES[0], group: 0 },
  new Uint8Array(HEADER + hashLength('sha384') + COOKIE_LENGTH),
).length;
