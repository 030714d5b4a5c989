import type { PlainRecord } from './read-epochs.js';
import type { ReadEpochs13 } from './read-epochs13.js';
import { splitRecords13 } from './split-records13.js';

/**
 * Opens the records of one DTLS 1.3 datagram against the read epochs, in order, handing each
 * that deprotected to `deliver` (epoch, full sequence number, real content type, payload) for
 * as long as it returns true. Returns how many records were dropped: unreadable, of an epoch
 * without keys, failing authentication, replayed (RFC 9147 §4.5.2: silently). A protected record
 * whose CID differs from the first one's ends the datagram: the rest is discarded (RFC 9147 §4).
 * Records of a next epoch whose keys have not come are dropped here; the decrypt stage of a
 * handshake may hold them instead (ReadEpochs13.open says 'future').
 *
 *   const dropped = openDatagram13(datagram, readEpochs, (record) => { handle(record); return open; });
 */
export function openDatagram13(datagram: Uint8Array, epochs: ReadEpochs13, deliver: (record: PlainRecord) => boolean): number {
  const { records, malformed } = splitRecords13(datagram, epochs.cidLength);
  let dropped = malformed;
  let firstCid: Uint8Array | undefined;
  for (let i = 0; i < records.length; i++) {
    const raw = records[i];
    if (raw.kind === 'ciphertext' && raw.cid !== undefined) {
      if (firstCid === undefined) firstCid = raw.cid;
      else if (!sameBytes(firstCid, raw.cid)) {
        dropped += records.length - i;
        break;
      }
    }
    const record = epochs.open(raw);
    if (record === undefined || record === 'future') dropped++;
    else if (!deliver(record)) break;
  }
  return dropped;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
