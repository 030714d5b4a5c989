import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { KeyExchange } from '../crypto/cipher-suites.js';
import type { DtlsVersion } from '../handshake/version-negotiation.js';
import type { MaxFragmentLength } from '../wire/max-fragment-length-extension.js';
import { parseCipherList } from './cipher-list.js';
import { parseAlpn, parseMaxFragmentLength, parseRecordSizeLimit, parseSni, type SniArgument } from './extension-args.js';
import { parseGroupList } from './group-list.js';
import { parsePskArgument, type PskArgument } from './psk-argument.js';
import { UsageError } from './usage-error.js';
import { parseClientCid, parseServerCid } from './cid-argument.js';
import type { ClientConnectionIdOption, ServerConnectionIdOption } from '../endpoint/connection-id-options.js';

/** The files that hold certificates and keys, as named on the command line; read when the command runs. */
export interface CredentialFiles {
  /** --cert and --key: our X.509 chain (PEM, leaf first) and the private key of its leaf. */
  readonly certificate?: { readonly chain: string; readonly key: string };
  /** --ca: roots trusted to issue the peer's chain. */
  readonly ca: readonly string[];
  /** --rpk-key: the P-256 private key whose public half is our raw public key (RFC 7250). */
  readonly rpkKey?: string;
  /** --trust-rpk: the peer raw public keys trusted. */
  readonly trustRpk: readonly string[];
}

/** What server and client share. Absent options are absent, so the library's defaults apply. */
export interface EndpointConfig {
  readonly host: string;
  readonly port: number;
  readonly files: CredentialFiles;
  readonly cipherSuites?: readonly string[];
  /** NamedGroup code points in order of preference. */
  readonly groups?: readonly number[];
  readonly mtu?: number;
  /** SO_RCVBUF / SO_SNDBUF to ask for, bytes. */
  readonly recvBufferSize?: number;
  readonly sendBufferSize?: number;
  readonly keyLog?: string;
  readonly json: boolean;
  /** --alpn: application protocols, most preferred first. */
  readonly alpn?: readonly string[];
  /** --record-size-limit: announced to the peer. */
  readonly recordSizeLimit?: number;
  /** --dtls 1.2|1.3|any: the versions accepted (a server) or offered (a client; any: both in one ClientHello). */
  readonly versions?: readonly DtlsVersion[];
}

export interface ServerConfig extends EndpointConfig {
  readonly psks: readonly PskArgument[];
  /** --cid: Connection IDs (RFC 9146); absent: the library's default. */
  readonly connectionId?: ServerConnectionIdOption;
  /** Absent: clients are not asked for a certificate. */
  readonly clientAuth?: 'optional' | 'required';
  /** --sni: host names served with their own certificates. */
  readonly sni: readonly SniArgument[];
  /** --sni-refuse-unknown: other names get unrecognized_name. */
  readonly refuseUnknownSni: boolean;
  /** --no-tickets: no RFC 5077 tickets, sessions resume by ID only (absent: tickets on). */
  readonly tickets?: false;
}

export interface ClientConfig extends EndpointConfig {
  readonly psk?: PskArgument;
  /** --cid: Connection IDs (RFC 9146); absent: not offered. */
  readonly connectionId?: ClientConnectionIdOption;
  /** The name the server's X.509 certificate must hold (the library defaults it to the host). */
  readonly serverName?: string;
  /** Handshake timeout, ms. */
  readonly timeout: number;
  /** After the end of input, how long without a record before closing, ms. */
  readonly linger: number;
  /** --max-fragment-length: asked of the server. */
  readonly maxFragmentLength?: MaxFragmentLength;
  /** --resume: a full handshake, then close and reconnect resuming it, as `openssl s_client -reconnect` does (once). */
  readonly resume?: true;
  /** --sess-in: the file a session to resume was saved in (base64). */
  readonly sessionIn?: string;
  /** --sess-out: the file the session is saved in (base64, mode 0600) once established. */
  readonly sessionOut?: string;
}

export interface DemoConfig {
  readonly cipherSuites?: readonly string[];
}

