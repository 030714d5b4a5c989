// Idle sessions expire (RFC 6347 §4.2.8 leaves it to the server how long it keeps state):
// an established session with no datagram for idleTimeout is closed with close_notify; one
// that keeps talking stays. Virtual time.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../lib/credentials/credential-store.js';
import { keyExchange } from '../fuzz/helpers/key-exchanges.js';
import { Lab } from '../fuzz/helpers/lab.js';

async function established(idleTimeout: number) {
  const lab = await new Lab({ setup: keyExchange('PSK'), seed: 31, server: { idleTimeout } }).start();
  lab.clock.runUntil(() => lab.client!.state === 'established', 5_000, 10);
  expect(lab.client!.state).toBe('established');
  return { lab, client: lab.client!, session: lab.serverSessions[0] };
}

describe('idle sessions', () => {
  it('an established session that hears nothing for idleTimeout is closed with close_notify and forgotten', async () => {
    const { lab, client, session } = await established(10_000);
    const alerts: string[] = [];
    client.events$.subscribe({ next: (e) => e.type === 'alert' && alerts.push(`${e.direction} ${e.name}`), error: () => undefined });
    lab.clock.advanceBy(9_000);
    expect(session.state).toBe('established');
    expect(lab.server.sessionCount).toBe(1);
    // The sweep runs every idleTimeout / 8: gone by 1.125 x idleTimeout.
    lab.clock.advanceBy(3_600);
    expect(session.state).toBe('closed');
    expect(session.error).toBeUndefined();
    expect(lab.server.sessionCount).toBe(0);
    expect(alerts).toContain('received close_notify');
    expect(client.state).toBe('closed');
    lab.close();
  });

  it('a session that keeps sending is not idle, however long it lives', async () => {
    const { lab, client, session } = await established(10_000);
    for (let t = 0; t < 12; t++) {
      client.send(utf8(`tick ${t}`));
      lab.clock.advanceBy(5_000);
    }
    expect(session.state).toBe('established');
    expect(lab.received.server).toHaveLength(12);
    lab.clock.advanceBy(12_600);
    expect(session.state).toBe('closed');
    lab.close();
  });
});
