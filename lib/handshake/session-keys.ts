import type { CipherSuite } from '../crypto/cipher-suites.js';
import { computeExtendedMasterSecret, computeMasterSecret, deriveKeyBlock } from '../crypto/key-schedule.js';
import { Prf } from '../crypto/prf.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { aeadCipher, type RecordCipher } from '../record/record-cipher.js';
import type { NegotiatedConnectionIds } from './connection-id-negotiation.js';

export interface SessionKeys {
  readonly masterSecret: Uint8Array;
  /** The PRF keyed with the master secret, for both Finished messages; destroy it once they are done. */
  readonly master: Prf;
  readonly read: RecordCipher;
  readonly write: RecordCipher;
}

/**
 * From the premaster secret to the epoch 1 record ciphers of one side. With the
 * extended master secret (RFC 7627 §4) the session hash covers the transcript up
 * to and including ClientKeyExchange.
 */
export function deriveSessionKeys(args: {
  readonly provider: CryptoProvider;
  readonly suite: CipherSuite;
  readonly role: 'client' | 'server';
  readonly preMasterSecret: Uint8Array;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  /** The session hash for RFC 7627, or undefined for the classic master secret. */
  readonly sessionHash: Uint8Array | undefined;
  /** RFC 9146: the CIDs agreed, which the epoch's records carry. */
  readonly connectionIds?: NegotiatedConnectionIds;
}): SessionKeys {
  const { suite, preMasterSecret, clientRandom, serverRandom, sessionHash } = args;
  const masterSecret =
    sessionHash !== undefined
      ? computeExtendedMasterSecret(suite.prfHash, preMasterSecret, sessionHash)
      : computeMasterSecret(suite.prfHash, preMasterSecret, clientRandom, serverRandom);
  return sessionKeysFromMaster({ ...args, masterSecret });
}

/**
 * The epoch 1 record ciphers of one side from a master secret: a full handshake's, or
 * (RFC 5246 §7.3, abbreviated handshake) the resumed session's with the new randoms.
 */
export function sessionKeysFromMaster(args: {
  readonly provider: CryptoProvider;
  readonly suite: CipherSuite;
  readonly role: 'client' | 'server';
  readonly masterSecret: Uint8Array;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  /** RFC 9146: the CIDs agreed, which the epoch's records carry. */
  readonly connectionIds?: NegotiatedConnectionIds;
}): SessionKeys {
  const { provider, suite, role, masterSecret, clientRandom, serverRandom, connectionIds } = args;
  const master = new Prf(suite.prfHash, masterSecret);
  const block = deriveKeyBlock(suite, master, clientRandom, serverRandom);
  const create = provider.createAead.bind(provider);
  // Records to the server carry the server's CID, records to the client the client's.
  const toServer = role === 'server' ? connectionIds?.read : connectionIds?.write;
  const toClient = role === 'server' ? connectionIds?.write : connectionIds?.read;
  const client = aeadCipher(1, suite, block.clientWriteKey, block.clientWriteIv, create, toServer);
  const server = aeadCipher(1, suite, block.serverWriteKey, block.serverWriteIv, create, toClient);
  return role === 'client'
    ? { masterSecret, master, read: server, write: client }
    : { masterSecret, master, read: client, write: server };
}
