import { concatBytes } from '@noble/hashes/utils.js';
import { splitRecords } from '../../../lib/record/split-records.js';
import { encodeClientHello, type ClientHello } from '../../../lib/wire/client-hello.js';
import { ContentType, DTLS_1_0, DTLS_1_2, HandshakeType } from '../../../lib/wire/constants.js';
import { decodeHandshakeFragments, encodeHandshakeMessage } from '../../../lib/wire/handshake-header.js';
import { decodeHelloVerifyRequest } from '../../../lib/wire/hello-verify-request.js';
import { encodeRecordHeader } from '../../../lib/wire/record-header.js';

/** A ClientHello for PSK_WITH_AES_128_CCM_8 and friends, as a constrained client sends it; fields can be overridden. */
export function pskClientHello(random: Uint8Array, overrides: Partial<ClientHello> = {}): ClientHello {
  return {
    clientVersion: DTLS_1_2,
    random,
    sessionId: new Uint8Array(0),
    cookie: new Uint8Array(0),
    cipherSuites: [0xc0a8, 0x00a8, 0xccab],
    compressionMethods: [0],
    extensions: [],
    ...overrides,
  };
}

/** One datagram holding one epoch-0 record with the ClientHello, as RFC 6347 §4.2.1 clients send it. */
export function clientHelloDatagram(hello: ClientHello, options: { messageSeq?: number; recordSeq?: number; recordVersion?: number } = {}): Uint8Array {
  const message = encodeHandshakeMessage(HandshakeType.client_hello, options.messageSeq ?? 0, encodeClientHello(hello));
  const header = encodeRecordHeader({
    contentType: ContentType.handshake,
    version: options.recordVersion ?? DTLS_1_0,
    epoch: 0,
    sequenceNumber: options.recordSeq ?? 0,
    length: message.length,
  });
  return concatBytes(header, message);
}

/** The cookie of a HelloVerifyRequest in a datagram, if it holds one. */
export function cookieIn(data: Uint8Array): Uint8Array | undefined {
  for (const { header, fragment } of splitRecords(data).records) {
    if (header.contentType !== ContentType.handshake) continue;
    const fragments = decodeHandshakeFragments(fragment);
    if (!fragments.ok) continue;
    for (const f of fragments.value) {
      if (f.msgType !== HandshakeType.hello_verify_request) continue;
      const hvr = decodeHelloVerifyRequest(f.body);
      if (hvr.ok) return hvr.value.cookie;
    }
  }
  return undefined;
}
