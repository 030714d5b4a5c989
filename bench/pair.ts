import { connect, credentials, listen, type DtlsServer, type Session } from '../lib/index.js';

export const store = credentials().psk({ tag: 0, identity: 'bench', key: 'bench-psk-0123456789' });

/** An echo server on loopback UDP. */
export async function echoServer(cipherSuites: readonly string[]): Promise<DtlsServer> {
  const server = await listen({ host: '127.0.0.1', port: 0, credentials: store, cipherSuites, maxHandshakes: 1024 });
  server.sessions$.subscribe((s) => s.data$.subscribe((d) => s.send(d)));
  return server;
}

export function client(server: DtlsServer, cipherSuite: string): Promise<Session> {
  return connect({ host: '127.0.0.1', port: server.address().port, credentials: store, cipherSuites: [cipherSuite] });
}
