import { readFileSync } from 'node:fs';

/**
 * Datagrams the kernel dropped at the UDP socket bound to `port` (its receive buffer was
 * full), from the "drops" column of /proc/net/udp and udp6; NaN where there is no such file.
 */
export function udpDrops(port: number): number {
  let drops = Number.NaN;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let table: string;
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of table.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is "ADDR:PORT" in hex; drops is the last column.
      if (fields.length < 13 || Number.parseInt(fields[1].split(':')[1], 16) !== port) continue;
      drops = (Number.isNaN(drops) ? 0 : drops) + Number(fields[fields.length - 1]);
    }
  }
  return drops;
}
