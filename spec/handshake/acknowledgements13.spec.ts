import { describe, expect, it } from 'vitest';
import { FlightAcknowledgements, MAX_ACKED_RECORDS, ReceivedRecords } from '../../lib/handshake/acknowledgements13.js';

describe('FlightAcknowledgements (RFC 9147 §7: only what was not acknowledged goes again)', () => {
  it('leaves for the retransmission the fragments no ACK named, and is complete once every one was', () => {
    const flight = new FlightAcknowledgements(3);
    flight.sent(0, { epoch: 0, sequenceNumber: 1 });
    flight.sent(1, { epoch: 2, sequenceNumber: 0 });
    flight.sent(2, { epoch: 2, sequenceNumber: 1 });
    expect(flight.acknowledge([{ epoch: 0, sequenceNumber: 1 }, { epoch: 2, sequenceNumber: 1 }])).toBe(true);
    expect(flight.pending()).toEqual([1]);
    expect(flight.complete).toBe(false);
    // Sent again with a new record number: an ACK of either sending counts.
    flight.sent(1, { epoch: 2, sequenceNumber: 2 });
    expect(flight.acknowledge([{ epoch: 2, sequenceNumber: 0 }])).toBe(true);
    expect(flight.complete).toBe(true);
    expect(flight.pending()).toEqual([]);
  });

  it('ignores record numbers it never sent, the same number in another epoch, and repeated ACKs', () => {
    const flight = new FlightAcknowledgements(1);
    flight.sent(0, { epoch: 2, sequenceNumber: 5 });
    expect(flight.acknowledge([{ epoch: 3, sequenceNumber: 5 }, { epoch: 2, sequenceNumber: 6 }])).toBe(false);
    expect(flight.acknowledge([{ epoch: 2, sequenceNumber: 5 }])).toBe(true);
    expect(flight.acknowledge([{ epoch: 2, sequenceNumber: 5 }])).toBe(false);
    expect(flight.complete).toBe(true);
  });

  it('refuses a fragment index outside the flight (a programmer error)', () => {
    expect(() => new FlightAcknowledgements(2).sent(2, { epoch: 0, sequenceNumber: 0 })).toThrow(RangeError);
  });
});

describe('ReceivedRecords (what our next ACK names)', () => {
  it('names each record once, sorted by epoch then sequence number, and starts over after an ACK', () => {
    const received = new ReceivedRecords();
    received.add({ epoch: 2, sequenceNumber: 1 });
    received.add({ epoch: 0, sequenceNumber: 7 });
    received.add({ epoch: 2, sequenceNumber: 0 });
    received.add({ epoch: 2, sequenceNumber: 1 });
    expect(received.take()).toEqual([
      { epoch: 0, sequenceNumber: 7 },
      { epoch: 2, sequenceNumber: 0 },
      { epoch: 2, sequenceNumber: 1 },
    ]);
    expect(received.pending).toBe(false);
    expect(received.take()).toEqual([]);
  });

  it(`keeps the newest ${MAX_ACKED_RECORDS} under a flood of records`, () => {
    const received = new ReceivedRecords();
    for (let i = 0; i < 10_000; i++) received.add({ epoch: 2, sequenceNumber: i });
    const taken = received.take();
    expect(taken).toHaveLength(MAX_ACKED_RECORDS);
    expect(taken[0].sequenceNumber).toBe(10_000 - MAX_ACKED_RECORDS);
  });
});
