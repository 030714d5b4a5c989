import { parseArgs, type ParseArgsConfig } from 'node:util';
import { cipherSuiteByName } from '../crypto/cipher-suites.js';
import { parsePskArgument, type PskArgument } from './psk-argument.js';
import { PSK_SUITE_NAMES } from './psk-suites.js';
import { UsageError } from './usage-error.js';

/** What server and client share. Absent options are absent, so the library's defaults apply. */
export interface EndpointConfig {
  readonly host: string;
  readonly port: number;
  readonly cipherSuites?: readonly string[];
  readonly mtu?: number;
  readonly keyLog?: string;
  readonly json: boolean;
}

export interface ServerConfig extends EndpointConfig {
  readonly psks: readonly PskArgument[];
}

export interface ClientConfig extends EndpointConfig {
  readonly psk: PskArgument;
  /** Handshake timeout, ms. */
  readonly timeout: number;
  /** After the end of input, how long without a record before closing, ms. */
  readonly linger: number;
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

const endpointOptions = {
  host: { type: 'string' },
  port: { type: 'string' },
  psk: { type: 'string', multiple: true },
  cipher: { type: 'string', multiple: true },
  mtu: { type: 'string' },
  keylog: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseServerArgs(args: readonly string[]): ServerConfig | typeof HELP {
  const { values } = parse(args, endpointOptions);
  if (values.help) return HELP;
  const psks = (values.psk ?? []).map(parsePskArgument);
  if (psks.length === 0) throw new UsageError('--psk IDENTITY:KEY is required');
  const seen = new Set<string>();
  for (const { identity } of psks) {
    if (seen.has(identity)) throw new UsageError(`--psk identity "${identity}" is given twice`);
    seen.add(identity);
  }
  return {
    ...endpointConfig(values, values.port === undefined ? DEFAULT_SERVER_PORT : integer('--port', values.port, 0, 65_535)),
    psks,
  };
}

export function parseClientArgs(args: readonly string[]): ClientConfig | typeof HELP {
  const { values } = parse(args, { ...endpointOptions, timeout: { type: 'string' }, linger: { type: 'string' } });
  if (values.help) return HELP;
  if (values.port === undefined) throw new UsageError('--port PORT is required');
  const psks = values.psk ?? [];
  if (psks.length !== 1) throw new UsageError(`the client takes exactly one --psk IDENTITY:KEY, got ${psks.length}`);
  return {
    ...endpointConfig(values, integer('--port', values.port, 1, 65_535)),
    psk: parsePskArgument(psks[0]),
    timeout: values.timeout === undefined ? DEFAULT_CLIENT_TIMEOUT : integer('--timeout', values.timeout, 1, 2 ** 31 - 1),
    linger: values.linger === undefined ? DEFAULT_LINGER : integer('--linger', values.linger, 0, 2 ** 31 - 1),
  };
}

export function parseDemoArgs(args: readonly string[]): DemoConfig | typeof HELP {
  const { values } = parse(args, { cipher: endpointOptions.cipher, help: endpointOptions.help });
  if (values.help) return HELP;
  return values.cipher === undefined ? {} : { cipherSuites: cipherList(values.cipher) };
}

interface EndpointValues {
  readonly host?: string;
  readonly cipher?: string[];
  readonly mtu?: string;
  readonly keylog?: string;
  readonly json?: boolean;
}

function endpointConfig(values: EndpointValues, port: number): EndpointConfig {
  if (values.host === '') throw new UsageError('--host must not be empty');
  if (values.keylog === '') throw new UsageError('--keylog needs a file name');
  return {
    host: values.host ?? DEFAULT_HOST,
    port,
    json: values.json ?? false,
    ...(values.cipher === undefined ? {} : { cipherSuites: cipherList(values.cipher) }),
    ...(values.mtu === undefined ? {} : { mtu: integer('--mtu', values.mtu, MIN_MTU, MAX_MTU) }),
    ...(values.keylog === undefined ? {} : { keyLog: values.keylog }),
  };
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

function integer(name: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  return value;
}

/** --cipher A,B --cipher C: IANA names in order of preference, PSK key exchanges only. */
function cipherList(lists: readonly string[]): string[] {
  const names = lists.flatMap((list) => list.split(',')).map((name) => name.trim());
  for (const name of names) {
    if (PSK_SUITE_NAMES.includes(name)) continue;
    throw new UsageError(
      cipherSuiteByName(name)
        ? `--cipher ${name} needs a certificate; the command line takes pre-shared keys only`
        : `--cipher "${name}" is not a suite rx-dtls knows; use IANA names: ${PSK_SUITE_NAMES.join(', ')}`,
    );
  }
  return names;
}
