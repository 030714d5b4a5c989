import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CredentialStore } from '../../../lib/index.js';
import { interopMode, type PeerBinary } from './peer-binary.js';
import { PEER_KEYS } from './peer-keys.js';
import { PeerProcess } from './peer-process.js';
import { pskStore } from './psk.js';
import { freeUdpPort, waitUntilBound } from './udp-port.js';

/**
 * wolfSSL 5.7.2's example client and server (examples/client/client, examples/server/server),
 * built by .ci/build-wolfssl: the DTLS 1.3 peer of issue 15 and one more DTLS 1.2 peer.
 *
 * What its examples do (5.7.2, checked by running its client against its server here):
 * - `-u` DTLS; `-v 3` DTLS 1.2, `-v 4` DTLS 1.3 (only that version either way); `-p` the port.
 *   The server binds 127.0.0.1 unless given `-b`; it serves one connection and exits (`-C n`: n,
 *   `-i`: forever, `-r`: one more, for the client's resumption). `-u<mtu>` (no space) sets the MTU.
 * - The working folder, or one of its five parents, must hold certs/dh2048.pem, else both exit with
 *   "wolf root not found": every run here starts in wolfsslWorkDir(), which links the build's certs/.
 * - Its bundled certificates expired in September 2026: we always pass spec/fixtures/peers's P-256
 *   pair (`-c` certificate, `-k` key, `-A` the CA that verifies the peer). The client loads a client
 *   certificate by default: `-x` sends none. The server asks for one unless `-d`.
 * - PSK `-s` on both: the PSK is compiled into the examples (wolfssl/test.h), no flag changes it:
 *   identity "Client_identity", key 1a2b3c4d in DTLS 1.2, 32 bytes 0123456789abcdef×4 in 1.3
 *   (WOLFSSL_PSK). The 1.3 server takes a suite named by the identity's suffix, else its -l one.
 * - `-l` a suite list in wolfSSL's names (WOLFSSL_SUITES); it prints the IANA name it agreed on.
 * - `-e` (server) echoes every record back until close_notify. The client sends
 *   "hello wolfssl!" and prints the answer on a line of its own; with `-r` it closes, resumes
 *   and sends "resuming wolfssl!" (WOLFSSL_CLIENT_MESSAGES).
 * - Both print, per handshake: "SSL version is DTLSv1.3", "SSL cipher suite is TLS_…",
 *   "SSL curve name is …" (when (EC)DHE), "SSL reused session" (resumed): wolfsslHandshakes().
 * - `--cid <text>` (both): the CID to receive with is the text's bytes (AB = 4142); 1.3 only, at
 *   most 2 bytes; they print "CID extension was negotiated" and "Sending CID is <hex>".
 * - `-L C:coap` ALPN (C: continue without a match, F: fail); the client prints
 *   "Received ALPN protocol : coap (4)", the server "Sent ALPN protocol : coap (4)".
 * - Key logs (NSS format, for `tshark -o tls.keylog_file:…`): in DTLS 1.3 both append the traffic
 *   secrets to sslkeylog.log in their working folder (wolfsslKeyLog()); in DTLS 1.2 the client prints
 *   its CLIENT_RANDOM line first on stdout.
 */

/** The wolfSSL release .ci/build-wolfssl builds (Debian trixie's source package). */
export const WOLFSSL_VERSION = '5.7.2';

/**
 * The folder .ci/build-wolfssl fills (bin/client, bin/server, certs/dh2048.pem):
 * RX_DTLS_WOLFSSL_DIR (which .ci/run exports), else the build cache (RX_DTLS_PEER_CACHE, default
 * ~/.cache/rx-dtls-peers). No Debian 12 package has a wolfSSL with DTLS 1.3.
 */
export function wolfsslDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.RX_DTLS_WOLFSSL_DIR ?? join(env.RX_DTLS_PEER_CACHE ?? join(homedir(), '.cache', 'rx-dtls-peers'), `wolfssl-${WOLFSSL_VERSION}`);
}

