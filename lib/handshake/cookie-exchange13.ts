import type { ClientHello } from '../wire/client-hello.js';
import { HandshakeType } from '../wire/constants.js';
import { decodeCookieExtension } from '../wire/cookie-extension.js';
import { ExtensionType, findExtension } from '../wire/extensions.js';
import type { CookieSecrets } from './cookie.js';
import type { HandshakeMessage } from './handshake-message.js';
import { helloRetryRequestBody, issueRetryCookie, openRetryCookie } from './hello-retry13.js';
import type { VerifiedRetry } from './server-handshake13.js';
import { authenticationOf, chooseHandshake13, type ServerOffer13 } from './server-choice13.js';
import { messageHash } from './transcript13.js';

/** What the stateless gate does with a 1.3 ClientHello. */
export type CookieExchange13 =
  /** Its cookie is ours and this peer's: a handshake may start, from what the cookie carries. */
  | { readonly kind: 'verified'; readonly retry: VerifiedRetry }
  /** No valid cookie: answer with this HelloRetryRequest and forget the peer. */
  | { readonly kind: 'retry'; readonly helloRetryRequest: HandshakeMessage }
  /** Nothing this server can serve it with: the alert to answer with. */
  | { readonly kind: 'refuse'; readonly alert: number; readonly reason: string };

/**
 * The 1.3 cookie gate (RFC 9147 §5.1, RFC 8446 §4.2.2): the server keeps nothing for a
 * peer until it proves its address. A ClientHello without a valid cookie is answered with
 * a HelloRetryRequest whose cookie holds the authentication (PSK or certificate), the suite,
 * the group it asks a share for (when the client sent none we take) and Hash(ClientHello1), MACed; the second ClientHello brings
 * it back and the handshake starts from it. `peer` is the source address and port.
 */
export function exchangeCookie13(secrets: CookieSecrets, peer: string, message: HandshakeMessage, hello: ClientHello, offer: ServerOffer13): CookieExchange13 {
  const extension = findExtension(hello.extensions, ExtensionType.cookie);
  const cookie = extension && decodeCookieExtension(extension.data);
  if (cookie?.ok) {
    const state = openRetryCookie(secrets, peer, cookie.value);
    if (state) return { kind: 'verified', retry: { ...state, cookie: cookie.value.slice() } };
  }
  const chosen = chooseHandshake13(hello, offer);
  if (!chosen.ok) return { kind: 'refuse', alert: chosen.alert, reason: chosen.reason };
  const { suite, group, clientShare, keyExchange } = chosen.choice;
  const plan = { authentication: authenticationOf(keyExchange), suite, ...(group !== undefined && !clientShare ? { group } : {}) };
  const issued = issueRetryCookie(secrets, peer, { ...plan, clientHello1Hash: messageHash(suite.hash, message) });
  // RFC 9147 §5.2: the HelloRetryRequest answers ClientHello1 with its message_seq.
  return { kind: 'retry', helloRetryRequest: { msgType: HandshakeType.server_hello, messageSeq: message.messageSeq, body: helloRetryRequestBody(hello.sessionId, plan, issued) } };
}
