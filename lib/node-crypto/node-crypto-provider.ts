import type { CryptoProvider } from '../crypto/provider.js';
import { createNodeAead } from './node-aead.js';
import { nodeComputeSharedSecret, nodeGenerateKeyShare } from './node-ecdhe.js';
import { nodeEcdsaSign, nodeEcdsaVerify } from './node-ecdsa.js';
import { nodeHash, nodeHmac, nodeRandomBytes } from './node-hash.js';

/**
 * The CryptoProvider on node:crypto (the OpenSSL Node is built with): AES-CCM/GCM and
 * ChaCha20-Poly1305 through createCipheriv (AES records under 256 bytes through the JS
 * modes of lib/crypto, which beat a new OpenSSL context at that size: node-aead.ts), ECDH
 * through createECDH (P-256) and KeyObjects
 * (X25519), ECDSA through sign/verify with DER signatures. Same contracts as nobleProvider,
 * cross-checked against it in spec/node-crypto. Select it with `provider: nodeCryptoProvider`
 * on listen/createServer/connect.
 */
export const nodeCryptoProvider: CryptoProvider = Object.freeze({
  name: 'node:crypto',
  createAead: createNodeAead,
  hash: nodeHash,
  hmac: nodeHmac,
  randomBytes: nodeRandomBytes,
  generateKeyShare: nodeGenerateKeyShare,
  computeSharedSecret: nodeComputeSharedSecret,
  ecdsaSign: nodeEcdsaSign,
  ecdsaVerify: nodeEcdsaVerify,
});