/** `--help` was asked for instead of running the command. */
export const HELP = 'help';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_SERVER_PORT = 5684;
export const DEFAULT_CLIENT_TIMEOUT = 30_000;
export const DEFAULT_LINGER = 1000;
// The bounds SessionOptions accepts (lib/endpoint/session-options.ts): checked here
// so a bad value is a usage error before any socket is bound.
const MIN_MTU = 64;
const MAX_MTU = 65_507;
const MAX_SOCKET_BUFFER = 2 ** 31 - 1;

const PSK_EXCHANGES: readonly KeyExchange[] = ['PSK', 'ECDHE_PSK'];

const endpointOptions = {
  host: { type: 'string' },
  port: { type: 'string' },
  psk: { type: 'string', multiple: true },
  // Multiple, so that one given twice is refused rather than the last one quietly winning.
  cert: { type: 'string', multiple: true },
  key: { type: 'string', multiple: true },
  ca: { type: 'string', multiple: true },
  'rpk-key': { type: 'string', multiple: true },
  'trust-rpk': { type: 'string', multiple: true },
  cipher: { type: 'string', multiple: true },
  groups: { type: 'string', multiple: true },
  mtu: { type: 'string' },
  'recv-buffer': { type: 'string' },
  'send-buffer': { type: 'string' },
  keylog: { type: 'string' },
  cid: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  alpn: { type: 'string' },
  'record-size-limit': { type: 'string' },
  dtls: { type: 'string' },
} as const;

const serverOptions = {
  ...endpointOptions,
  'require-client-auth': { type: 'boolean' },
  'request-client-auth': { type: 'boolean' },
  sni: { type: 'string', multiple: true },
  'sni-refuse-unknown': { type: 'boolean' },
  'no-tickets': { type: 'boolean' },
} as const;

const clientOptions = {
  ...endpointOptions,
  'server-name': { type: 'string' },
  timeout: { type: 'string' },
  linger: { type: 'string' },
  'max-fragment-length': { type: 'string' },
  resume: { type: 'boolean' },
  'sess-in': { type: 'string' },
  'sess-out': { type: 'string' },
} as const;

export function parseServerArgs(args: readonly string[]): ServerConfig | typeof HELP {
  const { values } = parse(args, serverOptions);
  if (values.help) return HELP;
  const files = credentialFiles(values);
  const psks = (values.psk ?? []).map(parsePskArgument);
  const seen = new Set<string>();
  for (const { identity } of psks) {
    if (seen.has(identity)) throw new UsageError(`--psk identity "${identity}" is given twice`);
    seen.add(identity);
  }
  const ownKey = files.certificate !== undefined || files.rpkKey !== undefined;
  if (psks.length === 0 && !ownKey) {
    throw new UsageError('the server needs credentials: --psk IDENTITY:KEY, --cert FILE --key FILE, or --rpk-key FILE');
  }
  const clientAuth = clientAuthentication(values, files, ownKey);
  const usable: KeyExchange[] = [...(ownKey ? (['ECDHE_ECDSA'] as const) : []), ...(psks.length > 0 ? PSK_EXCHANGES : [])];
  return {
    ...endpointConfig(values, values.port === undefined ? DEFAULT_SERVER_PORT : integer('--port', values.port, 0, 65_535), files, usable, (kx) =>
      kx === 'ECDHE_ECDSA' ? 'needs our certificate or raw public key: --cert FILE --key FILE, or --rpk-key FILE' : 'needs --psk IDENTITY:KEY',
    ),
    psks,
    ...(clientAuth === undefined ? {} : { clientAuth }),
    sni: parseSni(values.sni ?? []),
    refuseUnknownSni: serverNameRefusal(values),
    ...(values.cid === undefined ? {} : { connectionId: parseServerCid(values.cid) }),
    ...(values['no-tickets'] ? { tickets: false as const } : {}),
  };
}

