import { merge, partition, share, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { utf8 } from '../../../lib/credentials/credential-store.js';
import { DtlsError } from '../../../lib/dtls-error.js';
import { impair, type ImpairmentKind } from '../../../lib/impairment/impair.js';
import type { Datagram } from '../../../lib/transport/datagram.js';
import { startPair } from '../../endpoint/helpers/pair.js';
import { RecordLedger } from './record-ledger.js';

export interface DataTrialOptions {
  readonly seed: number;
  readonly loss: number;
  readonly duplicate: number;
  readonly reorder: number;
  /** Bit flips, from the moment both sides are established (see below). */
  readonly corrupt: number;
  /** Records sent each way. */
  readonly records: number;
}

/** What one direction of the exchange saw. */
export interface DirectionOutcome {
  /** Distinct application records sent. */
  readonly sent: number;
  /** Distinct records the link delivered with their bytes unchanged (at least once). */
  readonly intact: number;
  /** Copies that came off the link with changed bytes. */
  readonly damaged: number;
  /** What the receiving application got, in order. */
  readonly received: readonly string[];
  /** What the sending application sent. */
  readonly messages: readonly string[];
}

export interface DataTrialResult {
  readonly established: boolean;
  readonly clientToServer: DirectionOutcome;
  readonly serverToClient: DirectionOutcome;
  readonly impairments: Readonly<Record<ImpairmentKind, number>>;
}

/**
 * A handshake, then `records` numbered application records each way through a
 * link that loses, duplicates, reorders and corrupts datagrams, with a ledger on
 * each side of the impairment. Bits flip only once both sides are up: before
 * that a flipped bit in an unprotected epoch-0 message is caught by the Finished
 * check and fails the handshake, which is DTLS working as designed, not data loss.
 */
export async function dataTrial(options: DataTrialOptions): Promise<DataTrialResult> {
  const impairments: Record<ImpairmentKind, number> = { loss: 0, oversize: 0, corrupt: 0, duplicate: 0, reorder: 0 };
  const count = (kind: ImpairmentKind) => impairments[kind]++;
  const ledgers = { 'client-to-server': new RecordLedger(), 'server-to-client': new RecordLedger() };
  let up = false;
  const pair = await startPair({
    linkOn: (scheduler, direction) => {
      const seed = options.seed * 2 + (direction === 'client-to-server' ? 0 : 1);
      const ledger = ledgers[direction];
      return (source) =>
        source.pipe(
          tap((d) => ledger.onSent(d.data)),
          impair({ seed, loss: options.loss, duplicate: options.duplicate, reorder: options.reorder, scheduler, onImpairment: count }),
          onlyWhen(() => up, impair({ seed: seed + 1_000_000, corrupt: options.corrupt, scheduler, onImpairment: count })),
          tap((d) => ledger.onDelivered(d.data)),
        );
    },
  });
  const established = pair.time.runUntil(() => pair.client.state === 'established' && pair.serverSessions.some((s) => s.state === 'established'), 61_000, 10);
  const server = pair.serverSessions.find((s) => s.state === 'established');
  const decode = (d: Uint8Array) => new TextDecoder().decode(d);
  const atServer: string[] = [];
  const atClient: string[] = [];
  const fromClient = Array.from({ length: options.records }, (_, i) => `client record ${i}`);
  const fromServer = Array.from({ length: options.records }, (_, i) => `server record ${i}`);
  if (established && server) {
    up = true;
    server.data$.subscribe({ next: (d) => atServer.push(decode(d)), error: () => undefined });
    pair.client.data$.subscribe({ next: (d) => atClient.push(decode(d)), error: () => undefined });
    for (let i = 0; i < options.records; i++) {
      pair.client.send(utf8(fromClient[i]));
      server.send(utf8(fromServer[i]));
      pair.time.advanceBy(5);
    }
    // Long enough for every held-back datagram to come out.
    pair.time.advanceBy(1000);
  }
  const outcome = (ledger: RecordLedger, received: string[], messages: string[]): DirectionOutcome => ({
    sent: ledger.sentCount,
    intact: ledger.intactCount,
    damaged: ledger.damaged,
    received,
    messages,
  });
  const result = {
    established,
    clientToServer: outcome(ledgers['client-to-server'], atServer, fromClient),
    serverToClient: outcome(ledgers['server-to-client'], atClient, fromServer),
    impairments,
  };
  pair.client.abandon(new DtlsError('ECLOSED', 'trial over'));
  pair.server.close();
  return result;
}

/** Applies `stage` to the datagrams that pass while `active()` holds, and lets the others through untouched. */
function onlyWhen(active: () => boolean, stage: MonoTypeOperatorFunction<Datagram>): MonoTypeOperatorFunction<Datagram> {
  return (source) => {
    const shared = source.pipe(share());
    const [on, off] = partition(shared, () => active());
    return merge(off, on.pipe(stage));
  };
}
