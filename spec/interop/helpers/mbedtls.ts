import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { interopMode, type PeerBinary } from './peer-binary.js';
import { PeerProcess } from './peer-process.js';
import { PSK_IDENTITY, PSK_KEY_HEX } from './psk.js';
import { startOnFreePort } from './udp-port.js';

/** The mbedTLS release .ci/build-mbedtls builds (Debian trixie's source package). */
export const MBEDTLS_VERSION = '3.6.6';

/**
 * Where ssl_server2 and ssl_client2 are: RX_DTLS_MBEDTLS_BIN (which .ci/run exports), else
 * the build cache .ci/build-mbedtls fills (RX_DTLS_PEER_CACHE, default ~/.cache/rx-dtls-peers).
 * No Debian package has an mbedTLS with Connection IDs compiled in, so it is not on PATH.
 */
export function mbedtlsBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.RX_DTLS_MBEDTLS_BIN ?? join(env.RX_DTLS_PEER_CACHE ?? join(homedir(), '.cache', 'rx-dtls-peers'), `mbedtls-${MBEDTLS_VERSION}`, 'bin');
}

/** An mbedTLS sample program, found as mbedtlsBinDir says; a missing one skips its specs unless DTLS_INTEROP=require. */
export function mbedtlsBinary(name: 'ssl_server2' | 'ssl_client2'): PeerBinary {
  const file = join(mbedtlsBinDir(), name);
  const path = existsSync(file) ? file : undefined;
  const skip = path === undefined && interopMode() === 'optional';
  if (skip) console.warn(`[interop] skipping specs that need mbedTLS ${name}: not at ${file} (bash .ci/build-mbedtls builds it; DTLS_INTEROP=require makes this a failure)`);
  return { name, path, skip };
}

/** mbedTLS's name of each suite the specs use (its force_ciphersuite). */
export const MBEDTLS_SUITES = {
  TLS_PSK_WITH_AES_128_CCM_8: 'TLS-PSK-WITH-AES-128-CCM-8',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256',
} as const;

/** The key-and-CID arguments of both programs: PSK, or the P-256 certificate of spec/fixtures/peers; cid_val in hex, '' for a zero-length CID. */
export interface MbedtlsRun {
  readonly binary: string;
  /** Our CID-less peer: omit; a zero-length CID: ''; else the CID in hex. */
  readonly cidHex?: string;
  /** Arguments beyond DTLS 1.2, CID and the PSK (a certificate, a suite...). */
  readonly extra?: readonly string[];
  /** Use the PSK of /work/shared/PEERS.md (default true). */
  readonly psk?: boolean;
}

function commonArgs(run: MbedtlsRun): string[] {
  return [
    'dtls=1',
    'force_version=dtls12',
    ...(run.cidHex === undefined ? ['cid=0'] : ['cid=1', `cid_val=${run.cidHex}`]),
    ...((run.psk ?? true) ? [`psk=${PSK_KEY_HEX}`, `psk_identity=${PSK_IDENTITY}`] : []),
    ...(run.extra ?? []),
  ];
}

/** ssl_server2 on a free loopback port; it answers every request with an HTTP page. Resolves once it has bound the port. */
export function startSslServer2(run: MbedtlsRun): Promise<{ peer: PeerProcess; port: number }> {
  return startOnFreePort('ssl_server2', (port) =>
    PeerProcess.start(run.binary, ['server_addr=127.0.0.1', `server_port=${port}`, ...commonArgs(run)], 'ssl_server2'),
  );
}

/** ssl_client2 to 127.0.0.1:port: sends `exchanges` GET requests, each after the answer to the one before. */
export function startSslClient2(run: MbedtlsRun & { readonly port: number; readonly exchanges?: number }): PeerProcess {
  return PeerProcess.start(
    run.binary,
    ['server_addr=127.0.0.1', `server_port=${run.port}`, `exchanges=${run.exchanges ?? 1}`, 'read_timeout=5000', 'hs_timeout=250-2000', ...commonArgs(run)],
    'ssl_client2',
  );
}

/** The CID the program says its peer uses ("Peer CID (length 4 Bytes): aa bb cc dd"), in hex; undefined when it names none. */
export function peerCidIn(output: string): string | undefined {
  const match = /Peer CID \(length (\d+) Bytes\):([0-9a-fA-F ]*)/.exec(output);
  return match ? match[2].replace(/\s+/g, '').toLowerCase() : undefined;
}

export const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('hex');
