import { PeerProcess } from '../support/peer-process.js';
import { freeUdpPort, waitUntilBound } from '../support/udp-port.js';
import { PEER_KEYS } from './peer-keys.js';

export interface OpensslCertServerOptions {
  readonly binary: string;
  /** OpenSSL -cipher string, e.g. ECDHE-ECDSA-AES128-CCM8. */
  readonly cipher: string;
  /** -groups, e.g. "P-256" or "X25519". */
  readonly groups?: string;
  /** Our certificate and key (default: the committed CN=localhost pair). */
  readonly certificate?: string;
  readonly privateKey?: string;
  /** -cert_chain: the intermediates sent after the certificate. */
  readonly certificateChain?: string;
  /** -Verify 1 -CAfile: ask for a client certificate, require it and check it against this CA file. */
  readonly requireClientCertificate?: string;
  /** -verify 1 -CAfile: ask for a client certificate but accept its absence. */
  readonly requestClientCertificate?: string;
  /** PSK instead of a certificate (ECDHE-PSK): -nocert -psk_identity -psk. */
  readonly psk?: { readonly identity: string; readonly keyHex: string };
  /** -mtu: the link MTU s_server fragments its flights to (256 at least). */
  readonly mtu?: number;
  readonly traceFile?: string;
  /** Send back whatever application data arrives (default true). */
  readonly echo?: boolean;
  /** -naccept: exit (flushing the trace) after this many connections. */
  readonly naccept?: number;
}

export interface OpensslCertServer {
  readonly peer: PeerProcess;
  readonly port: number;
}

/**
 * `openssl s_server -dtls1_2 -listen -quiet` (stateless cookies on) with a
 * certificate, on a free 127.0.0.1 port, echoing by writing its stdout back
 * to its stdin. Resolves once it has bound the port; retries on a port taken
 * in between.
 */
export async function startOpensslCertServer(options: OpensslCertServerOptions): Promise<OpensslCertServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeUdpPort();
    const identity = options.psk
      ? ['-nocert', '-psk_identity', options.psk.identity, '-psk', options.psk.keyHex]
      : [
          '-cert', options.certificate ?? PEER_KEYS.certificate, '-key', options.privateKey ?? PEER_KEYS.privateKey,
          ...(options.certificateChain === undefined ? [] : ['-cert_chain', options.certificateChain]),
        ];
    const args = [
      's_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, ...identity,
      '-cipher', options.cipher, '-listen', '-quiet',
      ...(options.groups === undefined ? [] : ['-groups', options.groups]),
      ...(options.requireClientCertificate === undefined ? [] : ['-Verify', '1', '-CAfile', options.requireClientCertificate]),
      ...(options.requestClientCertificate === undefined ? [] : ['-verify', '1', '-CAfile', options.requestClientCertificate]),
      ...(options.mtu === undefined ? [] : ['-mtu', String(options.mtu)]),
      ...(options.traceFile === undefined ? [] : ['-trace', '-msgfile', options.traceFile]),
      ...(options.naccept === undefined ? [] : ['-naccept', String(options.naccept)]),
    ];
    const peer = PeerProcess.start(options.binary, args, `openssl s_server ${options.cipher} ${options.groups ?? ''}`);
    if (options.echo ?? true) peer.child.stdout.on('data', (chunk: string) => peer.write(chunk));
    try {
      await waitUntilBound(peer.pid, port, () => peer.running);
      return { peer, port };
    } catch (error) {
      lastError = error;
      await peer.stop();
      if (!/Address already in use/i.test(peer.stderr)) throw new Error(`${String(error)}\n${peer.describe()}`);
    }
  }
  throw new Error(`openssl s_server found no free port after 5 attempts: ${String(lastError)}`);
}

export interface OpensslCertClientOptions {
  readonly binary: string;
  readonly port: number;
  readonly cipher: string;
  readonly groups?: string;
  /** -CAfile with -verify_return_error: s_client aborts on a server certificate it cannot verify. */
  readonly caFile?: string;
  /** -cert/-key: offered when the server sends a CertificateRequest. */
  readonly certificate?: string;
  readonly privateKey?: string;
  /** -cert_chain: the intermediates sent after the certificate. */
  readonly certificateChain?: string;
  readonly psk?: { readonly identity: string; readonly keyHex: string };
  /** -mtu: the link MTU s_client fragments its flights to (256 at least). */
  readonly mtu?: number;
  readonly traceFile?: string;
}

/**
 * `openssl s_client -dtls1_2` against 127.0.0.1:port; -no_ign_eof makes it
 * send close_notify and exit once the spec ends its input.
 */
export function startOpensslCertClient(options: OpensslCertClientOptions): PeerProcess {
  const args = [
    's_client', '-dtls1_2', '-connect', `127.0.0.1:${options.port}`,
    '-cipher', options.cipher, '-quiet', '-no_ign_eof',
    ...(options.groups === undefined ? [] : ['-groups', options.groups]),
    ...(options.caFile === undefined ? [] : ['-CAfile', options.caFile, '-verify_return_error']),
    ...(options.certificate === undefined ? [] : ['-cert', options.certificate, '-key', options.privateKey ?? '']),
    ...(options.certificateChain === undefined ? [] : ['-cert_chain', options.certificateChain]),
    ...(options.psk === undefined ? [] : ['-psk_identity', options.psk.identity, '-psk', options.psk.keyHex]),
    ...(options.mtu === undefined ? [] : ['-mtu', String(options.mtu)]),
    ...(options.traceFile === undefined ? [] : ['-trace', '-msgfile', options.traceFile]),
  ];
  return PeerProcess.start(options.binary, args, `openssl s_client ${options.cipher} ${options.groups ?? ''}`);
}
