import { afterEach, beforeEach, expect } from 'vitest';
import type { EchoServer } from './echo-server.js';
import { assertPeerPresent, type PeerBinary } from './peer-binary.js';
import { stopAllPeers, type PeerProcess } from './peer-process.js';
import { WOLFSSL_MESSAGES } from './wolfssl.js';

/** What a test of wolfSSL's example client against our echo server holds: the client's binary, and our server. */
export interface WolfsslClientCell {
  bin: string;
  echo?: EchoServer;
}

/**
 * The hooks of a describe block that runs wolfSSL's example client (`peer`) against our echo
 * servers: the binary found before each test, our server closed and every peer process
 * stopped after it.
 */
export function wolfsslClientCell(peer: PeerBinary): WolfsslClientCell {
  const cell: WolfsslClientCell = { bin: '' };
  beforeEach(() => {
    cell.bin = assertPeerPresent(peer);
  });
  afterEach(async () => {
    await cell.echo?.server.close();
    cell.echo = undefined;
    await stopAllPeers();
  });
  return cell;
}

/** Runs its client to its end: it must exit 0 having printed our echo of each of `messages`, each on a line of its own. */
export async function expectWolfsslClientEchoed(client: PeerProcess, messages: readonly string[] = [WOLFSSL_MESSAGES.hello]): Promise<void> {
  const exit = await client.waitForExit(15_000);
  expect(exit.code, client.describe()).toBe(0);
  for (const message of messages) expect(client.stdout).toMatch(new RegExp(`${message}$`, 'm'));
}
