import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CredentialStore } from '../../../lib/index.js';
import { interopMode, type PeerBinary } from './peer-binary.js';
import { PEER_KEYS, readPem } from './peer-keys.js';
import { PeerProcess } from './peer-process.js';
import { pskStore } from './psk.js';
import { startOnFreePort } from './udp-port.js';

/**
 * wolfSSL 5.7.2's example client and server (examples/client/client, examples/server/server),
 * built by .ci/build-wolfssl: the DTLS 1.3 peer of issue 15 and one more DTLS 1.2 peer.
 *
 * Every flag below was proven by running its client against its own server here (DTLS 1.3 unless
 * said; the wire checked with dumpcap and tshark where it says "wire").
 *
 * Running them
 * - `-u` DTLS; `-v 3` DTLS 1.2 only, `-v 4` DTLS 1.3 only, `-v d` either (1.3 preferred: a `-v d`
 *   client gets 1.2 from a `-v 3` server, 1.3 from a `-v 4` one); `-p` the port. A 1.3-only
 *   client against a 1.2-only server fails (-326 record layer version error) and the reverse too.
 * - The server binds 127.0.0.1 (unless `-b`), serves one connection and exits (`-C n`: n, `-i`:
 *   forever, `-r`: one more, for the client's resumption).
 * - The working folder, or one of its five parents, must hold certs/dh2048.pem, else both exit with
 *   "wolf root not found": every run starts in wolfsslWorkDir(), which links the build's certs/.
 * - Their stdout is block-buffered into a pipe: they run under `stdbuf -oL`, so the server's
 *   lines arrive as it prints them, not when it exits.
 *
 * Credentials
 * - Its bundled certificates expired in September 2026: spec/fixtures/peers's P-256 pair is always
 *   passed (`-c` certificate, `-k` key, `-A` the CA to verify the peer with). The client loads a
 *   client certificate by default: `-x` sends none. The server asks for one unless `-d`.
 * - Mutual auth: server `-A <CA>` without `-d`, client `-c -k`. A client without one (`-x`) is
 *   refused: "SSL_accept error -345, peer did not return a certificate", the client sees -313.
 *   In 1.3 its server sends that refusal (certificate_required) in epoch 3, after its Finished;
 *   its client refused by ours prints "wolfSSL_connect error -313, received alert fatal error".
 * - PSK `-s` on both. The PSK is compiled in (wolfssl/test.h), no flag changes it: identity
 *   "Client_identity", key 1a2b3c4d in DTLS 1.2, 32 bytes 0123456789abcdef×4 in 1.3 (WOLFSSL_PSK).
 *   In 1.3 the client's identity is "Client_identity" followed by the last 6 characters of the
 *   suite ("Client_identitySHA256", one per suite hash); with `--openssl-psk` it is the bare
 *   "Client_identity". The server takes both. Its 1.2 default list has only DHE-PSK: pass `-l`.
 * - 1.3 PSK modes (wire): by default the client offers psk_ke and psk_dhe_ke with key shares and
 *   the server picks psk_dhe_ke; client `-K` offers psk_ke only (the server then prints no curve,
 *   the client still prints its own); client `--onlyPskDheKe` offers psk_dhe_ke only.
 * - Raw public keys (RFC 7250): the client's `--rpk` asks for RPK both ways and checks nothing of
 *   the server's key; it offers client_certificate_type only when its `-c` file is itself a bare
 *   SubjectPublicKeyInfo, which it loads only as DER (`--files-are-der`, then for -k and -A too):
 *   auth 'rawPublicKey' writes DER copies of the fixture RPK pair. The 5.7.2 server example has
 *   no RPK option. In 1.3 too (both types answered in EncryptedExtensions, the key in a
 *   CertificateEntry).
 *
 * Suites, groups, HelloRetryRequest
 * - `-l` a list in wolfSSL's names (WOLFSSL_SUITES); both print the IANA name agreed on. All five
 *   1.3 suites work with PSK and with the certificate.
 * - Groups: the client's default key shares are secp256r1 and ffdhe2048; `-t` x25519 only, `-Y`
 *   ECC groups only, `-y` FFDHE only. The server: `--force-curve <name>` (e.g. SECP256R1) wants
 *   that group, `-t`/`-Y`/`-y` pre-generate one.
 * - HelloRetryRequest (wire): the 1.3 server always answers the first ClientHello with a stateless
 *   HRR carrying a cookie (RFC 9147 §5.1); `-J n` turns that off (1-RTT, no HRR). A group HRR:
 *   client `-t` (x25519 share only) against server `--force-curve SECP256R1` gives one HRR with
 *   key_share secp256r1 and the cookie; client `-J` sends an empty key_share, same outcome.
 *
 * After the handshake
 * - `-e` (server) echoes every record back until close_notify (the default here). The client sends
 *   "hello wolfssl!" and prints the answer on a line of its own; without `-e` the server prints
 *   "Client message: <it>" and answers "I hear you fa shizzle!" (WOLFSSL_MESSAGES).
 * - Resumption `-r` on both (1.2 and 1.3): the client closes, resumes from a new port, sends
 *   "resuming wolfssl!"; both print "SSL reused session" for the second handshake.
 * - KeyUpdate (wire: the epoch's low bits go 3 -> 0 both ways): client `-I` sends one with
 *   update_requested before its message and sends the message again after; server `-U` only
 *   without `-e`: it reads one message, sends KeyUpdate, replies, then waits for one more message.
 * - `--send-ticket` (server, without `-e`): one more NewSessionTicket after the handshake.
 * - 0-RTT: client `-r -0` offers early_data in the resumed ClientHello; server `-0` reads it, but
 *   behind its HRR cookie exchange the early data is dropped (wire).
 * - `--cid <text>` (both): the CID to receive with is the text's bytes (AB = 4142), 1.3 only, at
 *   most 2 bytes ("Can't set DTLS ConnectionID" otherwise); both print "CID extension was
 *   negotiated" and "Sending CID is <hex>" (the peer's), the records carry C=1 (wire).
 * - `-L C:coap` ALPN (C: continue without a match, F: fail); the client prints "Received ALPN
 *   protocol : coap (4)", the server "Sent ALPN protocol : coap (4)". The server example with
 *   `-L` skips its echo loop (its ALPN code leaves `err` set): use `echo: false` with ALPN.
 * - `-u<mtu>` (no space): the server fragments its flight to that MTU; the client refuses to
 *   send a ClientHello bigger than it (-328), it never fragments its first ClientHello.
 *
 * Quirks seen
 * - With TLS_AES_128_CCM_8_SHA256 the client's close_notify never reaches the wire (its
 *   ciphertext would be 11 bytes, short of the 16-byte record-number sample, RFC 9147 §4.2.3), so
 *   its server keeps waiting: do not wait for a CCM_8 server to exit.
 * - Key logs (NSS format, for `tshark -o tls.keylog_file:…`): in DTLS 1.3 both append the traffic
 *   secrets to sslkeylog.log in their working folder (wolfsslKeyLog()); in DTLS 1.2 the client
 *   prints its CLIENT_RANDOM line first on stdout. Debian 12's tshark 4.0 decodes the 1.3
 *   plaintext handshake (HRR, key shares, cookie) but not its ciphertext records.
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

/** `-v 3`, `-v 4`, or `-v d`: either, 1.3 preferred. */
export type WolfsslVersion = '1.2' | '1.3' | 'any';

