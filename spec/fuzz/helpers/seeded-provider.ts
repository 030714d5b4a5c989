import { x25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { NamedGroup } from '../../../lib/crypto/ecdhe.js';
import { nobleProvider, type CryptoProvider } from '../../../lib/crypto/provider.js';
import { Prng } from '../../wire/helpers/prng.js';

/**
 * The noble provider with its randomness (hello randoms, ephemeral keys, cookie
 * secrets) drawn from a seeded PRNG, so a fuzz run's handshakes, and therefore
 * the bytes it mutates, are the same for the same seed.
 */
export function seededProvider(seed: number): CryptoProvider {
  const prng = new Prng(seed);
  const randomBytes = (n: number): Uint8Array => prng.bytes(n);
  return {
    ...nobleProvider,
    name: `noble seeded ${seed}`,
    randomBytes,
    generateKeyShare(group) {
      if (group === NamedGroup.x25519) {
        const privateKey = randomBytes(32);
        return { group, privateKey, publicKey: x25519.getPublicKey(privateKey) };
      }
      if (group === NamedGroup.secp256r1) {
        let privateKey = randomBytes(32);
        while (!p256.utils.isValidSecretKey(privateKey)) privateKey = randomBytes(32);
        return { group, privateKey, publicKey: p256.getPublicKey(privateKey, false) };
      }
      return nobleProvider.generateKeyShare(group);
    },
  };
}
