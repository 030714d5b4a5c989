/**
 * A device that stays connected to its server: `keepalive` notices a server that went
 * away or restarted (DTLS alone never does), and `retry` over `connect$` handshakes
 * again after a delay that doubles up to a cap; a clean end (the server closed the
 * session) reconnects too. Reconnecting is the application's choice: this is one.
 *
 *   npm run example:reconnect -- --host 127.0.0.1 --port 5684 --psk Client_identity:secretPSK
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Observable, asyncScheduler, interval, repeat, retry, switchMap, timer } from 'rxjs';
import { connect$, credentials, utf8, type ClientOptions, type DtlsError, type Session } from '../lib/index.js';

/** How long to wait before handshaking again: `first` ms, doubling up to `max` ms. */
export interface Backoff {
  readonly first: number;
  readonly max: number;
}

/**
 * What `use` makes of each session, over a connection kept up: a new handshake after each
 * failure (with the backoff, counted afresh once a session is established) and after each
 * clean end (after `backoff.first`). `onRetry` hears each failure and the wait before the next try.
 */
export function keepConnected<T>(
  options: ClientOptions,
  use: (session: Session) => Observable<T>,
  backoff: Backoff = { first: 1000, max: 60_000 },
  onRetry: (error: DtlsError, waitMs: number) => void = () => undefined,
): Observable<T> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return connect$(options).pipe(
    switchMap(use),
    retry({
      resetOnSuccess: true,
      delay: (error: DtlsError, attempt) => {
        const wait = Math.min(backoff.max, backoff.first * 2 ** (attempt - 1));
        onRetry(error, wait);
        return timer(wait, scheduler);
      },
    }),
    repeat({ delay: () => timer(backoff.first, scheduler) }),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '5684' },
      psk: { type: 'string', default: 'Client_identity:secretPSK' },
    },
  });
  const [identity, key] = values.psk.split(':');
  const options: ClientOptions = {
    host: values.host,
    port: Number(values.port),
    credentials: credentials().psk({ tag: 0, identity, key: utf8(key) }),
    // Probe after 10 s of silence; give the server up after 30 s without a record.
    keepalive: { interval: 10_000, timeout: 30_000 },
  };
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  keepConnected(
    options,
    (session) => {
      log(`connected: ${session.info?.cipherSuite}${session.info?.heartbeat?.peerAnswers ? ', heartbeats' : ''}`);
      // A reading every 5 s while the session lives; whatever comes back is printed.
      return new Observable<Uint8Array>((subscriber) => {
        const readings = interval(5000).subscribe((n) => session.send(utf8(`reading ${n}`)));
        subscriber.add(readings);
        subscriber.add(session.data$.subscribe(subscriber));
      });
    },
    { first: 1000, max: 30_000 },
    (error, wait) => log(`${error.code}: ${error.message}; handshaking again in ${wait} ms`),
  ).subscribe((bytes) => log(`received: ${new TextDecoder().decode(bytes)}`));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
