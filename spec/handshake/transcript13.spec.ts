import { sha256, sha384 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { Transcript13, messageHash } from '../../lib/handshake/transcript13.js';

const clientHello = { msgType: 1, messageSeq: 0, body: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff) };
const serverHello = { msgType: 2, messageSeq: 1, body: Uint8Array.of(9, 8, 7) };

describe('Transcript13 (RFC 9147 §5.2, RFC 8446 §4.4.1)', () => {
  it('frames each message as TLS 1.3 does: msg_type and a 24-bit length, no message_seq nor fragment fields', () => {
    const transcript = new Transcript13();
    transcript.add(clientHello);
    transcript.add(serverHello);
    const expected = concatBytes(Uint8Array.of(1, 0, 1, 44), clientHello.body, Uint8Array.of(2, 0, 0, 3), serverHello.body);
    expect(transcript.hash('sha256')).toEqual(sha256(expected));
    expect(transcript.hash('sha384')).toEqual(sha384(expected));
  });

  it('after a HelloRetryRequest starts from message_hash: 254, 00 00 Hash.length, Hash(ClientHello1)', () => {
    const ch1Hash = messageHash('sha256', clientHello);
    expect(ch1Hash).toEqual(sha256(concatBytes(Uint8Array.of(1, 0, 1, 44), clientHello.body)));
    const transcript = Transcript13.afterRetry('sha256', ch1Hash);
    transcript.add(serverHello);
    expect(transcript.hash('sha256')).toEqual(sha256(concatBytes(Uint8Array.of(254, 0, 0, 32), ch1Hash, Uint8Array.of(2, 0, 0, 3), serverHello.body)));
    expect(() => Transcript13.afterRetry('sha384', ch1Hash)).toThrow(RangeError);
  });

  it('hashes a ClientHello cut short of its binders with the whole length in its header (RFC 8446 §4.2.11.2)', () => {
    const transcript = new Transcript13();
    transcript.add(serverHello);
    const partial = transcript.partialHash('sha256', clientHello, 35);
    expect(partial).toEqual(sha256(concatBytes(Uint8Array.of(2, 0, 0, 3), serverHello.body, Uint8Array.of(1, 0, 1, 44), clientHello.body.subarray(0, 265))));
    // Nothing was added by asking.
    expect(transcript.hash('sha256')).toEqual(sha256(concatBytes(Uint8Array.of(2, 0, 0, 3), serverHello.body)));
  });
});
