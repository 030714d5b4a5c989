// Why listenCluster does not use node:cluster (docs/scaling.md, "One machine, every core"):
// two cluster workers bind one UDP port, which node:cluster does by sharing the primary's
// socket handle with them; one client sends datagrams from one source port, as a DTLS peer
// does, and each worker counts what it got. A DTLS session needs every datagram of its peer
// at one worker; this prints how they were spread.
import cluster from 'node:cluster';
import { createSocket } from 'node:dgram';

const DATAGRAMS = 2_000;

if (cluster.isPrimary) {
  const counts: number[] = [];
  const workers = [cluster.fork(), cluster.fork()];
  let port = 0;
  const listening = workers.map((w) => new Promise<void>((resolve) => w.on('message', (m: { port?: number }) => ((port = m.port ?? port), resolve()))));
  await Promise.all(listening);
  const client = createSocket('udp4');
  client.bind(0, '127.0.0.1', async () => {
    for (let i = 0; i < DATAGRAMS; i++) {
      client.send(Buffer.alloc(64, i), port, '127.0.0.1');
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const counted = workers.map((w, i) => new Promise<void>((resolve) => w.on('message', (m: { count?: number }) => m.count !== undefined && ((counts[i] = m.count), resolve()))));
    for (const w of workers) w.send('count');
    await Promise.all(counted);
    console.log(`node:cluster, 2 workers on one UDP port, ${DATAGRAMS} datagrams from one client port: worker 0 got ${counts[0]}, worker 1 got ${counts[1]}`);
    client.close();
    workers.forEach((w) => w.kill());
  });
} else {
  let count = 0;
  const socket = createSocket('udp4');
  socket.on('message', () => count++);
  socket.bind(0, '127.0.0.1', () => {
    // Workers that bind port 0 share the primary's one socket: the same port.
    process.send!({ port: socket.address().port });
  });
  process.on('message', (m) => m === 'count' && process.send!({ count }));
}
