import { credentials, type CredentialStore } from '../../../lib/index.js';

/** The PSK every peer command line in /work/shared/PEERS.md uses. */
export const PSK_IDENTITY = 'Client_identity';
export const PSK_KEY_HEX = '73656372657450534b'; // "secretPSK"
/** A key that differs from PSK_KEY_HEX, for the negative cases. */
export const WRONG_PSK_KEY_HEX = '77726f6e6750534b'; // "wrongPSK"

export function pskStore(identity = PSK_IDENTITY, keyHex = PSK_KEY_HEX, hint?: string): CredentialStore {
  return credentials().psk({ tag: 0, identity, key: new Uint8Array(Buffer.from(keyHex, 'hex')), hint });
}
