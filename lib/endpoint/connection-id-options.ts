import type { CryptoProvider } from '../crypto/provider.js';
import { DtlsError } from '../dtls-error.js';
import type { ConnectionIdPolicy } from '../handshake/connection-id-negotiation.js';
import { MAX_CONNECTION_ID_LENGTH } from '../wire/connection-id-extension.js';

/**
 * A server's Connection IDs (RFC 9146): it issues each client that offers the extension a
 * random CID of `length` bytes, finds the session by it before the address, and so keeps
 * a session whose NAT rebinding moved the client's port. `length: 0` answers the offer
 * without a CID of our own (we send the client's, but cannot find it after a rebinding);
 * `required` refuses clients that do not offer; `false` ignores offers.
 */
export type ServerConnectionIdOption =
  | false
  | {
      /** Bytes of each CID we issue, 0 to 255 (default 4). */
      readonly length?: number;
      /** Fail handshakes whose client does not offer CIDs (default false). */
      readonly required?: boolean;
      /**
       * Bytes every CID we issue starts with, shorter than `length`; the rest is random.
       * A router in front of several servers finds the server of a session by it, whatever
       * address the client's NAT moved it to (as a worker's index does in listenCluster,
       * or a server id in a QUIC-LB-style CID-aware balancer). Default none.
       */
      readonly prefix?: Uint8Array;
    };

/**
 * A client's Connection IDs (RFC 9146): `'offer'` asks the server for one and takes none
 * for itself (a zero-length CID: a client on its own socket needs none to be found);
 * `'require'` also fails the handshake when the server does not use them; the object
 * form asks for a CID of `length` bytes to receive with. Default false: not offered.
 */
export type ClientConnectionIdOption =
  | false
  | 'offer'
  | 'require'
  | {
      /** Bytes of the CID we receive with, 0 to 255 (default 0). */
      readonly length?: number;
      /** Fail the handshake when the server does not use CIDs (default false). */
      readonly required?: boolean;
    };

/**
 * 4 bytes: 2^32 values make a random CID unique among a fleet's sessions with a retry now
 * and then, while adding only 4 bytes (plus the inner content type) to every record of a
 * constrained link; CoAP/LwM2M servers commonly issue 4 to 6.
 */
export const DEFAULT_SERVER_CID_LENGTH = 4;

/** Throws DtlsError EINVAL for a connectionId option that is not one of the forms above. */
export function checkConnectionIdOption(value: unknown, role: 'client' | 'server'): void {
  if (value === undefined || value === false) return;
  if (role === 'client' && (value === 'offer' || value === 'require')) return;
  const accepted =
    role === 'client' ? "false, 'offer', 'require' or { length?: 0..255, required?: boolean }" : 'false or { length?: 0..255, required?: boolean }';
  const bad = (): DtlsError => new DtlsError('EINVAL', `connectionId must be ${accepted}, got ${JSON.stringify(value)}`);
  if (typeof value !== 'object' || value === null) throw bad();
  const { length, required, prefix } = value as { length?: unknown; required?: unknown; prefix?: unknown };
  if (length !== undefined && (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > MAX_CONNECTION_ID_LENGTH)) throw bad();
  if (required !== undefined && typeof required !== 'boolean') throw bad();
  if (prefix === undefined) return;
  const cidLength = (length as number | undefined) ?? DEFAULT_SERVER_CID_LENGTH;
  if (role === 'client' || !(prefix instanceof Uint8Array) || prefix.length >= cidLength) {
    throw new DtlsError('EINVAL', `connectionId.prefix must be a Uint8Array shorter than connectionId.length (${cidLength}), on a server`);
  }
}

/** The bytes every CID a server issues starts with (none by default). */
export function serverConnectionIdPrefix(option: ServerConnectionIdOption | undefined): Uint8Array | undefined {
  return option === false ? undefined : option?.prefix;
}

/** The length of the CIDs a server issues, or undefined when it ignores offers. */
export function serverConnectionIdLength(option: ServerConnectionIdOption | undefined): number | undefined {
  if (option === false) return undefined;
  return option?.length ?? DEFAULT_SERVER_CID_LENGTH;
}

/** The client's policy: the random CID it asks to receive with, and whether it requires CIDs. */
export function clientConnectionIdPolicy(option: ClientConnectionIdOption | undefined, provider: CryptoProvider): ConnectionIdPolicy | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === 'offer' || option === 'require') return { own: new Uint8Array(0), required: option === 'require' };
  return { own: provider.randomBytes(option.length ?? 0), required: option.required ?? false };
}
