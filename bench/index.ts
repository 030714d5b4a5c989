import { echoThroughput } from './echo-records.js';
import { handshakesPerSecond } from './handshakes.js';

/**
 * rx-dtls benchmarks: an rx-dtls client and server in one process over loopback
 * UDP. Prints figures; asserts nothing. `npm run bench` (BENCH_SECONDS to change
 * the time per row, default 3).
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const suites = ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256'];

console.log(`rx-dtls bench — node ${process.version}, ${seconds} s per row\n`);
console.log('Full handshakes (cookie exchange included), sequential');
for (const suite of suites) {
  const { count, perSecond } = await handshakesPerSecond(suite, seconds);
  console.log(`  ${suite.padEnd(46)} ${perSecond.toFixed(1).padStart(8)} handshakes/s  (${count})`);
}
console.log('\nEcho round trips, one record in flight');
for (const suite of suites) {
  for (const size of [64, 1024]) {
    const r = await echoThroughput(suite, size, seconds);
    console.log(
      `  ${suite.padEnd(46)} ${String(size).padStart(5)} B ${r.recordsPerSecond.toFixed(0).padStart(8)} records/s ${r.megabytesPerSecond.toFixed(2).padStart(7)} MB/s`,
    );
  }
}
