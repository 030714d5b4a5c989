import { listen, type DtlsServer } from '../index.js';
import type { ServerConfig } from './args.js';
import { loadCredentials } from './credential-files.js';
import { libraryOptions, writeStderrLine } from './library-options.js';
import { createPrinter } from './output.js';
import { loadSniCredentials } from './sni-credentials.js';

/**
 * `rx-dtls server`: serves until SIGINT or SIGTERM, echoing every record to
 * its sender, then closes every session with close_notify. Resolves to the
 * exit status. Throws a UsageError when a key or certificate file cannot be used.
 */
export async function runServer(config: ServerConfig): Promise<number> {
  const store = loadCredentials(config.files, config.psks);
  const serverNames = loadSniCredentials(store, config.sni, config.psks);
  const out = createPrinter({ json: config.json, writeLine: writeStderrLine });
  let server: DtlsServer;
  try {
    server = await listen({
      host: config.host,
      port: config.port,
      credentials: store,
      ...(config.clientAuth === undefined ? {} : { clientAuth: config.clientAuth }),
      ...(config.sni.length === 0 ? {} : { serverNames, unknownServerName: config.refuseUnknownSni ? 'refuse' : 'default' }),
      ...(config.tickets === undefined ? {} : { tickets: config.tickets }),
      ...libraryOptions(config),
      ...(config.connectionId === undefined ? {} : { connectionId: config.connectionId }),
    });
  } catch (err) {
    out.error(err);
    return 1;
  }

  server.events$.subscribe((event) => out.server(event));
  server.sessions$.subscribe((session) => {
    // A session that fails is one client's business: its closed event prints why, and the server goes on.
    session.events$.subscribe({ next: (event) => out.session(event, session.peer), error: () => undefined });
    session.data$.subscribe({
      next: (data) => {
        session.send(data);
        out.echoed(session.peer, data.length);
      },
      error: () => undefined,
    });
  });

  return new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      // close_notify to every session, then the socket, once those alerts have left it.
      server.close();
      resolve(0);
    };
    process.once('SIGINT', stop).once('SIGTERM', stop);
    // Announced only now: whoever reads it may signal at once, and the signal must find the handler.
    out.listening(server.address(), server.info.socketBuffers);
  });
}
