import { concatBytes } from '@noble/hashes/utils.js';
import type { ClientHello } from '../../../lib/wire/client-hello.js';
import { encodeClientHello } from '../../../lib/wire/client-hello.js';
import { ContentType, DTLS_1_0, HandshakeType } from '../../../lib/wire/constants.js';
import { encodeHandshakeFragment, encodeHandshakeMessage } from '../../../lib/wire/handshake-header.js';
import { encodeRecordHeader } from '../../../lib/wire/record-header.js';

/** One plaintext record: header and fragment. */
export function plainRecord(contentType: number, fragment: Uint8Array, options: { epoch?: number; sequenceNumber?: number; version?: number } = {}): Uint8Array {
  const header = encodeRecordHeader({
    contentType,
    version: options.version ?? DTLS_1_0,
    epoch: options.epoch ?? 0,
    sequenceNumber: options.sequenceNumber ?? 0,
    length: fragment.length,
  });
  return concatBytes(header, fragment);
}

/** A datagram holding one ClientHello in one epoch-0 record, as a client sends it (RFC 6347 §4.2.1). */
export function clientHelloDatagram(hello: ClientHello, options: { sequenceNumber?: number; messageSeq?: number; version?: number } = {}): Uint8Array {
  const message = encodeHandshakeMessage(HandshakeType.client_hello, options.messageSeq ?? 0, encodeClientHello(hello));
  return plainRecord(ContentType.handshake, message, options);
}

/** The first `length` body bytes of a ClientHello as a fragment (offset 0), in its own record. */
export function fragmentedClientHelloDatagram(hello: ClientHello, length: number): Uint8Array {
  const body = encodeClientHello(hello);
  const fragment = encodeHandshakeFragment({
    msgType: HandshakeType.client_hello,
    length: body.length,
    messageSeq: 0,
    fragmentOffset: 0,
    fragmentLength: length,
    body: body.subarray(0, length),
  });
  return plainRecord(ContentType.handshake, fragment);
}

