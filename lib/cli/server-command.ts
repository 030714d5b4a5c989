import { credentials, listen, type DtlsServer, type Session } from '../index.js';
import type { ServerConfig } from './args.js';
import { libraryOptions, writeStderrLine } from './library-options.js';
import { createPrinter } from './output.js';

/**
 * `rx-dtls server`: serves until SIGINT or SIGTERM, echoing every record to
 * its sender, then closes every session with close_notify. Resolves to the
 * exit status.
 */
export async function runServer(config: ServerConfig): Promise<number> {
  const out = createPrinter({ json: config.json, writeLine: writeStderrLine });
  const store = credentials();
  for (const { identity, key } of config.psks) store.psk({ tag: 0, identity, key });
  let server: DtlsServer;
  try {
    server = await listen({ host: config.host, port: config.port, credentials: store, ...libraryOptions(config) });
  } catch (err) {
    out.error(err);
    return 1;
  }

  const live = new Set<Session>();
  server.events$.subscribe((event) => out.server(event));
  server.sessions$.subscribe((session) => {
    live.add(session);
    session.events$.subscribe({ next: (event) => out.session(event, session.peer), complete: () => live.delete(session) });
    session.data$.subscribe((data) => {
      session.send(data);
      out.echoed(session.peer, data.length);
    });
  });

  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      for (const session of live) session.close();
      // server.close() closes the socket at once, and node:dgram would then drop the
      // close_notify alerts still waiting for their address lookup: close it a turn later.
      setImmediate(() => {
        server.close();
        resolve(0);
      });
    };
    process.once('SIGINT', stop).once('SIGTERM', stop);
    // Announced only now: whoever reads it may signal at once, and the signal must find the handler.
    out.listening(server.address());
  });
}
