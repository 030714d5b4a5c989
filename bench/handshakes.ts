import { client, echoServer } from './pair.js';

/** Full handshakes (with the cookie exchange) per second, one client after another, over loopback UDP. */
export async function handshakesPerSecond(cipherSuite: string, seconds: number): Promise<{ count: number; perSecond: number }> {
  const server = await echoServer([cipherSuite]);
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < seconds * 1000) {
    const session = await client(server, cipherSuite);
    session.close();
    count++;
  }
  const elapsed = (performance.now() - start) / 1000;
  server.close();
  return { count, perSecond: count / elapsed };
}
