import type { ClientConnectionIdOption } from '../endpoint/connection-id-options.js';
import type { ServerConnectionIdOption } from '../endpoint/connection-id-options.js';
import { UsageError } from './usage-error.js';

const LENGTH = /^\d{1,3}$/;

/**
 * `--cid` on the server (RFC 9146): a CID length to issue (0 to 255), `require` (refuse
 * clients that do not offer CIDs, default length), or `off` (ignore offers).
 */
export function parseServerCid(text: string): ServerConnectionIdOption {
  if (text === 'off') return false;
  if (text === 'require') return { required: true };
  return { length: cidLength(text, "a length from 0 to 255, 'require' or 'off'") };
}

/**
 * `--cid` on the client (RFC 9146): `offer` (ask the server for a CID, take none), `require`
 * (fail without CIDs), or a length: offer, and receive with a CID of that many bytes.
 */
export function parseClientCid(text: string): ClientConnectionIdOption {
  if (text === 'offer' || text === 'require') return text;
  return { length: cidLength(text, "'offer', 'require' or a length from 0 to 255") };
}

function cidLength(text: string, accepted: string): number {
  const value = LENGTH.test(text) ? Number(text) : NaN;
  if (!(value <= 255)) throw new UsageError(`--cid takes ${accepted}, got "${text}"`);
  return value;
}