/** The PSK wolfSSL's examples have compiled in (wolfssl/test.h): the same identity, a key per version. */
export const WOLFSSL_PSK = {
  identity: 'Client_identity',
  keyHex: {
    '1.2': '1a2b3c4d',
    '1.3': '0123456789abcdef'.repeat(4),
  },
} as const;

/** Our credentials for wolfSSL's PSK in `version`. */
export function wolfsslPskStore(version: '1.2' | '1.3'): CredentialStore {
  return pskStore(WOLFSSL_PSK.identity, WOLFSSL_PSK.keyHex[version]);
}

/** What the examples send: the client's first message, its message after a resumption (-r), the server's answer without -e. */
export const WOLFSSL_MESSAGES = { hello: 'hello wolfssl!', resumed: 'resuming wolfssl!', serverReply: 'I hear you fa shizzle!' } as const;

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

/**
 * How the wolfSSL side authenticates: its compiled-in PSK, spec/fixtures/peers's P-256 certificate,
 * or (client only) the fixture raw public key pair (PEER_KEYS.rawPrivateKey/rawPublicKey).
 */
export type WolfsslAuth = 'psk' | 'certificate' | 'rawPublicKey';

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
  /** `-e`, answer every record with itself (default true); false: it reads one message and answers "I hear you fa shizzle!" (needed with -L, -U, --send-ticket). */
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

