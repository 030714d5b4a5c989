// The AbortSignal an async trust callback is given ends with its handshake, on either side.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { credentials } from '../../lib/credentials/credential-store.js';
import { keyExchange, type KeyExchangeSetup } from '../fuzz/helpers/key-exchanges.js';
import { Lab } from '../fuzz/helpers/lab.js';

const pem = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/peers/${name}`, import.meta.url)), 'utf8');
const privateKey = pem('rpk-p256-key.pem');

/** Raw public keys both ways, where `side` decides on the peer's key in a trust callback that never answers. */
function undecided(side: 'client' | 'server', signals: AbortSignal[]): KeyExchangeSetup {
  const base = keyExchange('ECDHE_ECDSA raw public keys mutual');
  const pending = credentials().ecdsa({ tag: 0, privateKey, trust: (_spki, { signal }) => (signals.push(signal), new Promise<boolean>(() => undefined)) });
  return side === 'client'
    ? { ...base, client: { credentials: pending } }
    : { ...base, server: { credentials: pending, clientAuth: 'required' } };
}

describe('the signal of an async trust callback', () => {
  it('on the client, aborts when the handshake times out', async () => {
    const signals: AbortSignal[] = [];
    const lab = await new Lab({ setup: undecided('client', signals), seed: 4, client: { handshakeTimeout: 5_000 } }).start();
    lab.clock.advanceBy(100);
    expect(signals).toHaveLength(1);
    expect(signals[0].aborted).toBe(false);
    lab.clock.advanceBy(5_000);
    expect(lab.client?.error?.code).toBe('ETIMEDOUT');
    expect(signals[0].aborted).toBe(true);
    lab.close();
  });

  it('on the server, aborts when the server closes', async () => {
    const signals: AbortSignal[] = [];
    const lab = await new Lab({ setup: undecided('server', signals), seed: 4 }).start();
    lab.clock.advanceBy(100);
    expect(signals).toHaveLength(1);
    expect(signals[0].aborted).toBe(false);
    lab.close();
    expect(signals[0].aborted).toBe(true);
    expect(signals[0].reason).toMatchObject({ code: 'ECLOSED' });
  });
});
