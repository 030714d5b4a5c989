/**
 * The ESP-IDF "CoAP + DTLS server" of seed 000, in Node: node-coap serving a
 * `light` resource (GET, PUT, observable) over coaps, with rx-dtls underneath.
 *
 *   npm run example:coap-light                      # coaps://127.0.0.1:5684/light
 *   COAP_HOST=::1 COAP_PORT=15684 npm run example:coap-light
 *   npm run example:coap-light -- --host 127.0.0.1 --port 15684
 *
 *   coap-client-openssl -m get -u CoAP -k esp32c3_key coaps://127.0.0.1/light
 *   coap-client-gnutls -m put -e on -u CoAP -k esp32c3_key coaps://127.0.0.1/light
 *   coap-client-gnutls -s 30 -u CoAP -k esp32c3_key coaps://127.0.0.1/light
 */
import { createServer, type OutgoingMessage } from 'coap';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { credentials, listenDgram, type CredentialStore, type DtlsServerSocket, type ServerOptions } from '../lib/index.js';

/** coap_context_set_psk(ctx, "CoAP", "esp32c3_key") of the seed: "CoAP" is the identity (and the hint sent). */
export const LIGHT_PSK = { identity: 'CoAP', key: 'esp32c3_key' } as const;

export interface CoapLightOptions {
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
  /** UDP port for coaps (default 5684, COAPS_DEFAULT_PORT; 0 picks a free one). */
  readonly port?: number;
  /** Credentials to serve with (default: the seed's PSK under tag 0). */
  readonly credentials?: CredentialStore;
  /** Further DTLS server options (clientAuth for raw public keys, cipherSuites, timeouts...). */
  readonly dtls?: Omit<ServerOptions, 'transport' | 'credentials'>;
  /** Where to report requests (default: nowhere). */
  readonly log?: (line: string) => void;
}

export interface CoapLightServer {
  readonly socket: DtlsServerSocket;
  readonly port: number;
  /** The light's current state. */
  readonly state: () => string;
  /** Number of observers registered on /light. */
  readonly observers: () => number;
  close(): Promise<void>;
}

/** The seed's PSK: identity "CoAP" with key "esp32c3_key", sent as the hint too (libcoap clients match on it). */
export function lightCredentials(): CredentialStore {
  return credentials().psk({ tag: 0, identity: LIGHT_PSK.identity, key: LIGHT_PSK.key, hint: LIGHT_PSK.identity });
}

export async function startCoapLightServer(options: CoapLightOptions = {}): Promise<CoapLightServer> {
  const log = options.log ?? (() => undefined);
  const socket = await listenDgram({
    ...options.dtls,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 5684,
    credentials: options.credentials ?? lightCredentials(),
  });
  socket.on('session', (session) => {
    // A session's failure is logged from its closed event; the error that then ends events$ is one client's, not the server's.
    session.events$.subscribe({
      next: (event) => {
        if (event.type === 'handshake-complete') log(`dtls ${session.peer.address}:${session.peer.port} ${event.cipherSuite} ${JSON.stringify(event.peer.kind)}`);
        if (event.type === 'closed') log(`dtls ${session.peer.address}:${session.peer.port} closed${event.error ? `: ${event.error.message}` : ''}`);
      },
      error: () => undefined,
    });
  });

  let light = 'off';
  // An observe registration's response stays open; each write is a notification (RFC 7641 §4.2).
  const observers = new Set<OutgoingMessage>();
  const coap = createServer();
  coap.on('request', (req, res) => {
    log(`${req.method} ${req.url} from ${req.rsinfo.address}:${req.rsinfo.port}`);
    if (req.url.split('?')[0] !== '/light') {
      res.code = '4.04';
      res.end();
      return;
    }
    if (req.method === 'GET') {
      res.setOption('Content-Format', 'text/plain');
      if (req.headers.Observe !== 0) {
        res.end(light);
        return;
      }
      observers.add(res);
      const forget = () => observers.delete(res);
      res.on('finish', forget).on('close', forget).on('error', forget);
      res.write(light);
      return;
    }
    if (req.method === 'PUT') {
      const value = req.payload.toString('utf8');
      if (value !== 'on' && value !== 'off') {
        res.code = '4.00';
        res.end('light is "on" or "off"');
        return;
      }
      light = value;
      res.code = '2.04';
      res.end();
      for (const observer of observers) observer.write(light);
      return;
    }
    res.code = '4.05';
    res.end();
  });
  await new Promise<void>((resolve) => coap.listen(socket, () => resolve()));

  return {
    socket,
    port: socket.address().port,
    state: () => light,
    observers: () => observers.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const observer of observers) observer.end();
        coap.close(() => {
          socket.close(() => resolve());
        });
      }),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { host: { type: 'string' }, port: { type: 'string' } } });
  const host = values.host ?? process.env.COAP_HOST ?? '127.0.0.1';
  const port = Number(values.port ?? process.env.COAP_PORT ?? 5684);
  const server = await startCoapLightServer({ host, port, log: (line) => console.log(line) });
  console.log(`coaps://${host.includes(':') ? `[${host}]` : host}:${server.port}/light (PSK identity "${LIGHT_PSK.identity}", key "${LIGHT_PSK.key}")`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop).once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
