import { parseArgs } from 'node:util';
import { handshakeTrial, type TrialResult } from '../../spec/network/helpers/handshake-trial.js';
import { TRIAL_SUITES } from '../../spec/network/helpers/suites.js';
import { percentile } from './percentile.js';

/**
 * Handshake completion rate and time to complete under random loss, in virtual
 * time: an rx-dtls client and server over an in-memory link, default timers
 * (RFC 6347 §4.2.4.1) and default 60 s handshake timeout. Deterministic: the
 * same arguments print the same table.
 *
 *   npx tsx bench/network/run.ts [--seeds 200] [--loss 0,10,30,50] [--suite psk,ecdhe-ecdsa] [--version 1.2,1.3] [--delay 50] [--mtu 1200] [--budget 60000] [--silent 4]
 *
 * --version gives the DTLS versions the client offers, one row set each; a key exchange
 * 1.3 cannot do yet gets no 1.3 rows (the table says so). Seed n loses the same datagram
 * positions in every version, so rows of one suite and loss face the same link.
 * --budget is the handshake timeout in ms, the time both sides keep retransmitting;
 * --silent is maxSilentTimeouts, the timer expiries in a row with nothing from the peer
 * after which a side gives up sooner (Infinity: never).
 */
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '200' },
    loss: { type: 'string', default: '0,10,30,50' },
    suite: { type: 'string', default: TRIAL_SUITES.map((s) => s.id).join(',') },
    version: { type: 'string', default: '1.2,1.3' },
    delay: { type: 'string', default: '50' },
    mtu: { type: 'string', default: '1200' },
    budget: { type: 'string', default: '60000' },
    silent: { type: 'string', default: '4' },
  },
});
const seeds = Number(values.seeds);
const delay = Number(values.delay);
const mtu = Number(values.mtu);
const handshakeTimeout = Number(values.budget);
const maxSilentTimeouts = Number(values.silent);
const losses = values.loss.split(',').map(Number);
const suites = values.suite.split(',').map((id) => {
  const suite = TRIAL_SUITES.find((s) => s.id === id);
  if (!suite) throw new Error(`unknown suite ${id}; known: ${TRIAL_SUITES.map((s) => s.id).join(', ')}`);
  return suite;
});
const versions = values.version.split(',').map((version) => {
  if (version !== '1.2' && version !== '1.3') throw new Error(`--version takes 1.2 and 1.3, got ${version}`);
  return version;
});
if (!(Number.isInteger(seeds) && seeds > 0) || !(delay >= 0) || !Number.isInteger(mtu) || losses.some((l) => !(l >= 0 && l <= 100))) {
  throw new Error('--seeds must be a positive integer, --delay a number of ms >= 0, --loss percentages from 0 to 100');
}
if (!(handshakeTimeout > 0)) {
  throw new Error('--budget must be a positive number of ms');
}
if (!(maxSilentTimeouts >= 1)) {
  throw new Error('--silent must be a number of timer expiries from 1, or Infinity');
}

const ms = (value: number | undefined): string => (value === undefined ? '-' : String(value));
console.log(`Handshakes under random loss (each direction), ${seeds} seeds per cell, one-way delay ${delay} ms, MTU ${mtu}, budget ${handshakeTimeout} ms, ${maxSilentTimeouts} silent timeouts, virtual time`);
console.log(
  `npx tsx bench/network/run.ts --seeds ${seeds} --loss ${losses.join(',')} --suite ${suites.map((s) => s.id).join(',')} --version ${versions.join(',')} --delay ${delay} --mtu ${mtu} --budget ${handshakeTimeout} --silent ${maxSilentTimeouts}\n`,
);
console.log('| key exchange | suite | version | loss | completed | median ms | p95 ms | max ms | retransmissions (mean) | datagrams (mean) | bytes (mean) | ACKs (mean) | records resent / in resent flights |');
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const skipped: string[] = [];
for (const suite of suites) {
  for (const version of versions) {
    const name = version === '1.3' ? suite.iana13 : suite.iana;
    if (name === undefined) {
      skipped.push(`${suite.id} in ${version}`);
      continue;
    }
    for (const loss of losses) {
      const results: TrialResult[] = [];
      for (let seed = 1; seed <= seeds; seed++) {
        results.push(await handshakeTrial({ suite, version, loss: loss / 100, seed, delay, mtu, handshakeTimeout, maxSilentTimeouts }));
      }
      const times = results.flatMap((r) => (r.time === undefined ? [] : [r.time])).sort((a, b) => a - b);
      const rate = ((100 * times.length) / seeds).toFixed(1);
      const sum = (of: (r: TrialResult) => number) => results.reduce((total, r) => total + of(r), 0);
      const mean = (of: (r: TrialResult) => number) => (sum(of) / seeds).toFixed(1);
      // 1.2 has no ACKs: a resend is always the whole flight.
      const acks = version === '1.3' ? mean((r) => r.acks.sent) : '-';
      const resent = version === '1.3' ? `${sum((r) => r.acks.recordsResent)} / ${sum((r) => r.acks.recordsInResentFlights)}` : '-';
      console.log(
        `| ${suite.id} | ${name} | ${version} | ${loss}% | ${times.length}/${seeds} (${rate}%) | ${ms(percentile(times, 50))} | ${ms(percentile(times, 95))} | ${ms(times.at(-1))} | ${mean((r) => r.retransmissions)} | ${mean((r) => r.wire.length)} | ${mean((r) => r.wire.reduce((total, d) => total + d.bytes, 0))} | ${acks} | ${resent} |`,
      );
    }
  }
}
if (skipped.length > 0) console.log(`\nNo rows for ${skipped.join(', ')}: DTLS 1.3 here cannot do that key exchange yet.`);