/** One of wolfSSL's example programs, found as wolfsslDir says; a missing one skips its specs unless DTLS_INTEROP=require. */
export function wolfsslBinary(name: 'server' | 'client'): PeerBinary {
  const file = join(wolfsslDir(), 'bin', name);
  const path = existsSync(file) ? file : undefined;
  const skip = path === undefined && interopMode() === 'optional';
  if (skip) console.warn(`[interop] skipping specs that need wolfSSL's example ${name}: not at ${file} (bash .ci/build-wolfssl builds it; DTLS_INTEROP=require makes this a failure)`);
  return { name: `wolfSSL ${name}`, path, skip };
}

export type WolfsslVersion = '1.2' | '1.3';

/** The PSK wolfSSL's examples have compiled in (wolfssl/test.h): the same identity, a key per version. */
export const WOLFSSL_PSK = {
  identity: 'Client_identity',
  keyHex: {
    '1.2': '1a2b3c4d',
    '1.3': '0123456789abcdef'.repeat(4),
  },
} as const;

/** Our credentials for wolfSSL's PSK in `version`. */
export function wolfsslPskStore(version: WolfsslVersion): CredentialStore {
  return pskStore(WOLFSSL_PSK.identity, WOLFSSL_PSK.keyHex[version]);
}

/** What the example client sends: the first message, and the one after a resumption (-r). */
export const WOLFSSL_CLIENT_MESSAGES = { hello: 'hello wolfssl!', resumed: 'resuming wolfssl!' } as const;

/** wolfSSL's `-l` names of the suites the cells use (its `client -e` lists them all). */
export const WOLFSSL_SUITES = {
  TLS_AES_128_GCM_SHA256: 'TLS13-AES128-GCM-SHA256',
  TLS_AES_256_GCM_SHA384: 'TLS13-AES256-GCM-SHA384',
  TLS_CHACHA20_POLY1305_SHA256: 'TLS13-CHACHA20-POLY1305-SHA256',
  TLS_AES_128_CCM_SHA256: 'TLS13-AES128-CCM-SHA256',
  TLS_AES_128_CCM_8_SHA256: 'TLS13-AES128-CCM-8-SHA256',
  TLS_PSK_WITH_AES_128_CCM_8: 'PSK-AES128-CCM-8',
  TLS_PSK_WITH_AES_128_GCM_SHA256: 'PSK-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8: 'ECDHE-ECDSA-AES128-CCM-8',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
} as const;

/** How the wolfSSL side authenticates: its compiled-in PSK, or spec/fixtures/peers's P-256 certificate. */
export type WolfsslAuth = 'psk' | 'certificate';

export interface WolfsslRun {
  readonly binary: string;
  readonly version: WolfsslVersion;
  readonly auth: WolfsslAuth;
  /** `-l`, in wolfSSL's names (WOLFSSL_SUITES); default: all it has. */
  readonly suites?: string;
  /** More arguments, e.g. ['--cid', 'AB'], ['-L', 'C:coap'], ['-r']. */
  readonly args?: readonly string[];
}

export interface WolfsslServerRun extends WolfsslRun {
  /** `-e`, answer every record with itself (default true); false: its fixed reply "I hear you fa shizzle!". */
  readonly echo?: boolean;
  /** With a certificate: ask for ours and verify it against the fixture (default: `-d`, none asked). */
  readonly mutualAuth?: boolean;
}

export interface WolfsslClientRun extends WolfsslRun {
  readonly port: number;
  /** With a certificate: present the fixture certificate as a client certificate (default: `-x`, none). */
  readonly clientCertificate?: boolean;
}

let workDir: string | undefined;

/**
 * The working folder of every wolfSSL run in this process: its certs/ links the build's (the
 * examples look for certs/dh2048.pem there) and the key log lands in it. Removed at exit.
 */
export function wolfsslWorkDir(): string {
  if (workDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'rx-dtls-wolfssl-'));
    symlinkSync(join(wolfsslDir(), 'certs'), join(dir, 'certs'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    workDir = dir;
  }
  return workDir;
}

