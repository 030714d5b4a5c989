// Issue 13, finding 5: an application's DTLS endpoints marble-tested inside TestScheduler.run(),
// with a real handshake over memoryLink, loss from impair() and a timeout. run() used to never
// return (cookie rotation and the idle sweep rescheduled forever) and connect$ could not emit
// inside it (it went through a promise).
import { finalize, map, switchMap, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { connect$, createServer, credentials, utf8 } from '../../lib/index.js';
import { impair, memoryLink, virtualPair, VirtualTime } from '../../lib/testing/index.js';

const store = credentials().psk({ tag: 0, identity: 'device', key: 'secretPSK' });
const DEVICE = { address: '10.0.0.1', port: 1111 };
const GATEWAY = { address: '10.0.0.2', port: 5684 };
/** Far beyond anything the scenario schedules: run() stops here instead of hanging if a timer never stops. */
const WATCHDOG = 3_600_000;

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('TestScheduler.run() with rx-dtls endpoints', () => {
  it('runs a handshake through a lossy link, echoes a message, and returns with nothing left scheduled', () => {
    const testScheduler = scheduler();
    const lost: number[] = [];
    const returned = testScheduler.run(({ expectObservable }) => {
      testScheduler.maxFrames = WATCHDOG;
      // 30% loss, seed 3: the second datagram each way is lost, the client's ClientHello with
      // the cookie (sent at 100 ms) and the server's flight 4 (at 1150 ms); each side's 1 s
      // retransmission timer sends it again, and the echo comes back at 2400 ms.
      const lossy = impair({ seed: 3, loss: 0.3, scheduler: testScheduler, onImpairment: () => lost.push(testScheduler.now()) });
      const [deviceEnd, gatewayEnd] = memoryLink(DEVICE, GATEWAY, { scheduler: testScheduler, delay: 50, link: lossy });
      const server = createServer({ transport: gatewayEnd, credentials: store, scheduler: testScheduler });
      server.sessions$.subscribe((session) => session.data$.subscribe((bytes) => session.send(bytes)));

      const reply$ = connect$({ host: GATEWAY.address, port: GATEWAY.port, transport: deviceEnd, credentials: store, scheduler: testScheduler }).pipe(
        switchMap((session) => {
          session.send(utf8('ping'));
          return session.data$.pipe(
            take(1),
            map((bytes) => new TextDecoder().decode(bytes)),
            finalize(() => session.close()),
          );
        }),
      );
      expectObservable(reply$).toBe('2400ms (e|)', { e: 'ping' });
      return 'returned';
    });
    expect(returned).toBe('returned');
    expect(lost).toEqual([100, 1150]);
    expect(testScheduler.actions).toEqual([]);
  });

  it('fails a handshake with ETIMEDOUT after handshakeTimeout when every datagram is lost, and returns', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ expectObservable }) => {
      testScheduler.maxFrames = WATCHDOG;
      const [deviceEnd, gatewayEnd] = memoryLink(DEVICE, GATEWAY, { scheduler: testScheduler, link: impair({ seed: 1, loss: 1, scheduler: testScheduler }) });
      createServer({ transport: gatewayEnd, credentials: store, scheduler: testScheduler });
      const session$ = connect$({
        host: GATEWAY.address,
        port: GATEWAY.port,
        transport: deviceEnd,
        credentials: store,
        scheduler: testScheduler,
        handshakeTimeout: 10_000,
      });
      expectObservable(session$).toBe('10000ms #', undefined, expect.objectContaining({ code: 'ETIMEDOUT' }));
    });
    expect(testScheduler.actions).toEqual([]);
  });

  it('runs a virtualPair on the run() scheduler: the client session is established after three round trips and closes when told', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ expectObservable }) => {
      testScheduler.maxFrames = WATCHDOG;
      const pair = virtualPair({ credentials: store, time: new VirtualTime(testScheduler), delay: 50 });
      testScheduler.schedule(() => pair.client.close(), 1_000);
      expectObservable(pair.client.state$).toBe('h 299ms e 699ms (c|)', { h: 'handshaking', e: 'established', c: 'closed' });
    });
    expect(testScheduler.actions).toEqual([]);
  });
});
