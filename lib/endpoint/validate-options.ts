import { isSupportedGroup, SUPPORTED_GROUPS } from '../crypto/ecdhe.js';
import { CredentialStore } from '../credentials/credential-store.js';
import { DtlsError } from '../dtls-error.js';
import { MAX_REPLAY_WINDOW_SIZE } from '../record/replay-window.js';
import { checkClientExtensionOptions, checkServerExtensionOptions } from './validate-extension-options.js';
import { checkConnectionIdOption } from './connection-id-options.js';
import { TICKET_KEY_LENGTH } from '../handshake/ticket-keys.js';
import { MIN_MASTER_SECRET_LENGTH } from '../handshake/shared-secrets.js';
import { SessionResumption } from './session-resumption.js';

/**
 * Checks of what users pass to the endpoints, made when the call is made, so a bad
 * argument is a DtlsError EINVAL naming the option and what it accepts, reported
 * where the user can catch it (a throw, a rejection, an Observable error) instead of
 * a Node error thrown later from a socket callback or a timer that fires at once.
 */

/** node:timers keeps a delay in a signed 32-bit integer; a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The largest UDP payload over IPv4 (65535 - 20 - 8). */
export const MAX_UDP_PAYLOAD = 65_507;

/** The largest socket buffer size setsockopt takes (an int). */
export const MAX_SOCKET_BUFFER = 2 ** 31 - 1;

/** Smallest MTU with room for a handshake fragment of a protected record. */
export const MIN_MTU = 64;

type Options = Readonly<Record<string, unknown>>;