/** The NSS key-log file both examples append to (tshark -o tls.keylog_file:<it>). */
export function wolfsslKeyLog(): string {
  return join(wolfsslWorkDir(), 'sslkeylog.log');
}

function commonArgs(run: WolfsslRun): string[] {
  return ['-u', '-v', run.version === '1.3' ? '4' : '3', ...(run.suites === undefined ? [] : ['-l', run.suites])];
}

function serverAuthArgs(run: WolfsslServerRun): string[] {
  if (run.auth === 'psk') return ['-s'];
  const own = ['-c', PEER_KEYS.certificate, '-k', PEER_KEYS.privateKey];
  return run.mutualAuth ? [...own, '-A', PEER_KEYS.certificate] : [...own, '-d'];
}

function clientAuthArgs(run: WolfsslClientRun): string[] {
  if (run.auth === 'psk') return ['-s'];
  const own = run.clientCertificate ? ['-c', PEER_KEYS.certificate, '-k', PEER_KEYS.privateKey] : ['-x'];
  return ['-A', PEER_KEYS.certificate, ...own];
}

/** wolfSSL's example server on a free 127.0.0.1 port. Resolves once it has bound the port; retries with another port when one was taken in between. */
export async function startWolfsslServer(run: WolfsslServerRun): Promise<{ peer: PeerProcess; port: number }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeUdpPort();
    const args = ['-p', String(port), ...commonArgs(run), ...serverAuthArgs(run), ...((run.echo ?? true) ? ['-e'] : []), ...(run.args ?? [])];
    const peer = PeerProcess.start(run.binary, args, `wolfSSL server ${args.join(' ')}`, wolfsslWorkDir());
    try {
      await waitUntilBound(peer.pid, port, () => peer.running);
      return { peer, port };
    } catch (error) {
      lastError = error;
      await peer.stop();
      if (!/bind failed/i.test(peer.stderr + peer.stdout)) throw new Error(`${String(error)}\n${peer.describe()}`);
    }
  }
  throw new Error(`wolfSSL's server found no free port after 5 attempts: ${String(lastError)}`);
}

/** wolfSSL's example client to 127.0.0.1:port: it sends WOLFSSL_CLIENT_MESSAGES.hello, prints the answer and closes. */
export function startWolfsslClient(run: WolfsslClientRun): PeerProcess {
  const args = ['-h', '127.0.0.1', '-p', String(run.port), ...commonArgs(run), ...clientAuthArgs(run), ...(run.args ?? [])];
  return PeerProcess.start(run.binary, args, `wolfSSL client ${args.join(' ')}`, wolfsslWorkDir());
}

/** One handshake as an example program reports it. */
export interface WolfsslHandshake {
  /** "DTLSv1.2" or "DTLSv1.3". */
  readonly version: string;
  /** The IANA name, e.g. "TLS_AES_128_CCM_8_SHA256". */
  readonly cipherSuite: string | undefined;
  /** The (EC)DHE group, e.g. "SECP256R1", "X25519"; undefined for a PSK-only key exchange. */
  readonly curve: string | undefined;
  readonly resumed: boolean;
}

/** Every handshake in an example program's stdout, in order (two with -r). */
export function wolfsslHandshakes(output: string): WolfsslHandshake[] {
  return output
    .split(/^(?=SSL version is )/m)
    .filter((part) => part.startsWith('SSL version is '))
    .map((part) => ({
      version: /^SSL version is (\S+)/.exec(part)?.[1] ?? '',
      cipherSuite: /^SSL cipher suite is (\S+)/m.exec(part)?.[1],
      curve: /^SSL curve name is (\S+)/m.exec(part)?.[1],
      resumed: /^SSL reused session$/m.test(part),
    }));
}

/** The CID the program sends with (its peer's), in hex, when it says one was negotiated; '' when the peer's is empty. */
export function wolfsslSendingCid(output: string): string | undefined {
  if (!output.includes('CID extension was negotiated')) return undefined;
  if (output.includes('other peer provided empty CID')) return '';
  return /^Sending CID is ([0-9A-Fa-f]*)/m.exec(output)?.[1].toLowerCase();
}
