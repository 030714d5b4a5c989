/**
 * Packs whole records into as few datagrams as possible, in order (RFC 6347
 * §4.1.1: several records may share a datagram, but a record never spans two).
 * Greedy: a record joins the current datagram if the result stays within
 * `maxDatagramSize`, otherwise it starts the next one. A record larger than
 * the limit travels alone; splitting handshake messages to fit the path MTU
 * is the fragmenter's job, above this layer. A datagram holding a single
 * record is that record's own array, not a copy.
 */
export function packRecords(records: readonly Uint8Array[], maxDatagramSize: number): Uint8Array[] {
  if (!Number.isInteger(maxDatagramSize) || maxDatagramSize < 1) {
    throw new RangeError(`maxDatagramSize must be a positive integer, got ${maxDatagramSize}`);
  }
  const datagrams: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  let pendingSize = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    datagrams.push(pending.length === 1 ? pending[0] : concat(pending, pendingSize));
    pending = [];
    pendingSize = 0;
  };
  for (const record of records) {
    if (pendingSize + record.length > maxDatagramSize) flush();
    pending.push(record);
    pendingSize += record.length;
  }
  flush();
  return datagrams;
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
