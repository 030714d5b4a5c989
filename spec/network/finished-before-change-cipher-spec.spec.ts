import { identity, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { received, startPair } from '../endpoint/helpers/pair.js';
import { labels, reorderRecords } from './helpers/scripted-link.js';

const DELAY = 50;
const FLIGHT_5 = ['ClientKeyExchange', 'ChangeCipherSpec', 'Finished'];
const FLIGHT_6 = ['NewSessionTicket', 'ChangeCipherSpec', 'Finished'];

/**
 * RFC 6347 §4.1: records of the next epoch may arrive before the ChangeCipherSpec
 * that announces it (the network reorders datagrams). Each case takes one flight
 * apart into one datagram per record and delivers them out of order.
 */
describe('Finished arriving before ChangeCipherSpec (records of one flight reordered)', () => {
  const cases = [
    { what: "client's flight 5 as ClientKeyExchange, Finished, ChangeCipherSpec", direction: 'client-to-server', match: FLIGHT_5, order: [0, 2, 1] },
    { what: "client's flight 5 as Finished, ClientKeyExchange, ChangeCipherSpec (the Finished before its keys exist)", direction: 'client-to-server', match: FLIGHT_5, order: [2, 0, 1] },
    { what: "server's flight 6 as NewSessionTicket, Finished, ChangeCipherSpec", direction: 'server-to-client', match: FLIGHT_6, order: [0, 2, 1] },
    { what: "server's flight 6 as Finished, ChangeCipherSpec, NewSessionTicket (the ChangeCipherSpec before the ticket)", direction: 'server-to-client', match: FLIGHT_6, order: [2, 1, 0] },
  ] as const;

  for (const { what, direction, match, order } of cases) {
    it(`completes without a retransmission or a dropped record when the link delivers the ${what}`, async () => {
      const arrived: string[][] = [];
      const pair = await startPair({
        delay: DELAY,
        client: { cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'] },
        linkOn: (_scheduler, d) =>
          d === direction ? (source) => source.pipe(reorderRecords(match, order), tap((datagram) => arrived.push(labels(datagram.data)))) : identity,
      });
      expect(pair.time.runUntil(() => pair.client.state === 'established' && pair.serverSessions[0]?.state === 'established', 10_000)).toBe(true);

      // The flight really went over as separate datagrams, in the scripted order.
      const split = order.map((i) => [match[i]]);
      expect(arrived.join('|')).toContain(split.join('|'));
      const events = [...pair.clientEvents, ...pair.serverSessionEvents[0]];
      expect(events.filter((e) => e.type === 'retransmit' || e.type === 'alert')).toEqual([]);
      // Held until its turn, not dropped and recovered by a retransmission.
      expect([pair.client.droppedRecords, pair.serverSessions[0].droppedRecords]).toEqual([0, 0]);

      const atServer = received(pair.serverSessions[0]);
      pair.client.send(utf8('after the reordered flight'));
      pair.time.advanceBy(DELAY);
      expect(atServer).toEqual(['after the reordered flight']);
    });
  }
});
