/**
 * RIOT's DTLS sock echo client (seed 003), on rx-dtls's sock facade: a UDP sock,
 * a DTLS sock over it with SOCK_DTLS_CLIENT_TAG, session init and recv until
 * the handshake completes, send "HELLO", recv the echo, destroy, close.
 *
 *   npm run example:sock-echo-client -- --host 127.0.0.1 --port 20220
 *   npm run example:sock-echo-client -- --ecdsa-key client-key.pem --server-key server-pub.pem
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  credentials,
  DtlsError,
  SOCK_DTLS_1_2,
  SOCK_DTLS_CLIENT,
  sockDtlsCreate,
  UdpTransport,
  type CredentialStore,
  type DatagramTransport,
  type PeerAddress,
  type SockDtlsOptions,
} from '../lib/index.js';
import { DTLS_DEFAULT_PORT, ECHO_PSK } from './sock-echo-server.js';

export const SOCK_DTLS_CLIENT_TAG = 20;

/** The client's credentials: the same PSK, or an ECC key and the server key it trusts. */
export function clientCredentials(ecdsa?: { readonly privateKey: string | Uint8Array; readonly serverKey: string | Uint8Array }): CredentialStore {
  if (ecdsa) return credentials().ecdsa({ tag: SOCK_DTLS_CLIENT_TAG, privateKey: ecdsa.privateKey, trustedPeers: [ecdsa.serverKey] });
  return credentials().psk({ tag: SOCK_DTLS_CLIENT_TAG, identity: ECHO_PSK.identity, key: ECHO_PSK.key });
}

export interface EchoClientOptions extends Partial<Omit<SockDtlsOptions, 'credentials'>> {
  readonly credentials?: CredentialStore;
  readonly message?: string;
  /** For the handshake and for the reply, each (ms; default 5000). */
  readonly timeout?: number;
  readonly log?: (line: string) => void;
}

/** Sends one message to the echo server at `remote` and resolves with the reply. */
export async function runEchoClient(udp: DatagramTransport, remote: PeerAddress, options: EchoClientOptions = {}): Promise<string> {
  const { credentials: store = clientCredentials(), message = 'HELLO', timeout = 5000, log = () => undefined, ...sockOptions } = options;
  const sock = sockDtlsCreate(udp, SOCK_DTLS_CLIENT_TAG, SOCK_DTLS_1_2, SOCK_DTLS_CLIENT, { ...sockOptions, credentials: store });
  try {
    // sock_dtls_session_init(), then sock_dtls_recv() until -SOCK_DTLS_HANDSHAKE.
    const { session } = await sock.sessionInit(remote);
    for (;;) {
      const res = await sock.recv(timeout, 128);
      if (res.type === 'handshake' && res.session === session) break;
    }
    log(`Session with ${remote.address}:${remote.port}: ${session.info?.cipherSuite}`);
    try {
      const sent = await sock.send(session, message, 0);
      log(`Sent ${sent} bytes`);
      const res = await sock.recv(timeout, 128);
      if (res.type !== 'data') throw new DtlsError('EINVAL', 'expected the echo, got another handshake');
      const reply = new TextDecoder().decode(res.data);
      log(`Received ${res.data.length} bytes: ${reply}`);
      return reply;
    } finally {
      sock.sessionDestroy(session);
    }
  } finally {
    sock.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: String(DTLS_DEFAULT_PORT) },
      message: { type: 'string', default: 'HELLO' },
      'ecdsa-key': { type: 'string' },
      'server-key': { type: 'string' },
    },
  });
  const ecdsaKey = values['ecdsa-key'];
  const serverKey = values['server-key'];
  if ((ecdsaKey === undefined) !== (serverKey === undefined)) throw new Error('--ecdsa-key and --server-key go together');
  const store = clientCredentials(ecdsaKey && serverKey ? { privateKey: readFileSync(ecdsaKey, 'utf8'), serverKey: readFileSync(serverKey, 'utf8') } : undefined);
  // sock_udp_create(&udp_sock, &local, NULL, 0) with a port the kernel picks.
  const udp = await UdpTransport.bind({ host: values.host.includes(':') ? '::' : '0.0.0.0', port: 0 });
  try {
    await runEchoClient(udp, { address: values.host, port: Number(values.port) }, { credentials: store, message: values.message, log: (line) => console.log(line) });
  } finally {
    // sock_udp_close(): the DTLS sock leaves its UDP sock to us.
    udp.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof DtlsError ? `${error.code}: ${error.message}` : error);
    process.exit(1);
  });
}
