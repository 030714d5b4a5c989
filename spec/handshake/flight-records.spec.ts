import { describe, expect, it } from 'vitest';
import { flightRecords } from '../../lib/handshake/flight-records.js';
import { Reassembler } from '../../lib/handshake/reassembler.js';
import { ContentType, HandshakeType, RECORD_HEADER_LENGTH } from '../../lib/wire/constants.js';
import { decodeHandshakeFragments } from '../../lib/wire/handshake-header.js';
import { done, finished, flight, hello, overhead } from './helpers/sample-flight.js';


describe('flightRecords', () => {
  it('keeps every protected record within the datagram size (RFC 6347 §4.1.1.1)', () => {
    for (const maxDatagramSize of [64, 100, 200, 1200]) {
      for (const r of flightRecords(flight, { maxDatagramSize, overhead })) {
        expect(RECORD_HEADER_LENGTH + overhead(r.epoch) + r.payload.length).toBeLessThanOrEqual(maxDatagramSize);
      }
    }
  });

  it("keeps each record's plaintext within the peer's limit for its epoch (record_size_limit, max_fragment_length)", () => {
    // 120 bytes per epoch-0 record and 20 per protected one, though the datagram has room for more.
    const maxPlaintext = (epoch: number) => (epoch === 0 ? 120 : 20);
    const records = flightRecords(flight, { maxDatagramSize: 1200, overhead, maxPlaintext });
    for (const r of records) expect(r.payload.length).toBeLessThanOrEqual(maxPlaintext(r.epoch));
    expect(records.filter((r) => r.epoch === 0 && r.contentType === ContentType.handshake).length).toBe(6); // 500 bytes in 108-byte pieces, and ServerHelloDone
    expect(records.filter((r) => r.epoch === 1).length).toBe(2); // 12 bytes of Finished in pieces of 8 and 4
  });

  it('keeps each entry in its epoch and sends ChangeCipherSpec as its own one-byte record', () => {
    const records = flightRecords(flight, { maxDatagramSize: 100, overhead });
    const ccs = records.filter((r) => r.contentType === ContentType.change_cipher_spec);
    expect(ccs).toEqual([{ epoch: 0, contentType: ContentType.change_cipher_spec, payload: Uint8Array.of(1) }]);
    const last = records.at(-1)!;
    expect(last.epoch).toBe(1);
    expect(records.slice(0, -1).every((r) => r.epoch === 0)).toBe(true);
  });

  it('cuts fragments that the reassembler puts back together into the same messages', () => {
    const records = flightRecords(flight, { maxDatagramSize: 90, overhead });
    const reassembler = new Reassembler({ maxBufferedBytes: 10_000, maxMessageLength: 10_000 });
    const messages = records
      .filter((r) => r.contentType === ContentType.handshake)
      .flatMap((r) => {
        const decoded = decodeHandshakeFragments(r.payload);
        if (!decoded.ok) throw new Error('fragment does not decode');
        return decoded.value;
      })
      .map((f) => reassembler.add(f))
      .filter((x) => x !== undefined);
    expect(messages).toEqual([hello, done, finished]);
    expect(records.filter((r) => r.contentType === ContentType.handshake).length).toBeGreaterThan(3);
  });

  it('sends a message that fits as one record', () => {
    const records = flightRecords(flight, { maxDatagramSize: 1200, overhead });
    expect(records).toHaveLength(4);
  });

  it('sends a ClientHello whole even above the size limit, since a stateless cookie gate cannot reassemble it', () => {
    const clientHello = { msgType: HandshakeType.client_hello, messageSeq: 0, body: new Uint8Array(300).fill(1) };
    const records = flightRecords({ number: 1, final: false, entries: [{ kind: 'handshake', epoch: 0, message: clientHello }] }, { maxDatagramSize: 100, overhead });
    expect(records).toHaveLength(1);
    const decoded = decodeHandshakeFragments(records[0].payload);
    expect(decoded.ok && decoded.value[0].fragmentLength).toBe(300);
  });
});
