import { describe, expect, it } from 'vitest';
import { credentials } from '../../lib/credentials/credential-store.js';
import { startPair } from './helpers/pair.js';

/** A server with a PSK whose identity hint is `hint` (RFC 4279 §2), or none. */
const serverStore = (hint?: string) => credentials().psk({ tag: 0, identity: 'device-17', key: 'fleet-key-17', hint });

describe('client pskCallback', () => {
  it("is called with the server's identity hint and its choice completes the handshake", async () => {
    const hints: Array<string | null> = [];
    const pair = await startPair({
      server: { credentials: serverStore('fleet-A') },
      client: {
        credentials: credentials(),
        pskCallback: (hint) => {
          hints.push(hint);
          return hint === 'fleet-A' ? { identity: 'device-17', psk: 'fleet-key-17' } : null;
        },
      },
    });
    expect(pair.time.runUntil(() => pair.client.state === 'established', 5000)).toBe(true);
    expect(hints).toEqual(['fleet-A']);
    expect(pair.serverSessions[0].info?.peer).toEqual({ kind: 'psk', identity: 'device-17' });
  });

  it('gets null when the server sends no hint', async () => {
    const hints: Array<string | null> = [];
    const pair = await startPair({
      server: { credentials: serverStore() },
      client: { credentials: credentials(), pskCallback: (hint) => (hints.push(hint), { identity: 'device-17', psk: 'fleet-key-17' }) },
    });
    expect(pair.time.runUntil(() => pair.client.state === 'established', 5000)).toBe(true);
    expect(hints).toEqual([null]);
  });

  it('ends the handshake with handshake_failure when it chooses nothing, or throws', async () => {
    for (const pskCallback of [() => null, () => { throw new Error('vault offline'); }]) {
      const pair = await startPair({ server: { credentials: serverStore('fleet-A') }, client: { credentials: credentials(), pskCallback } });
      expect(pair.time.runUntil(() => pair.client.state === 'closed', 5000)).toBe(true);
      expect(pair.client.error?.code).toBe('EHANDSHAKE');
      expect(pair.client.error?.alert?.name).toBe('handshake_failure');
    }
  });
});
