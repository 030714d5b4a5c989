import { concatBytes } from '@noble/hashes/utils.js';
import type { PeerAddress } from '../../../lib/transport/datagram.js';
import { ContentType, DTLS_1_2, HandshakeType, MAX_PLAINTEXT_LENGTH } from '../../../lib/wire/constants.js';
import { encodeClientKeyExchangePsk } from '../../../lib/wire/client-key-exchange.js';
import { encodeHandshakeFragment } from '../../../lib/wire/handshake-header.js';
import { encodeRecordHeader } from '../../../lib/wire/record-header.js';
import { clientHelloDatagram, cookieIn, pskClientHello } from '../../fuzz/helpers/hello.js';

import { randomFor, type SpoofedServer } from './spoofed-server.js';

/** How large the attacker's datagrams are: near the largest UDP payload (65,507 bytes). */
export const DATAGRAM_SIZE = 65_000;

/** The message_seq the server expects after a ClientHello with message_seq 1 (the one with the cookie). */
const FIRST_SEQ = 2;

/** `records`, then filler records of an unknown content type (dropped by the server) up to `size` bytes. */
export function padded(records: readonly Uint8Array[], size = DATAGRAM_SIZE): Uint8Array {
  const parts = [...records];
  let length = parts.reduce((n, p) => n + p.length, 0);
  while (length + 13 < size) {
    const fill = Math.min(MAX_PLAINTEXT_LENGTH, size - length - 13);
    parts.push(record(99, 0, 0, new Uint8Array(fill)));
    length += 13 + fill;
  }
  return concatBytes(...parts);
}

function record(contentType: number, epoch: number, sequenceNumber: number, fragment: Uint8Array): Uint8Array {
  return concatBytes(encodeRecordHeader({ contentType, version: DTLS_1_2, epoch, sequenceNumber, length: fragment.length }), fragment);
}

/** An epoch-0 handshake record with one fragment of a message of `length` bytes. */
function fragmentRecord(msgType: number, messageSeq: number, length: number, offset: number, body: Uint8Array): Uint8Array {
  const fragment = encodeHandshakeFragment({ msgType, length, messageSeq, fragmentOffset: offset, fragmentLength: body.length, body });
  return record(ContentType.handshake, 0, 0, fragment);
}

/**
 * A client that does the cookie exchange for real (it receives the HelloVerifyRequest, so it
 * is no spoofer) and then sends what makes the server hold the most bytes for it, each piece
 * in a datagram of 65 KB: its ClientHello with the cookie; a message ahead of its turn
 * reassembled from one fragment of a large declared length; one-byte messages at every
 * message_seq of the window; records of epoch 1, whose keys the server does not have yet.
 * Against a server whose PSK lookup is pending (`behindLookup`), a ClientKeyExchange first
 * and then one-byte messages in order, which queue behind the lookup.
 */
export class PinningPeer {
  constructor(
    private readonly s: SpoofedServer,
    readonly peer: PeerAddress,
  ) {}

  /** The cookie exchange; the ClientHello with the cookie comes in a 65 KB datagram (unless `pad` is false). */
  verify(pad = true): void {
    const random = randomFor(this.peer);
    const before = this.s.transport.replies.length;
    this.s.transport.deliver(clientHelloDatagram(pskClientHello(random)), this.peer);
    const cookie = this.s.transport.replies.splice(before).map((r) => cookieIn(r.data)).find((c) => c !== undefined);
    if (!cookie) throw new Error(`no HelloVerifyRequest for ${this.peer.address}:${this.peer.port}`);
    const hello = clientHelloDatagram(pskClientHello(random, { cookie }), { messageSeq: 1, recordSeq: 1 });
    this.s.transport.deliver(pad ? padded([hello]) : hello, this.peer);
    // Flight 4 and anything else the server sent: the attacker reads and forgets them.
    this.s.transport.replies.length = 0;
  }

  /** The datagrams that try to pin memory while the server waits for flight 5 (see the class comment). */
  pinningDatagrams(window = 16, maxMessageLength = 32_768, heldRecords = 32): Uint8Array[] {
    const datagrams: Uint8Array[] = [];
    // One byte of a message as large as the server accepts: the server keeps a buffer of the declared length.
    if (maxMessageLength > 0) datagrams.push(padded([fragmentRecord(HandshakeType.certificate, FIRST_SEQ + 1, maxMessageLength, 0, new Uint8Array(1))]));
    for (let seq = FIRST_SEQ + 2; seq <= FIRST_SEQ + window; seq++) {
      datagrams.push(padded([fragmentRecord(HandshakeType.certificate, seq, 1, 0, Uint8Array.of(seq))]));
    }
    const fragment = new Uint8Array(MAX_PLAINTEXT_LENGTH);
    for (let i = 0; i < heldRecords; i += 3) {
      const records = Array.from({ length: Math.min(3, heldRecords - i) }, (_, j) => record(ContentType.application_data, 1, i + j, fragment));
      datagrams.push(padded(records));
    }
    return datagrams;
  }

  /** Against a pending PSK lookup: a ClientKeyExchange, then one-byte messages in order, which wait behind the lookup. */
  behindLookupDatagrams(count = 40): Uint8Array[] {
    const cke = encodeClientKeyExchangePsk({ pskIdentity: Uint8Array.of(0x61) });
    const datagrams = [padded([fragmentRecord(HandshakeType.client_key_exchange, FIRST_SEQ, cke.length, 0, cke)])];
    for (let seq = FIRST_SEQ + 1; seq <= FIRST_SEQ + count; seq++) {
      datagrams.push(padded([fragmentRecord(HandshakeType.certificate, seq, 1, 0, Uint8Array.of(seq))]));
    }
    return datagrams;
  }

  send(datagrams: readonly Uint8Array[]): void {
    for (const d of datagrams) this.s.transport.deliver(d, this.peer);
    this.s.transport.replies.length = 0;
  }
}
