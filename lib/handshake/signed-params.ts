import { encodeEcdheParams } from '../wire/server-key-exchange.js';

/**
 * What an ECDHE_ECDSA ServerKeyExchange signature covers (RFC 8422 §5.4):
 * client_random || server_random || ServerECDHParams.
 */
export function serverKeyExchangeSignedData(
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  namedGroup: number,
  publicKey: Uint8Array,
): Uint8Array {
  const params = encodeEcdheParams(namedGroup, publicKey);
  const data = new Uint8Array(64 + params.length);
  data.set(clientRandom, 0);
  data.set(serverRandom, 32);
  data.set(params, 64);
  return data;
}
