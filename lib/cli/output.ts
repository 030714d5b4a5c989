import { bytesToHex } from '@noble/hashes/utils.js';
import { DtlsError, type AlertInfo, type PeerAddress, type PublicPeerIdentity, type ServerEvent, type SessionEvent, type SocketBufferSizes } from '../index.js';

/** Where events go, one line at a time: people read them, or programs parse them (--json). */
export interface Printer {
  /** The server's address, and the socket buffers the kernel granted it. */
  listening(address: PeerAddress, socketBuffers?: SocketBufferSizes): void;
  /** A session's event; `remote` names the peer on a server, which has many. */
  session(event: SessionEvent, remote?: PeerAddress): void;
  server(event: ServerEvent): void;
  echoed(remote: PeerAddress, bytes: number): void;
  error(err: unknown): void;
}

export function createPrinter(options: { readonly json: boolean; readonly writeLine: (line: string) => void }): Printer {
  const { json, writeLine } = options;
  const emit = (fields: Record<string, unknown>, text: string, remote?: PeerAddress) => {
    if (json) writeLine(JSON.stringify(remote ? { ...fields, remote } : fields, bytesAsHex));
    else writeLine(remote ? `[${addressText(remote)}] ${text}` : text);
  };
  return {
    listening: (address, socketBuffers) =>
      emit(
        { event: 'listening', host: address.address, port: address.port, ...socketBuffers },
        `listening on ${addressText(address)}${socketBuffers ? ` (socket buffers granted: receive ${socketBuffers.recvBufferSize} bytes, send ${socketBuffers.sendBufferSize} bytes)` : ''}`,
      ),
    session: (event, remote) => emit(sessionEventFields(event), describeSessionEvent(event), remote),
    server: (event) => {
      const text = describeServerEvent(event);
      if (text === undefined) return;
      const { type, peer, ...rest } = event;
      emit({ event: type, ...rest }, text, peer);
    },
    echoed: (remote, bytes) => emit({ event: 'echo', bytes }, `echoed ${bytes} bytes`, remote),
    error: (err) => {
      const summary = errorSummary(err);
      emit({ event: 'error', ...summary }, `error: ${summary.code} ${summary.message}`);
    },
  };
}

/** One line for a person. */
export function describeSessionEvent(event: SessionEvent): string {
  switch (event.type) {
    case 'handshake-start':
      return `handshake started as ${event.role}`;
    case 'flight-sent':
      return `flight ${event.flight} sent: ${event.messages.join(', ')}`;
    case 'retransmit':
      return `flight ${event.flight} sent again (attempt ${event.attempt}, ${event.reason === 'timeout' ? 'timer expired' : 'the peer repeated its flight'})`;
    case 'handshake-complete':
      return `handshake complete${event.resumed ? ' (resumed)' : ''}: ${event.cipherSuite} with ${describePeer(event.peer)}${describeExtensions(event)}${event.connectionId ? `, ${describeConnectionId(event.connectionId)}` : ''}`;
    case 'alert':
      return `alert ${event.direction}: ${event.level} ${event.name}`;
    case 'keepalive-probe':
      return `the server was silent: heartbeat request sent (attempt ${event.attempt})`;
    case 'key-log-error':
      return `key log not written: ${event.error.message}`;
    case 'network-error':
      return `network error: ${event.error.code} ${event.error.message}`;
    case 'peer-address-changed':
      return `peer moved from ${event.from.address}:${event.from.port} to ${event.to.address}:${event.to.port}`;
    case 'closed':
      return event.error ? `closed: ${event.error.code} ${event.error.message}` : 'closed';
  }
}

/** RFC 9146: the CIDs each way, "none" for a zero-length one. */
function describeConnectionId(cid: { readonly receive: Uint8Array; readonly send: Uint8Array }): string {
  const text = (bytes: Uint8Array) => (bytes.length === 0 ? 'none' : bytesToHex(bytes));
  return `connection ID ours ${text(cid.receive)}, peer's ${text(cid.send)}`;
}

/** Server events a person wants to see; session-start and session-end repeat what the session's own events say. */
/** What ALPN, server_name and the record limits settled, when they did: ", ALPN coap, for a.example, records of at most 512 bytes". */
function describeExtensions(info: { readonly alpn?: string; readonly serverName?: string; readonly peerRecordSizeLimit?: number }): string {
  return [
    info.alpn === undefined ? '' : `, ALPN ${info.alpn}`,
    info.serverName === undefined ? '' : `, for ${info.serverName}`,
    info.peerRecordSizeLimit === undefined ? '' : `, records to it of at most ${info.peerRecordSizeLimit} bytes`,
  ].join('');
}

export function describeServerEvent(event: ServerEvent): string | undefined {
  switch (event.type) {
    case 'hello-verify-request':
      return `flight 2 sent: ${event.version === '1.3' ? HELLO_RETRY_REQUEST_FLIGHT : HELLO_VERIFY_REQUEST_FLIGHT}`;
    case 'dropped':
      return `datagram dropped: ${event.reason}`;
    default:
      return undefined;
  }
}

/** Flight 2, which the server's stateless cookie gate sends (it has no session to report it). */
export const HELLO_VERIFY_REQUEST_FLIGHT = 'HelloVerifyRequest with a cookie';
/** DTLS 1.3's flight 2 from the same gate (RFC 9147 §5.1). */
const HELLO_RETRY_REQUEST_FLIGHT = 'HelloRetryRequest with a cookie';

/** Who the peer proved to be, in the terms its credential gives. */
export function describePeer(peer: PublicPeerIdentity): string {
  switch (peer.kind) {
    case 'psk':
      return `psk identity ${peer.identity}`;
    case 'raw-public-key':
      // The fingerprint users pin: `openssl pkey -pubin -in key.pem -outform DER | sha256sum`.
      return `raw public key SHA-256 ${peer.fingerprint}`;
    case 'x509':
      return `certificate ${peer.subject}`;
    case 'anonymous':
      // A client a server did not ask for a certificate (RFC 5246 §7.4.4), or that sent none.
      return 'an unauthenticated peer';
  }
}

/** The fields of an event as JSON: "event" names it, the error becomes {code, message, alert}. */
export function sessionEventFields(event: SessionEvent): Record<string, unknown> {
  if (event.type === 'closed') return event.error ? { event: 'closed', error: errorSummary(event.error) } : { event: 'closed' };
  if (event.type === 'network-error') return { event: 'network-error', error: errorSummary(event.error) };
  const { type, ...rest } = event;
  return { event: type, ...rest };
}

export interface ErrorSummary {
  readonly code: string;
  readonly message: string;
  readonly alert?: AlertInfo;
}

/** Code and message of any error: a DtlsError, a Node system error (EADDRINUSE, ENOTFOUND), or else. */
export function errorSummary(err: unknown): ErrorSummary {
  if (err instanceof DtlsError) return err.alert ? { code: err.code, message: err.message, alert: err.alert } : { code: err.code, message: err.message };
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'ERROR', message: err.message };
  }
  return { code: 'ERROR', message: String(err) };
}

export function addressText({ address, port }: PeerAddress): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Raw public keys and certificates in JSON, as hex rather than {"0":48,"1":89,...}. */
function bytesAsHex(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? bytesToHex(value) : value;
}
