import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { flightRecords } from '../../lib/handshake/flight-records.js';
import { fragment } from '../../lib/operators/fragment.js';
import type { OutgoingRecord } from '../../lib/record/seal-records.js';
import { flight, overhead } from '../handshake/helpers/sample-flight.js';


describe('fragment', () => {
  it('maps each transmission of a flight to its records', () => {
    let out: OutgoingRecord[] | undefined;
    of({ flight, attempt: 2, reason: 'timeout' as const })
      .pipe(fragment({ maxDatagramSize: 1200, overhead }))
      .subscribe((r) => (out = r));
    expect(out).toEqual(flightRecords(flight, { maxDatagramSize: 1200, overhead }));
  });
});
