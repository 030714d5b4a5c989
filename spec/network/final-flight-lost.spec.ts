import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { received, startPair } from '../endpoint/helpers/pair.js';
import { dropScript, labels } from './helpers/scripted-link.js';
import { TRIAL_SUITES } from './helpers/suites.js';

const DELAY = 50;

describe("the server's final flight lost (RFC 6347 §4.2.4: the last flight is resent only when the peer retransmits)", () => {
  for (const suite of TRIAL_SUITES) {
    it(`${suite.iana}: the client resends flight 5 on its timer, the server answers with flight 6 once, and both end up established`, async () => {
      const script = dropScript([{ from: 'server', first: 'NewSessionTicket', occurrences: [1] }]);
      const pair = await startPair({
        delay: DELAY,
        deliver: script.deliver,
        server: { credentials: suite.server(), cipherSuites: [suite.iana] },
        client: { credentials: suite.client(), cipherSuites: [suite.iana], serverName: suite.serverName },
      });
      const server = () => pair.serverSessions[0];

      // Flight 5 reaches the server at 250 ms: it verifies the Finished and is established; its flight 6 is lost.
      pair.time.advanceTo(300);
      expect(script.dropped).toEqual([['NewSessionTicket', 'ChangeCipherSpec', 'Finished']]);
      expect(server().state).toBe('established');
      expect(pair.client.state).toBe('handshaking');

      expect(pair.time.runUntil(() => pair.client.state === 'established', 60_000)).toBe(true);
      const flight5 = pair.wire.filter((d) => d.from === 'client' && labels(d.data)[0] === 'ClientKeyExchange');
      const flight6 = pair.wire.filter((d) => d.from === 'server' && labels(d.data)[0] === 'NewSessionTicket');
      // One timer expiry (1 s after flight 5 went out) and one answer to it.
      expect(flight5.map((d) => d.time)).toEqual([flight5[0].time, flight5[0].time + 1000]);
      expect(flight6.map((d) => d.time)).toEqual([flight5[0].time + DELAY, flight5[1].time + DELAY]);
      expect(pair.clientEvents.filter((e) => e.type === 'retransmit')).toMatchObject([{ type: 'retransmit', flight: 5, attempt: 1, reason: 'timeout' }]);
      expect(pair.serverSessionEvents[0].filter((e) => e.type === 'retransmit')).toMatchObject([{ type: 'retransmit', flight: 6, attempt: 1, reason: 'peer' }]);

      // The final flight has no timer of its own: two minutes later nothing more has gone out.
      const sent = pair.wire.length;
      pair.time.advanceBy(120_000);
      expect(pair.wire.length).toBe(sent);
      expect(pair.serverSessions).toHaveLength(1);

      const atServer = received(server());
      const atClient = received(pair.client);
      pair.client.send(utf8('ping'));
      server().send(utf8('pong'));
      pair.time.advanceBy(DELAY);
      expect([atServer, atClient]).toEqual([['ping'], ['pong']]);
    });
  }
});
