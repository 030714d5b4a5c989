/**
 * node-coap's Agent over an rx-dtls client session: GET coaps://HOST:PORT/PATH
 * with a PSK, e.g. from libcoap's own server.
 *
 *   coap-server-openssl -A 127.0.0.1 -p 5683 -k esp32c3_key -h CoAP    # coaps on 5684
 *   npm run example:coap-client -- --port 5684 --path /time
 *   npm run example:coap-client -- --host 127.0.0.1 --port 5684 --identity CoAP --key esp32c3_key --observe 3
 */
import { Agent, request, type IncomingMessage, type ObserveReadStream } from 'coap';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { clientDgramSocket, credentials, DtlsError, type ClientOptions, type CredentialStore, type DtlsClientSocket, type HandshakeInfo } from '../lib/index.js';

export interface CoapsGetOptions {
  readonly host: string;
  /** The server's DTLS port (libcoap's coap-server listens on its -p port + 1). */
  readonly port: number;
  readonly path: string;
  readonly identity?: string;
  readonly key?: string;
  /** Credentials to use instead of the PSK above (under tag 0), e.g. an ECDSA raw public key. */
  readonly credentials?: CredentialStore;
  /** Local address to bind (default: the wildcard address, as node:dgram binds implicitly). */
  readonly localAddress?: string;
  /** Give up after this long, handshake included (default 10000 ms). */
  readonly timeout?: number;
  /** Further DTLS client options (cipherSuites, handshakeTimeout, ...). */
  readonly dtls?: Partial<Omit<ClientOptions, 'host' | 'port' | 'credentials' | 'transport'>>;
}

export interface CoapsResponse {
  readonly code: string;
  readonly payload: string;
  /** The DTLS session's cipher suite and peer. */
  readonly dtls: HandshakeInfo | undefined;
}

/** Opens the DTLS socket (bound first when a local address is given) and an Agent on it. */
export async function coapsAgent(options: CoapsGetOptions): Promise<{ socket: DtlsClientSocket; agent: Agent }> {
  const store = options.credentials ?? credentials().psk({ tag: 0, identity: options.identity ?? 'CoAP', key: options.key ?? 'esp32c3_key' });
  const socket = clientDgramSocket({ ...options.dtls, host: options.host, port: options.port, credentials: store });
  if (options.localAddress !== undefined) {
    socket.bind(0, options.localAddress);
    await once(socket, 'listening');
  }
  return { socket, agent: new Agent({ socket }) };
}

/** One GET over coaps; the DTLS session is closed (close_notify) before it resolves. */
export async function coapsGet(options: CoapsGetOptions): Promise<CoapsResponse> {
  const { socket, agent } = await coapsAgent(options);
  try {
    const req = request({ hostname: options.host, port: options.port, pathname: options.path, agent });
    const response = await withTimeout(firstResponse(req), options.timeout ?? 10_000, `no response to GET ${options.path}`);
    return { code: response.code, payload: response.payload.toString('utf8'), dtls: socket.session?.info };
  } finally {
    agent.close();
    socket.close();
  }
}

/** Observes a resource (RFC 7641) and collects `count` notifications, the first response included. */
export async function coapsObserve(options: CoapsGetOptions & { readonly count: number }): Promise<string[]> {
  const { socket, agent } = await coapsAgent(options);
  try {
    const req = request({ hostname: options.host, port: options.port, pathname: options.path, observe: true, agent });
    const stream = (await withTimeout(firstResponse(req), options.timeout ?? 10_000, `no response to observe ${options.path}`)) as ObserveReadStream;
    const values: string[] = [];
    await withTimeout(
      new Promise<void>((resolve) =>
        stream.on('data', (chunk: Buffer) => {
          values.push(chunk.toString('utf8'));
          if (values.length === options.count) resolve();
        }),
      ),
      options.timeout ?? 10_000,
      `fewer than ${options.count} notifications`,
    );
    stream.close();
    return values;
  } finally {
    agent.close();
    socket.close();
  }
}

function firstResponse(req: ReturnType<typeof request>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    req.on('response', resolve);
    // A failed handshake reaches the request as the DtlsError of the send that waited for it.
    req.on('error', reject);
    req.end();
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DtlsError('ETIMEDOUT', `${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '5684' },
      path: { type: 'string', default: '/time' },
      identity: { type: 'string', default: 'CoAP' },
      key: { type: 'string', default: 'esp32c3_key' },
      observe: { type: 'string' },
    },
  });
  const options = { host: values.host, port: Number(values.port), path: values.path, identity: values.identity, key: values.key };
  if (values.observe !== undefined) {
    for (const value of await coapsObserve({ ...options, count: Number(values.observe) })) console.log(value);
    return;
  }
  const response = await coapsGet(options);
  console.log(`${response.code} ${response.payload}`);
  console.log(`(DTLS ${response.dtls?.cipherSuite})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exit(1);
  });
}
