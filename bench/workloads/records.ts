import { config } from '../config.js';
import type { Suite } from '../fixtures.js';
import type { EchoChannel, RunningServer } from '../peers/peer.js';
import type { ServerPool } from '../peers/server-pool.js';
import { sleep, spread, type Spread } from '../stats.js';
import type { Row } from './rows.js';

export interface RecordFigures {
  /** Records echoed per second (payload bytes / record size where the peer may coalesce). */
  readonly recordsPerSecond: Spread;
  /** Payload megabytes (10^6) per second, one way. */
  readonly megabytesPerSecond: Spread;
  readonly losses: number;
}

/**
 * Echo throughput over one established session: records of `recordSize` bytes, `inFlight`
 * outstanding at a time (1: send, wait for the echo, send again). Counted in echoed bytes,
 * because OpenSSL's command-line peers read pipes and may join records.
 */
export async function measureRecords(
  row: Row,
  suite: Suite,
  recordSize: number,
  inFlights: readonly number[],
  pool: ServerPool,
): Promise<Map<number, RecordFigures>> {
  // s_server is told the record size (-max_send_frag), so it is started per size, not pooled.
  const own: RunningServer | undefined = row.server.oneClientAtATime ? await row.server.start(suite, recordSize) : undefined;
  const server = own ?? (await pool.get(row.server, suite));
  let channel: EchoChannel | undefined;
  try {
    channel = await row.client.open(server.target, suite, recordSize);
    const meter = new EchoMeter(channel, recordSize);
    const results = new Map<number, RecordFigures>();
    for (const inFlight of inFlights) {
      await meter.window(inFlight, config.warmupSeconds);
      const rates: number[] = [];
      for (let i = 0; i < config.runs; i++) rates.push(await meter.window(inFlight, config.recordSeconds));
      results.set(inFlight, {
        recordsPerSecond: spread(rates.map((r) => r / recordSize)),
        megabytesPerSecond: spread(rates.map((r) => r / 1e6)),
        losses: meter.losses,
      });
    }
    return results;
  } finally {
    await channel?.close();
    await row.client.settle?.();
    await own?.stop();
  }
}

/** Keeps `inFlight` records outstanding; a record not echoed within 250 ms counts as lost and frees its slot. */
class EchoMeter {
  private sent = 0;
  private received = 0;
  private inFlight = 0;
  private active = false;
  losses = 0;
  private readonly payload: Uint8Array;

  constructor(
    private readonly channel: EchoChannel,
    private readonly recordSize: number,
  ) {
    this.payload = new Uint8Array(recordSize).fill(0x61);
    channel.onData((bytes) => {
      this.received += bytes;
      this.pump();
    });
  }

  /** Bytes echoed per second during a window of `seconds`. */
  async window(inFlight: number, seconds: number): Promise<number> {
    this.inFlight = inFlight;
    this.active = true;
    const startBytes = this.received;
    const start = performance.now();
    this.pump();
    let last = this.received;
    let quietSince = start;
    while (performance.now() - start < seconds * 1000) {
      await sleep(Math.min(25, seconds * 1000));
      if (this.received !== last) {
        last = this.received;
        quietSince = performance.now();
      } else if (performance.now() - quietSince > 250) {
        this.losses++;
        this.sent = this.received;
        quietSince = performance.now();
        this.pump();
      }
    }
    const rate = (this.received - startBytes) / ((performance.now() - start) / 1000);
    this.active = false;
    for (let i = 0; i < 20 && this.received < this.sent; i++) await sleep(10);
    this.sent = this.received;
    return rate;
  }

  private pump(): void {
    while (this.active && this.sent - this.received < this.inFlight * this.recordSize) {
      this.channel.send(this.payload);
      this.sent += this.recordSize;
    }
  }
}
