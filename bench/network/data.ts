import { parseArgs } from 'node:util';
import { dataTrial } from '../../spec/network/helpers/data-trial.js';

/**
 * Application data through a bad link, in virtual time: records sent, records the
 * link delivered intact (counted on the wire, independently of rx-dtls), records
 * the application received, and how many of those were duplicates or corrupted.
 * Deterministic: the same arguments print the same table.
 *
 *   npx tsx bench/network/data.ts [--seeds 100] [--records 100] [--loss 0,10,30] [--duplicate 10] [--reorder 10] [--corrupt 5]
 */
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '100' },
    records: { type: 'string', default: '100' },
    loss: { type: 'string', default: '0,10,30' },
    duplicate: { type: 'string', default: '10' },
    reorder: { type: 'string', default: '10' },
    corrupt: { type: 'string', default: '5' },
  },
});
const seeds = Number(values.seeds);
const records = Number(values.records);
const percent = (s: string) => Number(s) / 100;
const [duplicate, reorder, corrupt] = [values.duplicate, values.reorder, values.corrupt].map(percent);

console.log(
  `Application data each way after the handshake, ${seeds} seeds x ${records} records x 2 directions per row; ` +
    `duplicate ${values.duplicate}%, reorder ${values.reorder}%, bit flips ${values.corrupt}% (bit flips only after the handshake), virtual time`,
);
console.log(
  `npx tsx bench/network/data.ts --seeds ${seeds} --records ${records} --loss ${values.loss} --duplicate ${values.duplicate} --reorder ${values.reorder} --corrupt ${values.corrupt}\n`,
);
console.log('| link loss | handshakes | records sent | delivered intact by the link | received by the application | received twice | received corrupted |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const loss of values.loss.split(',').map(percent)) {
  const row = { handshakes: 0, sent: 0, intact: 0, received: 0, twice: 0, corrupted: 0 };
  for (let seed = 1; seed <= seeds; seed++) {
    const trial = await dataTrial({ seed, loss, duplicate, reorder, corrupt, records });
    if (!trial.established) continue;
    row.handshakes++;
    for (const direction of [trial.clientToServer, trial.serverToClient]) {
      const sent = new Set(direction.messages);
      row.sent += direction.sent;
      row.intact += direction.intact;
      row.received += direction.received.length;
      row.twice += direction.received.length - new Set(direction.received).size;
      row.corrupted += direction.received.filter((m) => !sent.has(m)).length;
    }
  }
  const share = (n: number) => (row.sent === 0 ? '-' : `${n} (${((100 * n) / row.sent).toFixed(1)}%)`);
  console.log(`| ${loss * 100}% | ${row.handshakes}/${seeds} | ${row.sent} | ${share(row.intact)} | ${share(row.received)} | ${row.twice} | ${row.corrupted} |`);
}
