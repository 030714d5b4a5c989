import { PeerProcess } from './peer-process.js';
import { PSK_IDENTITY, PSK_KEY_HEX } from './psk.js';
import { startOnFreePort } from './udp-port.js';

export interface OpensslServerOptions extends OpensslServerRun {
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

/** What every s_server run here takes, whatever it authenticates with. */
export interface OpensslServerRun {
  readonly binary: string;
  readonly cipher: string;
  /** -groups, e.g. "P-256" or "X25519". */
  readonly groups?: string;
  readonly mtu?: number;
  readonly traceFile?: string;
  /** Send back whatever application data arrives (default true). */
  readonly echo?: boolean;
  readonly naccept?: number;
  /** More s_server arguments, e.g. ["-alpn", "coap"]. */
  readonly extraArgs?: readonly string[];
}

/**
 * `openssl s_server -dtls1_2 -listen -quiet` (stateless cookies on) on a free 127.0.0.1
 * port with `credentials` (its -nocert/-psk or -cert/-key arguments). With -quiet its
 * stdout is exactly the application data received and its stdin is what it sends, so
 * piping one into the other makes it an echo server (it has no DTLS echo mode of its
 * own). Resolves once it has bound the port; retries with another port when one was
 * taken in between.
 */
export function runOpensslServer(run: OpensslServerRun, credentials: readonly string[], label: string): Promise<OpensslServer> {
  const start = (port: number): PeerProcess => {
    const args = [
      's_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, ...credentials,
      '-cipher', run.cipher, '-listen', '-quiet',
      ...(run.groups === undefined ? [] : ['-groups', run.groups]),
      ...(run.mtu === undefined ? [] : ['-mtu', String(run.mtu)]),
      ...(run.traceFile === undefined ? [] : ['-trace', '-msgfile', run.traceFile]),
      ...(run.naccept === undefined ? [] : ['-naccept', String(run.naccept)]),
      ...(run.extraArgs ?? []),
    ];
    const peer = PeerProcess.start(run.binary, args, label);
    if (run.echo ?? true) peer.child.stdout.on('data', (chunk: string) => peer.write(chunk));
    return peer;
  };
  return startOnFreePort('openssl s_server', start, (peer) => /Address already in use/i.test(peer.stderr));
}

/** `openssl s_server` with a pre-shared key only (-nocert). */
export function startOpensslServer(options: OpensslServerOptions): Promise<OpensslServer> {
  const credentials = [
    '-nocert', '-psk_identity', options.identity ?? PSK_IDENTITY, '-psk', options.keyHex ?? PSK_KEY_HEX,
    ...(options.hint === undefined ? [] : ['-psk_hint', options.hint]),
  ];
  return runOpensslServer(options, credentials, `openssl s_server ${options.cipher}`);
}

/** What every s_client run here takes, whatever it authenticates with. */
export interface OpensslClientRun {
  readonly binary: string;
  readonly port: number;
  readonly cipher: string;
  readonly groups?: string;
  readonly mtu?: number;
  readonly traceFile?: string;
  /** More s_client arguments, e.g. ["-alpn", "coap"]. */
  readonly extraArgs?: readonly string[];
}

/**
 * `openssl s_client -dtls1_2` against 127.0.0.1:port with `credentials`. -quiet alone
 * would ignore the end of stdin (ign_eof is the -quiet default): -no_ign_eof makes it
 * send close_notify and exit once the spec ends its input.
 */
export function runOpensslClient(run: OpensslClientRun, credentials: readonly string[], label: string): PeerProcess {
  const args = [
    's_client', '-dtls1_2', '-connect', `127.0.0.1:${run.port}`,
    '-cipher', run.cipher, '-quiet', '-no_ign_eof',
    ...(run.groups === undefined ? [] : ['-groups', run.groups]),
    ...credentials,
    ...(run.mtu === undefined ? [] : ['-mtu', String(run.mtu)]),
    ...(run.traceFile === undefined ? [] : ['-trace', '-msgfile', run.traceFile]),
    ...(run.extraArgs ?? []),
  ];
  return PeerProcess.start(run.binary, args, label);
}

export interface OpensslClientOptions extends OpensslClientRun {
  readonly identity?: string;
  readonly keyHex?: string;
}

/** `openssl s_client` with a pre-shared key. */
export function startOpensslClient(options: OpensslClientOptions): PeerProcess {
  const credentials = ['-psk_identity', options.identity ?? PSK_IDENTITY, '-psk', options.keyHex ?? PSK_KEY_HEX];
  return runOpensslClient(options, credentials, `openssl s_client ${options.cipher}`);
}
