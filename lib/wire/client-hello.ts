import { decodeExtensions, writeExtensions } from './extensions.js';
import type { Extension } from './extension-type.js';
import { checkHelloFields, readRandom, readSessionId } from './hello-fields.js';
import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** A decoded ClientHello (RFC 6347 §4.2.1, RFC 5246 §7.4.1.2). */
export interface ClientHello {
  /** The highest version the client offers (0xfefd for DTLS 1.2). */
  clientVersion: number;
  /** 32 bytes of client random. */
  random: Uint8Array;
  /** A session to resume, usually empty. */
  sessionId: Uint8Array;
  /** Empty in the first ClientHello; the HelloVerifyRequest cookie in the second. */
  cookie: Uint8Array;
  /** The suites offered, by IANA number, in order of preference. */
  cipherSuites: number[];
  /** Always [0] (null) in practice. */
  compressionMethods: number[];
  /** The extensions, as sent. */
  extensions: Extension[];
}

/**
 * RFC 6347 §4.2.1: the TLS 1.2 ClientHello with `opaque cookie<0..2^8-1>` inserted
 * after session_id. The extensions block is omitted when there are none, which is the
 * form RFC 5246 §7.4.1.2 gives for a hello without extensions.
 *
 * DTLS 1.3 keeps this shape where TLS 1.3 dropped the cookie (RFC 9147 §5.3): the version
 * field stays 0xfefd (supported_versions alone offers 1.3), the cookie field is
 * legacy_cookie, empty from a 1.3 client (a server answers any other with
 * illegal_parameter; the 1.3 cookie is an extension, cookie-extension.ts), and
 * legacy_session_id is empty unless the client holds a DTLS 1.2 session ID. The
 * ServerHello keeps 0xfefd too; DTLS 1.3 has no compatibility mode, so no ChangeCipherSpec.
 */
export function encodeClientHello(x: ClientHello): Uint8Array {
  checkHelloFields(x.random, x.sessionId);
  if (x.cipherSuites.length === 0) throw new RangeError('cipher_suites must not be empty');
  if (x.compressionMethods.length === 0) throw new RangeError('compression_methods must not be empty');
  // A ClientHello with its extensions and a cookie runs to 100-250 bytes: start there, not at 64.
  const w = new Writer(256)
    .uint16(x.clientVersion)
    .bytes(x.random)
    .vector8(x.sessionId)
    .vector8(x.cookie)
    .vector16((l) => x.cipherSuites.forEach((s) => l.uint16(s)))
    .vector8((l) => x.compressionMethods.forEach((m) => l.uint8(m)));
  if (x.extensions.length > 0) writeExtensions(w, x.extensions);
  return w.finish();
}

/**
 * Structural decode only: whether the version, suites and compression methods are
 * acceptable (e.g. that null compression is offered) is for the handshake to judge.
 */
export function decodeClientHello(body: Uint8Array): Result<ClientHello> {
  return decode('ClientHello', body, (r) => ({
    clientVersion: r.uint16('client_version'),
    random: readRandom(r),
    sessionId: readSessionId(r),
    cookie: r.vector8('cookie'),
    // CipherSuite cipher_suites<2..2^16-2>; CompressionMethod compression_methods<1..2^8-1>
    cipherSuites: r.list16('cipher_suites', (i) => i.uint16('cipher_suite'), 2, 0xfffe),
    compressionMethods: r.list8('compression_methods', (i) => i.uint8('compression_method'), 1),
    // RFC 5246 §7.4.1.2: a client may send no extensions block at all.
    extensions: r.atEnd ? [] : decodeExtensions(r),
  }));
}
