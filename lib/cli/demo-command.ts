import { filter, firstValueFrom } from 'rxjs';
import { credentials, established, listen, openClientSession, utf8, type DtlsServer, type Session, type SessionEvent } from '../index.js';
import type { DemoConfig } from './args.js';
import { describePeer, describeSessionEvent, errorSummary, HELLO_VERIFY_REQUEST_FLIGHT } from './output.js';

const IDENTITY = 'Client_identity';
const KEY = 'secretPSK';
const GREETING = 'hello, DTLS';
/** Loopback answers in milliseconds; this only stops a broken build from hanging. */
const STEP_TIMEOUT = 10_000;

/**
 * `rx-dtls demo` (npm start): a server and a client over loopback UDP in one
 * process. Prints each flight as it goes, the suite agreed, one echo, and the
 * close_notify exchange, for someone seeing DTLS for the first time.
 */
export async function runDemo(config: DemoConfig): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const store = credentials().psk({ tag: 0, identity: IDENTITY, key: utf8(KEY) });
  const suites = config.cipherSuites === undefined ? {} : { cipherSuites: config.cipherSuites };
  let server: DtlsServer | undefined;
  try {
    server = await listen({ host: '127.0.0.1', port: 0, credentials: store, ...suites });
    const { address, port } = server.address();
    say('rx-dtls demo: a DTLS 1.2 server and client in this process, over UDP on loopback');
    say(`server listening on ${address}:${port}; both sides hold the pre-shared key of "${IDENTITY}"`);

    server.events$.pipe(filter((e) => e.type === 'hello-verify-request')).subscribe(() => say(`server  flight 2 sent: ${HELLO_VERIFY_REQUEST_FLIGHT}`));
    let serverSide: Session | undefined;
    // Subscribed at once: the session starts, and sends flight 4, right after it is emitted.
    server.sessions$.subscribe((session) => {
      serverSide = session;
      // A failure shows as the closed event, and as the error of the handshake or echo awaited below.
      session.events$.subscribe({ next: (event) => narrate('server', event, say), error: () => undefined });
      session.data$.subscribe({ next: (data) => session.send(data), error: () => undefined });
    });

    const client = await openClientSession({ host: address, port, credentials: store, ...suites });
    client.events$.subscribe({ next: (event) => narrate('client', event, say), error: () => undefined });
    const session = await within(established(client), 'the handshake');
    const info = session.info!;
    say(`handshake complete: ${info.cipherSuite}, ${describePeer(info.peer)}${info.extendedMasterSecret ? ', extended master secret' : ''}`);

    const echo = firstValueFrom(session.data$);
    session.send(utf8(GREETING));
    const reply = new TextDecoder().decode(await within(echo, 'the echo'));
    say(`client sent "${GREETING}", server echoed "${reply}"`);

    // The server's session exists: it echoed.
    const serverClosed = closedOf(serverSide!);
    session.close();
    await within(serverClosed, "the server's close");
    server.close();
    say('both sides closed; the demo is over');
    return 0;
  } catch (err) {
    const { code, message } = errorSummary(err);
    process.stderr.write(`demo failed: ${code} ${message}\n`);
    server?.close();
    return 1;
  }
}

/** The lines a newcomer follows: flights, retransmissions and alerts of each side. */
function narrate(side: 'client' | 'server', event: SessionEvent, say: (line: string) => void): void {
  if (event.type === 'flight-sent' || event.type === 'retransmit' || event.type === 'alert') {
    say(`${side}  ${describeSessionEvent(event)}`);
  }
}

function closedOf(session: Session): Promise<unknown> {
  return firstValueFrom(session.state$.pipe(filter((s) => s === 'closed')), { defaultValue: 'closed' });
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${STEP_TIMEOUT} ms`)), STEP_TIMEOUT);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
