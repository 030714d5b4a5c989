import type { CipherSuite } from './cipher-suites.js';
import type { HashAlgorithm } from './hash.js';
import { prf, Prf } from './prf.js';

const RANDOM_LENGTH = 32;
const MASTER_SECRET_LENGTH = 48;
/** RFC 5246 §7.4.9: verify_data_length is 12 for every suite that does not say otherwise (none here does). */
const VERIFY_DATA_LENGTH = 12;

/** RFC 5246 §8.1: master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47]. */
export function computeMasterSecret(
  alg: HashAlgorithm,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Uint8Array {
  return prf(alg, preMasterSecret, 'master secret', randoms(clientRandom, serverRandom), MASTER_SECRET_LENGTH);
}

/**
 * RFC 7627 §4: master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47],
 * where session_hash is the hash of the handshake messages up to and including ClientKeyExchange.
 */
export function computeExtendedMasterSecret(
  alg: HashAlgorithm,
  preMasterSecret: Uint8Array,
  sessionHash: Uint8Array,
): Uint8Array {
  return prf(alg, preMasterSecret, 'extended master secret', sessionHash, MASTER_SECRET_LENGTH);
}

/**
 * A secret as the PRF takes it: the bytes, or a Prf already keyed with them (a handshake
 * keys its master secret once for the key block and both Finished messages).
 */
export type PrfSecret = Uint8Array | Prf;

function prfOf(alg: HashAlgorithm, secret: PrfSecret, label: string, seed: Uint8Array, length: number): Uint8Array {
  if (secret instanceof Uint8Array) return prf(alg, secret, label, seed, length);
  if (secret.algorithm !== alg) throw new RangeError(`key schedule: a ${secret.algorithm} PRF used for ${alg}`);
  return secret.compute(label, seed, length);
}

/** The traffic keys of one epoch. AEAD suites have no MAC keys (RFC 5246 §6.3: mac_key_length = 0). */
export interface KeyBlock {
  readonly clientWriteKey: Uint8Array;
  readonly serverWriteKey: Uint8Array;
  /** The implicit nonce part (RFC 5288 §3 salt, RFC 7905 §2 fixed IV), suite.fixedIvLength bytes. */
  readonly clientWriteIv: Uint8Array;
  readonly serverWriteIv: Uint8Array;
}

/**
 * RFC 5246 §6.3: key_block = PRF(master_secret, "key expansion", server_random + client_random),
 * note the randoms in the opposite order to the master secret's seed, partitioned as
 * client_write_MAC_key, server_write_MAC_key (both empty for AEAD), client_write_key,
 * server_write_key, client_write_IV, server_write_IV. The fields are views into one buffer.
 */
export function deriveKeyBlock(
  suite: CipherSuite,
  masterSecret: PrfSecret,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): KeyBlock {
  const { keyLength, fixedIvLength } = suite;
  const block = prfOf(
    suite.prfHash,
    masterSecret,
    'key expansion',
    randoms(serverRandom, clientRandom),
    2 * keyLength + 2 * fixedIvLength,
  );
  let offset = 0;
  const take = (n: number): Uint8Array => block.subarray(offset, (offset += n));
  return {
    clientWriteKey: take(keyLength),
    serverWriteKey: take(keyLength),
    clientWriteIv: take(fixedIvLength),
    serverWriteIv: take(fixedIvLength),
  };
}

/**
 * RFC 5246 §7.4.9: verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11].
 * `handshakeHash` is that hash, already computed with the suite's PRF hash.
 */
export function computeVerifyData(
  alg: HashAlgorithm,
  masterSecret: PrfSecret,
  label: 'client finished' | 'server finished',
  handshakeHash: Uint8Array,
): Uint8Array {
  return prfOf(alg, masterSecret, label, handshakeHash, VERIFY_DATA_LENGTH);
}

function randoms(first: Uint8Array, second: Uint8Array): Uint8Array {
  // The wire decoders guarantee 32-byte randoms; anything else is a caller bug.
  if (first.length !== RANDOM_LENGTH || second.length !== RANDOM_LENGTH) {
    throw new RangeError(`key schedule: randoms must be ${RANDOM_LENGTH} bytes`);
  }
  const seed = new Uint8Array(2 * RANDOM_LENGTH);
  seed.set(first, 0);
  seed.set(second, RANDOM_LENGTH);
  return seed;
}