export function parseClientArgs(args: readonly string[]): ClientConfig | typeof HELP {
  const { values } = parse(args, clientOptions);
  if (values.help) return HELP;
  if (values.port === undefined) throw new UsageError('--port PORT is required');
  const files = credentialFiles(values);
  const psks = values.psk ?? [];
  if (psks.length > 1) throw new UsageError(`the client takes one --psk IDENTITY:KEY, got ${psks.length}`);
  const checksServer = files.ca.length > 0 || files.trustRpk.length > 0;
  if (psks.length === 0 && !checksServer) {
    throw new UsageError('the client needs --psk IDENTITY:KEY, or --ca FILE or --trust-rpk FILE to authenticate the server');
  }
  if ((files.certificate !== undefined || files.rpkKey !== undefined) && !checksServer) {
    // RFC 5246 §7.4.6: a client certificate goes only in a handshake that authenticates the server by certificate.
    const given = files.certificate !== undefined ? '--cert' : '--rpk-key';
    throw new UsageError(`${given} is only sent in an ECDHE_ECDSA handshake, which needs --ca FILE or --trust-rpk FILE to authenticate the server`);
  }
  if (values['server-name'] === '') throw new UsageError('--server-name must not be empty');
  const usable: KeyExchange[] = [...(checksServer ? (['ECDHE_ECDSA'] as const) : []), ...(psks.length > 0 ? PSK_EXCHANGES : [])];
  return {
    ...endpointConfig(values, integer('--port', values.port, 1, 65_535), files, usable, (kx) =>
      kx === 'ECDHE_ECDSA' ? "needs --ca FILE or --trust-rpk FILE to authenticate the server's certificate or key" : 'needs --psk IDENTITY:KEY',
    ),
    ...(psks.length === 0 ? {} : { psk: parsePskArgument(psks[0]) }),
    ...(values['server-name'] === undefined ? {} : { serverName: values['server-name'] }),
    timeout: values.timeout === undefined ? DEFAULT_CLIENT_TIMEOUT : integer('--timeout', values.timeout, 1, 2 ** 31 - 1),
    linger: values.linger === undefined ? DEFAULT_LINGER : integer('--linger', values.linger, 0, 2 ** 31 - 1),
    ...(values['max-fragment-length'] === undefined ? {} : { maxFragmentLength: parseMaxFragmentLength(values['max-fragment-length']) }),
    ...(values.cid === undefined ? {} : { connectionId: parseClientCid(values.cid) }),
    ...(values.resume ? { resume: true as const } : {}),
    ...(values['sess-in'] === undefined ? {} : { sessionIn: fileName('--sess-in', values['sess-in']) }),
    ...(values['sess-out'] === undefined ? {} : { sessionOut: fileName('--sess-out', values['sess-out']) }),
  };
}

export function parseDemoArgs(args: readonly string[]): DemoConfig | typeof HELP {
  const { values } = parse(args, { cipher: endpointOptions.cipher, help: endpointOptions.help });
  if (values.help) return HELP;
  if (values.cipher === undefined) return {};
  return { cipherSuites: parseCipherList(values.cipher, PSK_EXCHANGES, () => 'needs a certificate; the demo uses pre-shared keys only') };
}

interface FileValues {
  readonly cert?: string[];
  readonly key?: string[];
  readonly ca?: string[];
  readonly 'rpk-key'?: string[];
  readonly 'trust-rpk'?: string[];
}

function credentialFiles(values: FileValues): CredentialFiles {
  const chain = single('--cert', values.cert);
  const key = single('--key', values.key);
  if (chain !== undefined && key === undefined) throw new UsageError('--cert FILE needs --key FILE, the private key of its first certificate');
  if (key !== undefined && chain === undefined) throw new UsageError('--key FILE needs --cert FILE (a raw public key is --rpk-key FILE)');
  const rpkKey = single('--rpk-key', values['rpk-key']);
  return {
    ...(chain !== undefined && key !== undefined ? { certificate: { chain, key } } : {}),
    ca: values.ca ?? [],
    ...(rpkKey === undefined ? {} : { rpkKey }),
    trustRpk: values['trust-rpk'] ?? [],
  };
}

function single(name: string, given: readonly string[] | undefined): string | undefined {
  if (given !== undefined && given.length > 1) throw new UsageError(`${name} is given ${given.length} times; it takes one FILE`);
  return given?.[0];
}

