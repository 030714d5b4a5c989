import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { config } from '../config.js';
import { CERT_PATH, KEY_PATH, type Suite } from '../fixtures.js';
import { spread } from '../stats.js';
import type { HandshakeFigures } from '../workloads/handshakes.js';
import type { RecordFigures } from '../workloads/records.js';

export const OPENSSL_PAIR_LABEL = 'libssl client → libssl server (bench/native)';

interface Output {
  readonly count: number;
  readonly failed: number;
  readonly bytes: number;
  readonly stalls: number;
  readonly seconds: number;
  readonly clientCpuMs: number;
  readonly serverCpuMs: number;
  readonly clientMaxRssKb: number;
  readonly serverMaxRssKb: number;
}

/**
 * The OpenSSL pair on libssl itself (bench/native/openssl-pair.c), compiled here with cc
 * against the system OpenSSL; undefined, with the reason, when that cannot be done.
 */
export function buildOpensslPair(): { binary?: string; why?: string } {
  const source = fileURLToPath(new URL('../native/openssl-pair.c', import.meta.url));
  const text = readFileSync(source);
  const binary = join(tmpdir(), `rx-dtls-bench-openssl-pair-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`);
  if (existsSync(binary)) return { binary };
  const cc = spawnSync('cc', ['-O2', '-o', binary, source, '-lssl', '-lcrypto'], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) return { why: 'needs cc and the OpenSSL headers (libssl-dev)' };
  return { binary };
}

function run(binary: string, args: readonly string[]): Output {
  const out = execFileSync(binary, [...args, CERT_PATH, KEY_PATH], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').pop()!) as Output;
}

export function opensslPairHandshakes(binary: string, suite: Suite, clients: number): HandshakeFigures {
  const outputs = Array.from({ length: config.runs }, () => run(binary, ['handshakes', suite.id, String(clients), String(config.handshakeSeconds)]));
  const count = outputs.reduce((n, o) => n + o.count, 0);
  return {
    perSecond: spread(outputs.map((o) => o.count / o.seconds)),
    serverCpuMs: outputs.reduce((n, o) => n + o.serverCpuMs, 0) / count,
    clientCpuMs: outputs.reduce((n, o) => n + o.clientCpuMs, 0) / count,
    serverPeakRss: Math.max(...outputs.map((o) => o.serverMaxRssKb * 1024)),
    clientPeakRss: Math.max(...outputs.map((o) => o.clientMaxRssKb * 1024)),
    errors: outputs.reduce((n, o) => n + o.failed, 0),
  };
}

export function opensslPairRecords(binary: string, suite: Suite, size: number, inFlight: number): RecordFigures {
  const outputs = Array.from({ length: config.runs }, () => run(binary, ['echo', suite.id, String(size), String(inFlight), String(config.recordSeconds)]));
  return {
    recordsPerSecond: spread(outputs.map((o) => o.bytes / size / o.seconds)),
    megabytesPerSecond: spread(outputs.map((o) => o.bytes / 1e6 / o.seconds)),
    losses: outputs.reduce((n, o) => n + o.stalls, 0),
  };
}
