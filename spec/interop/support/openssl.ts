import { PeerProcess } from './peer-process.js';
import { PSK_IDENTITY, PSK_KEY_HEX } from './psk.js';
import { freeUdpPort, waitUntilBound } from './udp-port.js';

export interface OpensslServerOptions {
  /** Path of the openssl binary. */
  readonly binary: string;
  /** OpenSSL -cipher string, e.g. PSK-AES128-CCM8. */
  readonly cipher: string;
  readonly identity?: string;
  readonly keyHex?: string;
  /** -psk_hint: sent in ServerKeyExchange (RFC 4279 §2). */
  readonly hint?: string;
  /** -mtu: OpenSSL then fragments its flights to this link MTU (it also stops querying the path MTU). */
  readonly mtu?: number;
  /** Write s_server's -trace of every record to this file. */
  readonly traceFile?: string;
  /** Send back whatever application data arrives (default true). */
  readonly echo?: boolean;
  /** -naccept: exit (flushing the trace) after this many connections. */
  readonly naccept?: number;
}

export interface OpensslServer {
  readonly peer: PeerProcess;
  readonly port: number;
}

/**
 * `openssl s_server -dtls1_2 -listen` on a free 127.0.0.1 port, PSK only. With
 * -quiet its stdout is exactly the application data received and its stdin is
 * what it sends, so piping one into the other makes it an echo server (it has
 * no DTLS echo mode of its own). Resolves once it has bound the port; retries
 * with another port when one was taken in between.
 */
export async function startOpensslServer(options: OpensslServerOptions): Promise<OpensslServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeUdpPort();
    const args = [
      's_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, '-nocert',
      '-psk_identity', options.identity ?? PSK_IDENTITY, '-psk', options.keyHex ?? PSK_KEY_HEX,
      '-cipher', options.cipher, '-listen', '-quiet',
      ...(options.hint === undefined ? [] : ['-psk_hint', options.hint]),
      ...(options.mtu === undefined ? [] : ['-mtu', String(options.mtu)]),
      ...(options.traceFile === undefined ? [] : ['-trace', '-msgfile', options.traceFile]),
      ...(options.naccept === undefined ? [] : ['-naccept', String(options.naccept)]),
    ];
    const peer = PeerProcess.start(options.binary, args, `openssl s_server ${options.cipher}`);
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

export interface OpensslClientOptions {
  readonly binary: string;
  readonly port: number;
  readonly cipher: string;
  readonly identity?: string;
  readonly keyHex?: string;
  readonly mtu?: number;
  readonly traceFile?: string;
}

/**
 * `openssl s_client -dtls1_2` against 127.0.0.1:port. -quiet alone would
 * ignore the end of stdin (ign_eof is the -quiet default): -no_ign_eof makes
 * it send close_notify and exit once the spec ends its input.
 */
export function startOpensslClient(options: OpensslClientOptions): PeerProcess {
  const args = [
    's_client', '-dtls1_2', '-connect', `127.0.0.1:${options.port}`,
    '-psk_identity', options.identity ?? PSK_IDENTITY, '-psk', options.keyHex ?? PSK_KEY_HEX,
    '-cipher', options.cipher, '-quiet', '-no_ign_eof',
    ...(options.mtu === undefined ? [] : ['-mtu', String(options.mtu)]),
    ...(options.traceFile === undefined ? [] : ['-trace', '-msgfile', options.traceFile]),
  ];
  return PeerProcess.start(options.binary, args, `openssl s_client ${options.cipher}`);
}
