import { AlertDescription } from '../wire/alert.js';
import type { ClientHello } from '../wire/client-hello.js';
import { DTLS_1_2, DTLS_1_3, HandshakeType } from '../wire/constants.js';
import { ExtensionType, findExtension } from '../wire/extensions.js';
import type { Extension } from '../wire/extension-type.js';
import { decodeServerHello, type ServerHello } from '../wire/server-hello.js';
import { decodeSelectedVersion, encodeSupportedVersionsOffer } from '../wire/supported-versions-extension.js';
import type { HandshakeFailure } from './handshake-step.js';
import type { HandshakeMessage } from './handshake-message.js';
import { HELLO_RETRY_REQUEST_RANDOM } from './hello-retry13.js';
import { carriesDowngradeSentinel } from './version-negotiation.js';

/**
 * One ClientHello for both versions (RFC 8446 §4.1.2, §4.2.1; RFC 9147 §5.3): the 1.3
 * hello (its random, key share, PSK modes) with supported_versions offering 1.3 then 1.2,
 * 1.2's suites after 1.3's, and 1.2's extensions (extended_master_secret,
 * renegotiation_info, ec_point_formats, server_name...). Where both send one extension,
 * 1.2's copy is kept: its supported_groups names every group of ours, the certificate's
 * curve included (RFC 8422 §5.1), and 1.3's key share is for one of them. The random and
 * the legacy session ID are the 1.2 hello's, so the 1.2 handshake can take the hello over
 * as its own. The 1.3 side appends pre_shared_key after this, last (RFC 8446 §4.2.11).
 * Without a 1.2 hello, the 1.3 hello is returned as it is.
 */
export function withDtls12Offer(hello13: ClientHello, hello12: ClientHello | undefined): ClientHello {
  if (hello12 === undefined) return hello13;
  const theirs = new Map(hello12.extensions.map((e) => [e.type, e]));
  const extensions: Extension[] = hello13.extensions.map((e) =>
    e.type === ExtensionType.supported_versions ? encodeSupportedVersionsOffer([DTLS_1_3, DTLS_1_2]) : (theirs.get(e.type) ?? e),
  );
  extensions.push(...hello12.extensions.filter((e) => !findExtension(hello13.extensions, e.type)));
  return {
    ...hello13,
    random: hello12.random,
    sessionId: hello12.sessionId,
    cipherSuites: [...hello13.cipherSuites, ...hello12.cipherSuites.filter((id) => !hello13.cipherSuites.includes(id))],
    extensions,
  };
}

/** Which version the server's first answer to a ClientHello offering both speaks, or why it is refused. */
export type AnswerVersion =
  | { readonly ok: true; readonly version: '1.2' | '1.3'; readonly helloRetryRequest: boolean }
  | { readonly ok: false; readonly failure: HandshakeFailure };

/**
 * The version of the server's answer to our ClientHello offering 1.2 and 1.3. A
 * HelloVerifyRequest exists only in 1.2 (a 1.3 server asks for its cookie with a
 * HelloRetryRequest, RFC 9147 §5.1); a ServerHello (or HelloRetryRequest) selects 1.3 in
 * supported_versions, and a 1.2 one has none (RFC 8446 §4.2.1: selecting anything else
 * there is illegal_parameter).
 */
export function answerVersion(message: HandshakeMessage): AnswerVersion {
  if (message.msgType === HandshakeType.hello_verify_request) return { ok: true, version: '1.2', helloRetryRequest: false };
  if (message.msgType !== HandshakeType.server_hello) {
    return refused(AlertDescription.unexpected_message, `unexpected handshake message ${message.msgType} in answer to our ClientHello`);
  }
  const decoded = decodeServerHello(message.body);
  if (!decoded.ok) return refused(AlertDescription.decode_error, 'malformed ServerHello');
  const extension = findExtension(decoded.value.extensions, ExtensionType.supported_versions);
  if (!extension) return { ok: true, version: '1.2', helloRetryRequest: false };
  const selected = decodeSelectedVersion(extension.data);
  if (!selected.ok) return refused(AlertDescription.decode_error, 'malformed supported_versions');
  if (selected.value !== DTLS_1_3) return refused(AlertDescription.illegal_parameter, `server selected ${hex(selected.value)} in supported_versions, which only a DTLS 1.3 ServerHello carries (RFC 8446 §4.2.1)`);
  return { ok: true, version: '1.3', helloRetryRequest: sameBytes(decoded.value.random, HELLO_RETRY_REQUEST_RANDOM) };
}

/**
 * What a client that offered 1.3 refuses in a 1.2 ServerHello: supported_versions (a 1.2
 * ServerHello has none, RFC 8446 §4.2.1), and a random ending with the downgrade sentinel
 * (RFC 8446 §4.1.3): the server speaks 1.3, so someone between us stripped our 1.3 offer.
 */
export function downgradeProblem(hello: ServerHello): HandshakeFailure | undefined {
  if (findExtension(hello.extensions, ExtensionType.supported_versions)) {
    return { alert: AlertDescription.illegal_parameter, reason: 'a DTLS 1.2 ServerHello carries supported_versions (RFC 8446 §4.2.1)' };
  }
  if (carriesDowngradeSentinel(hello.random)) {
    return {
      alert: AlertDescription.illegal_parameter,
      reason: 'the DTLS 1.2 ServerHello.random ends with the downgrade sentinel: the server speaks DTLS 1.3, so our 1.3 offer was stripped on the way (RFC 8446 §4.1.3)',
    };
  }
  return undefined;
}

function refused(alert: number, reason: string): AnswerVersion {
  return { ok: false, failure: { alert, reason } };
}

/** Randoms are public: a plain comparison. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function hex(version: number): string {
  return `0x${version.toString(16).padStart(4, '0')}`;
}
