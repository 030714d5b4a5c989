import type { Flight } from '../../../lib/handshake/flight.js';
import { HandshakeType } from '../../../lib/wire/constants.js';

/** A flight that spans two epochs: a 500-byte ServerHello, ServerHelloDone, ChangeCipherSpec and an epoch-1 Finished. */
export const hello = { msgType: HandshakeType.server_hello, messageSeq: 1, body: Uint8Array.from({ length: 500 }, (_, i) => i & 0xff) };
export const done = { msgType: HandshakeType.server_hello_done, messageSeq: 2, body: new Uint8Array(0) };
export const finished = { msgType: HandshakeType.finished, messageSeq: 3, body: new Uint8Array(12).fill(7) };
export const flight: Flight = {
  number: 5,
  final: false,
  entries: [
    { kind: 'handshake', epoch: 0, message: hello },
    { kind: 'handshake', epoch: 0, message: done },
    { kind: 'change_cipher_spec', epoch: 0 },
    { kind: 'handshake', epoch: 1, message: finished },
  ],
};
/** What protection adds to a record: nothing in epoch 0, an AEAD's 16 bytes after. */
export const overhead = (epoch: number) => (epoch === 0 ? 0 : 16);
