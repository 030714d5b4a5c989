import { createServer, listen, type DtlsServer, type ServerOptions } from '../../../lib/index.js';
import { recordSession, type SessionRecord } from './session-recorder.js';

export interface EchoServer {
  readonly server: DtlsServer;
  readonly port: number;
  /** Every session the server started, recorded from its first event. */
  readonly sessions: SessionRecord[];
  /** Resolves with the first session's record once the server has one. */
  firstSession(timeoutMs?: number): Promise<SessionRecord>;
}

/**
 * An rx-dtls server echoing every record back: `listen` on 127.0.0.1 at a port
 * the kernel picks, or `createServer` on the given transport (e.g. a tap).
 */
export async function startEchoServer(
  options: Omit<ServerOptions, 'transport'> & {
    transport?: ServerOptions['transport'];
    /** What to answer a record with (default: the record itself; undefined: no answer). */
    respond?: (data: Uint8Array) => Uint8Array | undefined;
  },
): Promise<EchoServer> {
  const { transport, respond = (data: Uint8Array) => data, ...rest } = options;
  const server = transport
    ? createServer({ handshakeTimeout: 5000, ...rest, transport })
    : await listen({ handshakeTimeout: 5000, ...rest, host: '127.0.0.1', port: 0 });
  const sessions: SessionRecord[] = [];
  const waiting = new Set<() => void>();
  server.sessions$.subscribe((session) => {
    sessions.push(recordSession(session));
    session.data$.subscribe({ next: (data) => {
      const answer = respond(data);
      if (answer && session.state === 'established') session.send(answer);
    }, error: () => undefined });
    waiting.forEach((w) => w());
  });
  return {
    server,
    port: server.address().port,
    sessions,
    firstSession: (timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const done = () => {
          if (sessions.length === 0) return;
          clearTimeout(timer);
          waiting.delete(done);
          resolve(sessions[0]);
        };
        const timer = setTimeout(() => {
          waiting.delete(done);
          reject(new Error(`no session started within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.add(done);
        done();
      }),
  };
}
