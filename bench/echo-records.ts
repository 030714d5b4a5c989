import { firstValueFrom, take, toArray } from 'rxjs';
import { client, echoServer } from './pair.js';

/** Echo round trips, one record in flight at a time: records/s and MB/s of payload each way. */
export async function echoThroughput(
  cipherSuite: string,
  recordSize: number,
  seconds: number,
): Promise<{ records: number; recordsPerSecond: number; megabytesPerSecond: number }> {
  const server = await echoServer([cipherSuite]);
  const session = await client(server, cipherSuite);
  const payload = new Uint8Array(recordSize).fill(0x61);
  const start = performance.now();
  let records = 0;
  while (performance.now() - start < seconds * 1000) {
    const echoed = firstValueFrom(session.data$.pipe(take(1), toArray()));
    session.send(payload);
    await echoed;
    records++;
  }
  const elapsed = (performance.now() - start) / 1000;
  session.close();
  server.close();
  return { records, recordsPerSecond: records / elapsed, megabytesPerSecond: (records * recordSize) / elapsed / 1e6 };
}
