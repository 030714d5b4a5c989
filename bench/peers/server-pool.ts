import type { Suite } from '../fixtures.js';
import type { RunningServer, ServerPeer } from './peer.js';

/**
 * Node server hosts take a second or two to start (a process with tsx), so one per
 * server and suite serves every row that needs it. Servers that serve one client at a
 * time (s_server) are started per measurement instead, and are not pooled.
 */
export class ServerPool {
  private readonly running = new Map<string, Promise<RunningServer>>();

  get(server: ServerPeer, suite: Suite): Promise<RunningServer> {
    const key = `${server.name}/${suite.id}`;
    let entry = this.running.get(key);
    if (entry === undefined) {
      entry = server.start(suite);
      this.running.set(key, entry);
    }
    return entry;
  }

  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map(async (s) => (await s).stop()));
  }
}
