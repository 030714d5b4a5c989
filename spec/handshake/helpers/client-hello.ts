import type { ClientHello } from '../../../lib/wire/client-hello.js';
import { DTLS_1_2 } from '../../../lib/wire/constants.js';

/** A plausible ClientHello for specs; fields can be overridden one by one. */
export function clientHello(overrides: Partial<ClientHello> = {}): ClientHello {
  return {
    clientVersion: DTLS_1_2,
    random: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
    sessionId: new Uint8Array(0),
    cookie: new Uint8Array(0),
    cipherSuites: [0xc0a8, 0x00a8],
    compressionMethods: [0],
    extensions: [],
    ...overrides,
  };
}