/** --require-client-auth / --request-client-auth, and what checking a client needs. */
function clientAuthentication(
  values: { readonly 'require-client-auth'?: boolean; readonly 'request-client-auth'?: boolean },
  files: CredentialFiles,
  ownKey: boolean,
): ServerConfig['clientAuth'] {
  const required = values['require-client-auth'] ?? false;
  const requested = values['request-client-auth'] ?? false;
  if (required && requested) throw new UsageError('--require-client-auth and --request-client-auth exclude each other');
  const flag = required ? '--require-client-auth' : '--request-client-auth';
  const trustsClients = files.ca.length > 0 || files.trustRpk.length > 0;
  if (required || requested) {
    if (!trustsClients) throw new UsageError(`${flag} needs --ca FILE or --trust-rpk FILE to check what clients send`);
    // RFC 5246 §7.4.4: only a server that authenticated itself by certificate may ask for one.
    if (!ownKey) throw new UsageError(`${flag} needs --cert FILE --key FILE or --rpk-key FILE: clients authenticate only in ECDHE_ECDSA handshakes`);
    return required ? 'required' : 'optional';
  }
  if (trustsClients) {
    const given = files.ca.length > 0 ? '--ca' : '--trust-rpk';
    throw new UsageError(`${given} on the server checks clients, which are asked only with --require-client-auth or --request-client-auth`);
  }
  return undefined;
}

/** --sni-refuse-unknown means something only beside --sni. */
function serverNameRefusal(values: { readonly sni?: string[]; readonly 'sni-refuse-unknown'?: boolean }): boolean {
  const refuse = values['sni-refuse-unknown'] ?? false;
  if (refuse && (values.sni ?? []).length === 0) throw new UsageError('--sni-refuse-unknown needs the names served: --sni NAME=CERT,KEY');
  return refuse;
}

interface EndpointValues {
  readonly dtls?: string;
  readonly alpn?: string;
  readonly 'record-size-limit'?: string;
  readonly host?: string;
  readonly cipher?: string[];
  readonly groups?: string[];
  readonly mtu?: string;
  readonly 'recv-buffer'?: string;
  readonly 'send-buffer'?: string;
  readonly keylog?: string;
  readonly json?: boolean;
}

function endpointConfig(
  values: EndpointValues,
  port: number,
  files: CredentialFiles,
  usable: readonly KeyExchange[],
  missing: (keyExchange: KeyExchange) => string,
): EndpointConfig {
  if (values.host === '') throw new UsageError('--host must not be empty');
  if (values.keylog === '') throw new UsageError('--keylog needs a file name');
  return {
    host: values.host ?? DEFAULT_HOST,
    port,
    files,
    json: values.json ?? false,
    ...(values.cipher === undefined ? {} : { cipherSuites: parseCipherList(values.cipher, usable, missing) }),
    ...(values.groups === undefined ? {} : { groups: parseGroupList(values.groups) }),
    ...(values.mtu === undefined ? {} : { mtu: integer('--mtu', values.mtu, MIN_MTU, MAX_MTU) }),
    ...(values['recv-buffer'] === undefined ? {} : { recvBufferSize: integer('--recv-buffer', values['recv-buffer'], 1, MAX_SOCKET_BUFFER) }),
    ...(values['send-buffer'] === undefined ? {} : { sendBufferSize: integer('--send-buffer', values['send-buffer'], 1, MAX_SOCKET_BUFFER) }),
    ...(values.keylog === undefined ? {} : { keyLog: values.keylog }),
    ...(values.alpn === undefined ? {} : { alpn: parseAlpn(values.alpn) }),
    ...(values['record-size-limit'] === undefined ? {} : { recordSizeLimit: parseRecordSizeLimit(values['record-size-limit']) }),
    ...(values.dtls === undefined ? {} : { versions: parseDtlsVersions(values.dtls) }),
  };
}

/** --dtls 1.2, 1.3 or any (both). */
function parseDtlsVersions(text: string): DtlsVersion[] {
  const versions: Record<string, DtlsVersion[]> = { '1.2': ['1.2'], '1.3': ['1.3'], any: ['1.2', '1.3'] };
  const chosen = versions[text];
  if (!chosen) throw new UsageError(`--dtls must be 1.2, 1.3 or any, got "${text}"`);
  return chosen;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs in strict mode, its errors turned into one-line usage errors. */
function parse<O extends Options>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  } catch (err) {
    // Node's messages name the option ("Unknown option '--prot'"); some run over several lines.
    const first = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const ambiguous = /^Option '(?:-\w, )?(--[\w-]+)[^']*' argument is ambiguous/.exec(first);
    throw new UsageError(ambiguous ? `${ambiguous[1]} needs a value (one that starts with "-" is written ${ambiguous[1]}=VALUE)` : first);
  }
}

function fileName(name: string, value: string): string {
  if (value === '') throw new UsageError(`${name} needs a file name`);
  return value;
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  return value;
}
