import { describe, expect, it } from 'vitest';
import { credentials } from '../../lib/credentials/credential-store.js';
import { ecdsaPublicKey } from '../../lib/crypto/ecdsa.js';
import { peerFixture } from '../crypto/helpers/fixtures.js';

const CERT = peerFixture('ecdsa-p256-cert.pem');
const KEY = peerFixture('ecdsa-p256-key.pem');
const PEER_KEY = ecdsaPublicKey(new Uint8Array(32).fill(7));

describe('CredentialStore', () => {
  describe('keyExchanges for a client', () => {
    it('offers ECDHE_ECDSA only under a tag that can judge the server: roots, trusted raw keys or a trust callback', () => {
      const store = credentials()
        .x509({ tag: 1, ca: CERT })
        .ecdsa({ tag: 2, trustedPeers: [PEER_KEY] })
        .ecdsa({ tag: 3, trust: () => true })
        .psk({ tag: 4, identity: 'id', key: 'key' })
        .x509({ tag: 5, certificate: CERT, privateKey: KEY });
      expect(store.keyExchanges(1, 'client')).toEqual(['ECDHE_ECDSA']);
      expect(store.keyExchanges(2, 'client')).toEqual(['ECDHE_ECDSA']);
      expect(store.keyExchanges(3, 'client')).toEqual(['ECDHE_ECDSA']);
      expect(store.keyExchanges(4, 'client')).toEqual(['PSK', 'ECDHE_PSK']);
      // Our own certificate does not let a client judge the server.
      expect(store.keyExchanges(5, 'client')).toEqual([]);
      expect(store.keyExchanges(9, 'client')).toEqual([]);
    });
  });

  describe('authenticator', () => {
    it('is undefined under a tag that trusts nothing, and judges X.509 or raw keys by what the tag holds', () => {
      const store = credentials().x509({ tag: 1, ca: CERT }).ecdsa({ tag: 2, trustedPeers: [PEER_KEY] }).psk({ tag: 3, identity: 'id', key: 'k' });
      const x509 = store.authenticator(1, { role: 'server' });
      const raw = store.authenticator(2, { role: 'server' });
      expect(x509?.verifyX509).toBeTypeOf('function');
      expect(x509?.verifyRawPublicKey).toBeUndefined();
      expect(raw?.verifyRawPublicKey).toBeTypeOf('function');
      expect(raw?.verifyX509).toBeUndefined();
      expect(store.authenticator(3, { role: 'server' })).toBeUndefined();
    });

    it('sees roots added after an earlier authenticator was made', () => {
      const store = credentials().psk({ tag: 0, identity: 'id', key: 'k' });
      expect(store.authenticator(0, { role: 'server' })).toBeUndefined();
      expect(store.keyExchanges(0, 'client')).toEqual(['PSK', 'ECDHE_PSK']);
      store.x509({ tag: 0, ca: CERT });
      expect(store.authenticator(0, { role: 'server' })?.verifyX509).toBeTypeOf('function');
      expect(store.keyExchanges(0, 'client')).toEqual(['ECDHE_ECDSA', 'PSK', 'ECDHE_PSK']);
    });
  });
});
