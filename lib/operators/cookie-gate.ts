import type { OperatorFunction } from 'rxjs';
import type { ClientHelloFragments } from '../handshake/client-hello-fragments.js';
import type { CookieSecrets } from '../handshake/cookie.js';
import { exchangeCookie13 } from '../handshake/cookie-exchange13.js';
import type { HandshakeMessage } from '../handshake/handshake-message.js';
import type { VerifiedRetry } from '../handshake/server-handshake13.js';
import type { ServerOffer13 } from '../handshake/server-choice13.js';
import { chooseVersion, type DtlsVersion } from '../handshake/version-negotiation.js';
import { AlertLevel, encodeAlert } from '../wire/alert.js';
import { firstRecord, type RawRecord } from '../record/split-records.js';
import { peerKey, type Datagram } from '../transport/datagram.js';
import { decodeClientHello, type ClientHello } from '../wire/client-hello.js';
import { ContentType, DTLS_1_0, DTLS_1_2, HandshakeType } from '../wire/constants.js';
import { decodeHandshakeFragments, encodeHandshakeMessage, type HandshakeFragment } from '../wire/handshake-header.js';
import { encodeHelloVerifyRequest } from '../wire/hello-verify-request.js';
import { encodeRecordHeader } from '../wire/record-header.js';
import { operate } from './operate.js';

/**
 * A ClientHello that came back with a valid cookie: the server may now keep state for this
 * peer. `message` and `hello` own their bytes (a copy of the message), so keeping them does
 * not keep the whole datagram alive; `datagram` and `record` are the datagram's.
 */
export interface VerifiedHello {
  /** The datagram it came in. */
  readonly datagram: Datagram;
  /** Its record. */
  readonly record: RawRecord;
  /** The handshake message (for the transcript). */
  readonly message: HandshakeMessage;
  /** The decoded ClientHello. */
  readonly hello: ClientHello;
  /** DTLS 1.3: what the HelloRetryRequest's cookie gave back; absent for a 1.2 handshake. */
  readonly retry13?: VerifiedRetry;
}

/** What the cookie gate sends back: a cookie (1.2's HelloVerifyRequest, 1.3's HelloRetryRequest), or a fatal alert refusing the hello. */
export type CookieGateReply = 'hello-verify-request' | 'hello-retry-request' | 'alert';

/** What the cookie gate needs: the secrets, and how to answer and report. */
export interface CookieGateOptions {
  /** The rotating cookie secrets. */
  readonly secrets: CookieSecrets;
  /** Sends an answer back to the peer: a cookie to return, or the alert that refuses its hello (`kind` says which). */
  readonly reply: (data: Uint8Array, datagram: Datagram, kind: CookieGateReply) => void;
  /** Counts datagrams dropped here (not a ClientHello, malformed). */
  readonly onDropped?: (datagram: Datagram, reason: string) => void;
  /** The versions the server accepts (default 1.2 only); 1.3 needs `tls13`. */
  readonly versions?: readonly DtlsVersion[];
  /** What a 1.3 HelloRetryRequest is planned from: the server's 1.3 suites, groups, whether it has PSKs. */
  readonly tls13?: ServerOffer13;
  /** A ClientHello refused before any state: the fatal alert went back to the peer, and why. */
  readonly onRefused?: (datagram: Datagram, reason: string) => void;
  /**
   * Where ClientHellos that came in fragments are put back together before their cookie,
   * under one bound for the whole server; without it they are dropped (1.2's cookie
   * exchange assumes a ClientHello fits one datagram).
   */
  readonly fragments?: ClientHelloFragments;
}

/**
 * The stateless half of the server (RFC 6347 §4.2.1): a ClientHello without a
 * valid cookie is answered with a HelloVerifyRequest and forgotten; only one with
 * a valid cookie passes. Nothing is stored per peer, and no reply is larger than
 * the datagram that caused it, so the server cannot be used as an amplifier.
 *
 * @example
 * // A server's front door: only ClientHellos that came back with our cookie pass.
 * const secrets = new CookieSecrets(randomBytes(32));
 * transport.datagrams$
 *   .pipe(cookieGate({ secrets, reply: (hvr, datagram) => transport.send(hvr, datagram.peer) }))
 *   .subscribe(({ datagram, message, hello }) => startHandshake(datagram.peer, new ServerHandshake(options, message, hello)));
 */