const VERSION_FLAG = { '1.2': '3', '1.3': '4', any: 'd' } as const;

function commonArgs(run: WolfsslRun): string[] {
  return ['-u', '-v', VERSION_FLAG[run.version], ...(run.suites === undefined ? [] : ['-l', run.suites])];
}

function serverAuthArgs(run: WolfsslServerRun): string[] {
  if (run.auth === 'psk') return ['-s'];
  if (run.auth === 'rawPublicKey') throw new Error("wolfSSL 5.7.2's example server has no raw public keys");
  const own = ['-c', PEER_KEYS.certificate, '-k', PEER_KEYS.privateKey];
  return run.mutualAuth ? [...own, '-A', PEER_KEYS.certificate] : [...own, '-d'];
}

function clientAuthArgs(run: WolfsslClientRun): string[] {
  if (run.auth === 'psk') return ['-s'];
  if (run.auth === 'rawPublicKey') {
    const der = rawPublicKeyDer();
    return ['--rpk', '--files-are-der', '-c', der.publicKey, '-k', der.privateKey, '-A', der.ca];
  }
  const own = run.clientCertificate ? ['-c', PEER_KEYS.certificate, '-k', PEER_KEYS.privateKey] : ['-x'];
  return ['-A', PEER_KEYS.certificate, ...own];
}

/** DER copies of the fixture RPK pair and of the certificate (for -A), in wolfsslWorkDir(), for `--rpk --files-are-der`. */
function rawPublicKeyDer(): { publicKey: string; privateKey: string; ca: string } {
  const dir = wolfsslWorkDir();
  const files = { publicKey: join(dir, 'rpk-pub.der'), privateKey: join(dir, 'rpk-key.der'), ca: join(dir, 'ca.der') };
  if (!existsSync(files.ca)) {
    writeFileSync(files.publicKey, createPublicKey(readPem(PEER_KEYS.rawPublicKey)).export({ type: 'spki', format: 'der' }));
    writeFileSync(files.privateKey, createPrivateKey(readPem(PEER_KEYS.rawPrivateKey)).export({ type: 'sec1', format: 'der' }));
    writeFileSync(files.ca, new X509Certificate(readPem(PEER_KEYS.certificate)).raw);
  }
  return files;
}

/** wolfSSL's example server on a free 127.0.0.1 port. Resolves once it has bound the port; retries with another port when one was taken in between. */
export function startWolfsslServer(run: WolfsslServerRun): Promise<{ peer: PeerProcess; port: number }> {
  const args = (port: number) => ['-p', String(port), ...commonArgs(run), ...serverAuthArgs(run), ...((run.echo ?? true) ? ['-e'] : []), ...(run.args ?? [])];
  return startOnFreePort("wolfSSL's server", (port) => lineBuffered(run.binary, args(port), 'server'), (peer) => /bind failed/i.test(peer.stderr + peer.stdout));
}

/** wolfSSL's example client to 127.0.0.1:port: it sends WOLFSSL_MESSAGES.hello, prints the answer and closes. */
export function startWolfsslClient(run: WolfsslClientRun): PeerProcess {
  const args = ['-h', '127.0.0.1', '-p', String(run.port), ...commonArgs(run), ...clientAuthArgs(run), ...(run.args ?? [])];
  return lineBuffered(run.binary, args, 'client');
}

/** Runs an example under `stdbuf -oL` in wolfsslWorkDir(): its lines reach us as it prints them. */
function lineBuffered(binary: string, args: readonly string[], role: 'server' | 'client'): PeerProcess {
  return PeerProcess.start('stdbuf', ['-oL', binary, ...args], `wolfSSL ${role} ${args.join(' ')}`, wolfsslWorkDir());
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
