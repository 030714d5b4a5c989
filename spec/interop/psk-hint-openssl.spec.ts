import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, credentials } from '../../lib/index.js';
import { startOpensslServer } from './helpers/openssl.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { stopAllPeers } from './helpers/peer-process.js';
import { PSK_IDENTITY, PSK_KEY_HEX } from './helpers/psk.js';

const openssl = peerBinary('openssl');
const FAST = { handshakeTimeout: 5000, retransmit: { initialTimeout: 250, maxTimeout: 1000 } } as const;

describe.skipIf(openssl.skip)('client pskCallback against openssl s_server -psk_hint', () => {
  let bin: string;
  beforeEach(() => {
    bin = assertPeerPresent(openssl);
  });
  afterEach(stopAllPeers);

  it("sees s_server's identity hint from its ServerKeyExchange and answers with the PSK it chose", async () => {
    const { port } = await startOpensslServer({ binary: bin, cipher: 'PSK-AES128-CCM8', hint: 'gateway-hint-42', naccept: 1 });
    const hints: Array<string | null> = [];
    const session = await connect({
      host: '127.0.0.1',
      port,
      credentials: credentials(),
      cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'],
      pskCallback: (hint) => {
        hints.push(hint);
        return { identity: PSK_IDENTITY, psk: new Uint8Array(Buffer.from(PSK_KEY_HEX, 'hex')) };
      },
      ...FAST,
    });
    expect(hints).toEqual(['gateway-hint-42']);
    expect(session.info?.peer).toEqual({ kind: 'psk', identity: PSK_IDENTITY });
    session.close();
  });
});