export function cookieGate(options: CookieGateOptions): OperatorFunction<Datagram, VerifiedHello> {
  const { secrets, reply, onDropped, onRefused, tls13 } = options;
  const versions = options.versions ?? ['1.2'];
  return operate((subscriber) => ({
    next(datagram) {
      const key = peerKey(datagram.peer);
      const found = findClientHello(datagram.data, options.fragments && ((fragment) => options.fragments?.add(key, fragment)));
      if (typeof found === 'string') {
        onDropped?.(datagram, found);
        return;
      }
      if (found === undefined) return;
      if (tls13 && versions.includes('1.3')) {
        const version = chooseVersion(found.hello, versions);
        if (!version.ok) {
          reply(alertRecord(found.record, version.alert), datagram, 'alert');
          onRefused?.(datagram, version.reason);
          return;
        }
        if (version.version === '1.3') {
          const exchange = exchangeCookie13(secrets, key, found.message, found.hello, tls13);
          if (exchange.kind === 'verified') subscriber.next({ datagram, ...found, retry13: exchange.retry });
          else if (exchange.kind === 'refuse') {
            reply(alertRecord(found.record, exchange.alert), datagram, 'alert');
            onRefused?.(datagram, exchange.reason);
          } else {
            const answer = plaintextRecord(found.record, ContentType.handshake, DTLS_1_2, encodeHandshakeMessage(HandshakeType.server_hello, exchange.helloRetryRequest.messageSeq, exchange.helloRetryRequest.body));
            // A ClientHello put together from fragments came in several datagrams: all of it counts.
            if (answer.length > Math.max(datagram.data.length, found.message.body.length)) onDropped?.(datagram, 'HelloRetryRequest would be larger than the ClientHello');
            else reply(answer, datagram, 'hello-retry-request');
          }
          return;
        }
      }
      if (secrets.verify(key, found.hello)) {
        subscriber.next({ datagram, ...found });
        return;
      }
      const answer = helloVerifyRequest(found.record, found.message, secrets.issue(key, found.hello));
      if (answer.length > datagram.data.length) {
        onDropped?.(datagram, 'HelloVerifyRequest would be larger than the ClientHello');
        return;
      }
      reply(answer, datagram, 'hello-verify-request');
    },
  }));
}

/** Highest message_seq accepted on a ClientHello; anything above is not a real client's first flight. */
export const MAX_CLIENT_HELLO_MESSAGE_SEQ = 255;

/**
 * The first record must be an epoch-0 handshake record holding a ClientHello; the records
 * after it are not read. A fragment of one goes to `reassemble` when there is one, and the
 * hello is found once its last fragment is in (undefined until then).
 */
function findClientHello(
  data: Uint8Array,
  reassemble?: (fragment: HandshakeFragment) => HandshakeMessage | undefined,
): { record: RawRecord; message: HandshakeMessage; hello: ClientHello } | string | undefined {
  const record = firstRecord(data);
  if (!record) return 'malformed datagram';
  if (record.header.contentType !== ContentType.handshake || record.header.epoch !== 0) return 'not an epoch-0 handshake record';
  const fragments = decodeHandshakeFragments(record.fragment);
  if (!fragments.ok || fragments.value.length === 0) return 'malformed handshake record';
  const [fragment] = fragments.value;
  if (fragment.msgType !== HandshakeType.client_hello) return 'not a ClientHello';
  // RFC 6347 §4.2.2: message_seq never wraps, and our flight continues from the
  // ClientHello's. A real client starts at 0 (1 after a HelloVerifyRequest).
  if (fragment.messageSeq > MAX_CLIENT_HELLO_MESSAGE_SEQ) return 'ClientHello message_seq out of range';
  let message: HandshakeMessage;
  if (fragment.fragmentOffset === 0 && fragment.fragmentLength === fragment.length) {
    // A copy (a real ClientHello is a few hundred bytes), decoded into views of it: a server keeps
    // the verified one for the whole handshake, and a view would keep the whole datagram alive.
    message = { msgType: fragment.msgType, messageSeq: fragment.messageSeq, body: fragment.body.slice() };
  } else {
    // RFC 9147 §5.1: a 1.3 ClientHello may not fit one datagram (post-quantum shares, many PSKs).
    if (!reassemble) return 'fragmented ClientHello';
    const whole = reassemble(fragment);
    // Held until the rest comes (or given up: the pool decides, within its bound).
    if (!whole) return undefined;
    message = whole;
  }
  const hello = decodeClientHello(message.body);
  if (!hello.ok) return 'malformed ClientHello';
  return { record, message, hello: hello.value };
}

/**
 * RFC 6347 §4.2.1: the HelloVerifyRequest carries version DTLS 1.0 whatever the
 * version to be negotiated, reuses the ClientHello's record sequence number (so
 * repeated exchanges do not collide) and its message_seq.
 */
function helloVerifyRequest(record: RawRecord, message: HandshakeMessage, cookie: Uint8Array): Uint8Array {
  const body = encodeHandshakeMessage(
    HandshakeType.hello_verify_request,
    message.messageSeq,
    encodeHelloVerifyRequest({ serverVersion: DTLS_1_0, cookie }),
  );
  return plaintextRecord(record, ContentType.handshake, DTLS_1_0, body);
}

/** A fatal alert refusing the ClientHello, before any state (RFC 8446 §4.2.1: protocol_version when no version fits). */
function alertRecord(record: RawRecord, description: number): Uint8Array {
  return plaintextRecord(record, ContentType.alert, DTLS_1_2, encodeAlert({ level: AlertLevel.fatal, description }));
}

/**
 * An epoch-0 record answering the ClientHello's: it reuses that record's sequence number
 * (RFC 6347 §4.2.1 for the HelloVerifyRequest, RFC 9147 §5.1 for the HelloRetryRequest),
 * so repeated stateless exchanges do not collide.
 */
function plaintextRecord(record: RawRecord, contentType: number, version: number, body: Uint8Array): Uint8Array {
  const header = encodeRecordHeader({ contentType, version, epoch: 0, sequenceNumber: record.header.sequenceNumber, length: body.length });
  const datagram = new Uint8Array(header.length + body.length);
  datagram.set(header);
  datagram.set(body, header.length);
  return datagram;
}