function invalid(name: string, accepted: string, value: unknown): DtlsError {
  return new DtlsError('EINVAL', `${name} must be ${accepted}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

/** An integer in min..max, when given. */
export function checkInteger(options: Options, name: string, min: number, max: number): void {
  const value = options[name];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(name, `an integer from ${min} to ${max}`, value);
  }
}

/** A timer in milliseconds, when given: positive, and short enough for node:timers. */
export function checkMilliseconds(options: Options, name: string, label = name): void {
  const value = options[name];
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value > 0) || value > MAX_TIMER_MS) {
    throw invalid(label, `a number of milliseconds from 1 to ${MAX_TIMER_MS}`, value);
  }
}

function checkOneOf(options: Options, name: string, accepted: readonly string[]): void {
  const value = options[name];
  if (value !== undefined && !accepted.includes(value as string)) throw invalid(name, `one of ${accepted.map((a) => `"${a}"`).join(', ')}`, value);
}

function checkFunction(options: Options, name: string): void {
  const value = options[name];
  if (value !== undefined && typeof value !== 'function') throw invalid(name, 'a function', value);
}

function checkNonEmptyString(options: Options, name: string, required: boolean): void {
  const value = options[name];
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || value.length === 0) throw invalid(name, 'a non-empty string (a host name or an IP address)', value);
}

/** The per-session options (mtu, timers, buffer sizes, replay window, scheduler, keyLog). */
export function checkSessionOptions(options: Options): void {
  checkInteger(options, 'mtu', MIN_MTU, MAX_UDP_PAYLOAD);
  const retransmit = options['retransmit'];
  if (retransmit !== undefined) {
    if (retransmit === null || typeof retransmit !== 'object') throw invalid('retransmit', '{ initialTimeout, maxTimeout } in milliseconds', retransmit);
    const timers = retransmit as Options;
    if (timers['initialTimeout'] === undefined || timers['maxTimeout'] === undefined) {
      throw invalid('retransmit', '{ initialTimeout, maxTimeout } in milliseconds, both given', retransmit);
    }
    checkMilliseconds(timers, 'initialTimeout', 'retransmit.initialTimeout');
    checkMilliseconds(timers, 'maxTimeout', 'retransmit.maxTimeout');
    if ((timers['initialTimeout'] as number) > (timers['maxTimeout'] as number)) {
      throw invalid('retransmit.initialTimeout', `at most retransmit.maxTimeout (${timers['maxTimeout'] as number})`, timers['initialTimeout']);
    }
  }
  checkMilliseconds(options, 'handshakeTimeout');
  const silent = options['maxSilentTimeouts'];
  if (silent !== undefined && silent !== Number.POSITIVE_INFINITY && !(Number.isInteger(silent) && (silent as number) >= 1 && (silent as number) <= 64)) {
    throw invalid('maxSilentTimeouts', 'an integer from 1 to 64, or Infinity', silent);
  }
  checkInteger(options, 'replayWindow', 1, MAX_REPLAY_WINDOW_SIZE);
  checkInteger(options, 'maxHandshakeBufferBytes', 1, 2 ** 30);
  checkInteger(options, 'maxFutureHandshakeMessages', 0, 2 ** 16);
  checkInteger(options, 'maxHeldRecords', 0, 2 ** 16);
  const scheduler = options['scheduler'] as { now?: unknown; schedule?: unknown } | undefined;
  if (scheduler !== undefined && (typeof scheduler?.now !== 'function' || typeof scheduler.schedule !== 'function')) {
    throw invalid('scheduler', 'an RxJS SchedulerLike (asyncScheduler, a TestScheduler)', scheduler);
  }
  checkFunction(options, 'keyLog');
}

/** What both roles take besides the session options: credentials, tag, suites, groups, provider, signal, socket buffers. */
function checkEndpointOptions(options: Options): void {
  if (!(options['credentials'] instanceof CredentialStore)) throw invalid('credentials', 'a CredentialStore (from credentials())', options['credentials']);
  // SO_RCVBUF / SO_SNDBUF take an int; Linux caps what it grants at rmem_max / wmem_max.
  checkInteger(options, 'recvBufferSize', 1, MAX_SOCKET_BUFFER);
  checkInteger(options, 'sendBufferSize', 1, MAX_SOCKET_BUFFER);
  checkInteger(options, 'tag', 0, Number.MAX_SAFE_INTEGER);
  const suites = options['cipherSuites'];
  if (suites !== undefined && (!Array.isArray(suites) || suites.some((s) => typeof s !== 'string'))) {
    throw invalid('cipherSuites', 'an array of IANA cipher suite names', suites);
  }
  checkVersions(options['versions']);
  const groups = options['groups'];
  if (groups !== undefined && (!Array.isArray(groups) || groups.length === 0 || groups.some((g) => typeof g !== 'number' || !isSupportedGroup(g)))) {
    throw invalid('groups', `a non-empty array of supported named groups (${SUPPORTED_GROUPS.join(', ')})`, groups);
  }
  const provider = options['provider'];
  if (provider !== undefined && (provider === null || typeof provider !== 'object')) throw invalid('provider', 'a CryptoProvider', provider);
  const signal = options['signal'];
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalid('signal', 'an AbortSignal', signal);
  const transport = options['transport'] as { send?: unknown; datagrams$?: unknown } | undefined;
  if (transport !== undefined && (typeof transport?.send !== 'function' || typeof transport.datagrams$ !== 'object')) {
    throw invalid('transport', 'a DatagramTransport', transport);
  }
  checkSessionOptions(options);
}

/** The DTLS versions an endpoint accepts: a non-empty list of "1.2" and "1.3", each once. */
function checkVersions(versions: unknown): void {
  if (versions === undefined) return;
  const known = ['1.2', '1.3'];
  if (!Array.isArray(versions) || versions.length === 0 || versions.some((v, i) => !known.includes(v as string) || versions.indexOf(v) !== i)) {
    throw invalid('versions', 'a non-empty array of "1.2" and "1.3", each at most once', versions);
  }
}

/** connect, connect$, openClientSession and the client dgram socket. */
export function checkClientOptions(options: Options): void {
  if (options === null || typeof options !== 'object') throw invalid('options', 'an object', options);
  checkNonEmptyString(options, 'host', true);
  checkInteger(options, 'port', 1, 65_535);
  if (options['port'] === undefined) throw invalid('port', 'an integer from 1 to 65535', undefined);
  checkNonEmptyString(options, 'serverName', false);
  checkOneOf(options, 'icmpErrors', ['fail', 'ignore']);
  checkConnectionIdOption(options.connectionId, 'client');
  checkInteger(options, 'icmpErrorLimit', 1, Number.MAX_SAFE_INTEGER);
  checkClientExtensionOptions(options);
  checkResumeOptions(options);
  checkKeepalive(options['keepalive']);
  checkEndpointOptions(options);
  const versions = options['versions'] as readonly string[] | undefined;
  if (versions?.includes('1.3')) {
    // Rather than a handshake that quietly leaves out what was asked for (a client offering
    // 1.2 too would have it only if the server answers 1.2).
    const unsupported = ['maxFragmentLength', 'pskCallback'].filter((name) => options[name] !== undefined);
    if (unsupported.length > 0) throw new DtlsError('EINVAL', `${unsupported.join(', ')} ${unsupported.length > 1 ? 'are' : 'is'} not implemented for DTLS 1.3 yet (versions ${JSON.stringify(versions)})`);
  }
}

/** A client's keepalive: { interval, timeout } in milliseconds, the interval shorter. */
function checkKeepalive(keepalive: unknown): void {
  if (keepalive === undefined) return;
  const accepted = '{ interval, timeout } in milliseconds, interval less than timeout';
  if (keepalive === null || typeof keepalive !== 'object') throw invalid('keepalive', accepted, keepalive);
  const timers = keepalive as Options;
  if (timers['interval'] === undefined || timers['timeout'] === undefined) throw invalid('keepalive', `${accepted}, both given`, keepalive);
  checkMilliseconds(timers, 'interval', 'keepalive.interval');
  checkMilliseconds(timers, 'timeout', 'keepalive.timeout');
  if ((timers['interval'] as number) >= (timers['timeout'] as number)) {
    throw invalid('keepalive.interval', `less than keepalive.timeout (${timers['timeout'] as number})`, timers['interval']);
  }
}

/** createServer, and the server of a sock: a server's settings and its transport. */
export function checkServerOptions(options: Options): void {
  if (options === null || typeof options !== 'object') throw invalid('options', 'an object', options);
  if (options['transport'] === undefined) throw invalid('transport', 'a DatagramTransport (listen() binds a UDP one)', undefined);
  checkServerSettings(options);
}

/** A server's own settings and what every endpoint takes, without a transport (listen and a sock bring their own). */
export function checkServerSettings(options: Options): void {
  checkInteger(options, 'maxSessions', 1, Number.MAX_SAFE_INTEGER);
  checkInteger(options, 'maxHandshakes', 1, Number.MAX_SAFE_INTEGER);
  checkInteger(options, 'maxPendingLookups', 1, Number.MAX_SAFE_INTEGER);
  checkInteger(options, 'maxHandshakeBytesTotal', 1, Number.MAX_SAFE_INTEGER);
  checkMilliseconds(options, 'idleTimeout');
  checkMilliseconds(options, 'cookieRotation');
  checkOneOf(options, 'clientAuth', ['none', 'optional', 'required']);
  checkServerExtensionOptions(options);
  checkConnectionIdOption(options.connectionId, 'server');
  checkResumptionSettings(options);
  checkEndpointOptions(options);
}

/** listen and listenDgram: a server's options and the UDP address to bind (port 0 picks a free one). */
export function checkListenOptions(options: Options): void {
  if (options === null || typeof options !== 'object') throw invalid('options', 'an object', options);
  checkNonEmptyString(options, 'host', false);
  checkInteger(options, 'port', 0, 65_535);
  checkServerSettings({ ...options, transport: undefined });
}

function checkBoolean(options: Options, name: string): void {
  const value = options[name];
  if (value !== undefined && typeof value !== 'boolean') throw invalid(name, 'true or false', value);
}

/** A client's session to resume (a SessionResumption, or its bytes or base64) and whether it asks for tickets. */
function checkResumeOptions(options: Options): void {
  const resume = options['resume'];
  if (resume !== undefined && !(resume instanceof SessionResumption)) {
    if (!(resume instanceof Uint8Array) && typeof resume !== 'string') throw invalid('resume', 'a SessionResumption, or the bytes or base64 of one', resume);
    SessionResumption.from(resume);
  }
  checkBoolean(options, 'tickets');
}

/** A server's session cache, ticket switch, ticket keys and session lifetime. */
function checkResumptionSettings(options: Options): void {
  checkInteger(options, 'sessionCacheSize', 0, Number.MAX_SAFE_INTEGER);
  checkInteger(options, 'sessionLifetime', 1, Number.MAX_SAFE_INTEGER);
  checkBoolean(options, 'tickets');
  if (options['ticketKeys'] !== undefined) checkTicketKeys(options['ticketKeys']);
  checkMasterSecret(options['masterSecret']);
}

/** A master secret every server of a cluster shares: bytes, enough of them. Its value is never echoed. */
function checkMasterSecret(secret: unknown): void {
  if (secret === undefined) return;
  if (!(secret instanceof Uint8Array) || secret.length < MIN_MASTER_SECRET_LENGTH) {
    const got = secret instanceof Uint8Array ? `${secret.length} bytes` : typeof secret === 'string' ? 'a string' : describe(secret);
    throw new DtlsError('EINVAL', `masterSecret must be a Uint8Array of at least ${MIN_MASTER_SECRET_LENGTH} random bytes, got ${got}`);
  }
}

/** Ticket keys as the `ticketKeys` option and `setTicketKeys()` take them. */
export function checkTicketKeys(keys: unknown): void {
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => !(k instanceof Uint8Array) || k.length !== TICKET_KEY_LENGTH)) {
    throw invalid('ticketKeys', `a non-empty array of ${TICKET_KEY_LENGTH}-byte keys (a 16-byte name, then a 32-byte key), the current one first`, keys);
  }
}
