/**
 * RIOT's DTLS sock echo server (seed 003), on rx-dtls's sock facade: credentials
 * under SOCK_DTLS_SERVER_TAG (a PSK, and an ECDSA raw public key when key files
 * are given), a UDP sock on port 20220, and a recv/send loop.
 *
 *   npm run example:sock-echo-server
 *   npm run example:sock-echo-server -- --host 127.0.0.1 --port 20220 \
 *     --ecdsa-key server-key.pem --client-key client-pub.pem
 *   openssl s_client -dtls1_2 -connect 127.0.0.1:20220 -psk_identity secretID \
 *     -psk 73656372657450534b -cipher PSK-AES128-CCM8
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  credentials,
  SOCK_DTLS_1_2,
  SOCK_DTLS_SERVER,
  SOCK_NO_TIMEOUT,
  sockDtlsCreate,
  UdpTransport,
  type CredentialStore,
  type DatagramTransport,
  type SockDtlsOptions,
} from '../lib/index.js';

export const SOCK_DTLS_SERVER_TAG = 10;
/** RIOT's DTLS_DEFAULT_PORT. */
export const DTLS_DEFAULT_PORT = 20220;
/** The seed's psk_id and psk_key. */
export const ECHO_PSK = { identity: 'secretID', key: 'secretPSK' } as const;

/** credman_add() of the seed: the PSK, and the ECC credential with the client keys it trusts when given. */
export function serverCredentials(ecdsa?: { readonly privateKey: string | Uint8Array; readonly clientKeys: readonly (string | Uint8Array)[] }): CredentialStore {
  const store = credentials().psk({ tag: SOCK_DTLS_SERVER_TAG, identity: ECHO_PSK.identity, key: ECHO_PSK.key });
  return ecdsa ? store.ecdsa({ tag: SOCK_DTLS_SERVER_TAG, privateKey: ecdsa.privateKey, trustedPeers: ecdsa.clientKeys }) : store;
}

export interface EchoServerOptions extends Partial<Omit<SockDtlsOptions, 'credentials'>> {
  readonly credentials?: CredentialStore;
  /** Stops the loop and closes the DTLS sock (not the UDP one). */
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** The seed's `while (1) { sock_dtls_recv(...); sock_dtls_send(...) }`; resolves once stopped. */
export async function runEchoServer(udp: DatagramTransport, options: EchoServerOptions = {}): Promise<void> {
  const { credentials: store = serverCredentials(), signal, log = () => undefined, ...sockOptions } = options;
  const sock = sockDtlsCreate(udp, SOCK_DTLS_SERVER_TAG, SOCK_DTLS_1_2, SOCK_DTLS_SERVER, { ...sockOptions, credentials: store });
  if (signal?.aborted) sock.close();
  signal?.addEventListener('abort', () => sock.close(), { once: true });
  while (!sock.isClosed) {
    let res;
    try {
      res = await sock.recv(SOCK_NO_TIMEOUT, 128);
    } catch {
      // "If an error occurs we just ignore it and continue looping."
      continue;
    }
    if (res.type === 'handshake') {
      log(`New session with ${res.session.ep.address}:${res.session.ep.port} (${res.session.info?.cipherSuite})`);
      continue;
    }
    log(`Received ${res.data.length} bytes -- echo!`);
    try {
      await sock.send(res.session, res.data);
    } catch {
      log('Error sending reply');
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: String(DTLS_DEFAULT_PORT) },
      'ecdsa-key': { type: 'string' },
      'client-key': { type: 'string', multiple: true },
    },
  });
  const ecdsaKey = values['ecdsa-key'];
  const store = serverCredentials(ecdsaKey ? { privateKey: readFileSync(ecdsaKey, 'utf8'), clientKeys: (values['client-key'] ?? []).map((f) => readFileSync(f, 'utf8')) } : undefined);
  // sock_udp_create(&udp_sock, &local, NULL, 0)
  const udp = await UdpTransport.bind({ host: values.host, port: Number(values.port) });
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort()).once('SIGTERM', () => stop.abort());
  console.log(`DTLS echo server on ${udp.address().address}:${udp.address().port} (PSK "${ECHO_PSK.identity}"${ecdsaKey ? ', ECDSA raw public key' : ''})`);
  await runEchoServer(udp, { credentials: store, signal: stop.signal, log: (line) => console.log(line) });
  udp.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
