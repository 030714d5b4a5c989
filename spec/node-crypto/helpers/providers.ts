import { nobleProvider, type CryptoProvider } from '../../../lib/crypto/provider.js';
import { nodeCryptoProvider } from '../../../lib/node-crypto/node-crypto-provider.js';

/** Every provider the vector and contract specs run against; the differential spec pairs them. */
export const PROVIDERS: readonly CryptoProvider[] = [nobleProvider, nodeCryptoProvider];
