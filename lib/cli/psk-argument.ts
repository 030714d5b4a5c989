import { hexToBytes } from '@noble/hashes/utils.js';
import { utf8 } from '../credentials/credential-store.js';
import { UsageError } from './usage-error.js';

/** One `--psk IDENTITY:KEY` argument. */
export interface PskArgument {
  readonly identity: string;
  readonly key: Uint8Array;
}

const HEX_PREFIX = 'hex:';

/**
 * Reads IDENTITY:KEY. The identity ends at the first colon, so a key may
 * contain colons; KEY is UTF-8 text, or hex digits after "hex:" (the form
 * `openssl -psk` takes), because real device keys are rarely printable.
 */
export function parsePskArgument(text: string): PskArgument {
  const colon = text.indexOf(':');
  if (colon < 0) throw new UsageError(`--psk needs IDENTITY:KEY, got "${text}"`);
  const identity = text.slice(0, colon);
  const keyText = text.slice(colon + 1);
  if (identity === '') throw new UsageError(`--psk "${text}" has an empty identity`);
  if (keyText === '' || keyText === HEX_PREFIX) throw new UsageError(`--psk "${text}" has an empty key`);
  return { identity, key: keyText.startsWith(HEX_PREFIX) ? hexKey(keyText.slice(HEX_PREFIX.length)) : utf8(keyText) };
}

function hexKey(hex: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) {
    throw new UsageError(`--psk key "hex:${hex}" is not an even number of hex digits`);
  }
  return hexToBytes(hex);
}
