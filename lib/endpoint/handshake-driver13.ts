import { Subject, Subscription, filter, map, timer } from 'rxjs';
import { DtlsError, alertInfo } from '../dtls-error.js';
import { FlightAcknowledgements, ReceivedRecords } from '../handshake/acknowledgements13.js';
import type { ClientHandshake } from '../handshake/client-handshake.js';
import type { ClientHandshake13 } from '../handshake/client-handshake13.js';
import { ClientVersionProbe } from '../handshake/client-version-probe.js';
import type { Flight } from '../handshake/flight.js';
import { flightRecords } from '../handshake/flight-records.js';
import { HandshakeBudget } from '../handshake/handshake-budget.js';
import { NOTHING, type HandshakeStep } from '../handshake/handshake-step.js';
import { flightMessageNames } from '../handshake/message-names.js';
import type { ServerHandshake13 } from '../handshake/server-handshake13.js';
import { retransmit } from '../operators/retransmit.js';
import { packRecords } from '../record/pack-records.js';
import type { PlainRecord } from '../record/read-epochs.js';
import { decodeAck, encodeAck } from '../wire/ack.js';
import { AlertDescription, AlertLevel } from '../wire/alert.js';
import { ContentType, HandshakeType } from '../wire/constants.js';
import { decodeHandshakeFragments } from '../wire/handshake-header.js';
import type { HandshakeEffect, HandshakeOutcome } from './handshake-outcome.js';
import { PeerFlights } from './peer-flights.js';
import { StepDriver } from './step-driver.js';
import { PeerSilence } from './peer-silence.js';
import type { RecordLayer13 } from './record-layer13.js';
import type { SessionOptions } from './session-options.js';

export type Handshake13 = ClientHandshake13 | ServerHandshake13 | ClientVersionProbe;

/** The session's side of a 1.3 handshake as the driver reads it. */
export interface HandshakeContext13 {
  readonly role: 'client' | 'server';
  readonly peerName: string;
  readonly options: SessionOptions;
  readonly records: RecordLayer13;
}

/** Our current flight: its records (cut once) and which of them the peer acknowledged. */
interface Sending {
  readonly flight: Flight;
  readonly records: ReturnType<typeof flightRecords>;
  readonly acks: FlightAcknowledgements;
}

/**
 * The part of a DTLS 1.3 session that lives while it handshakes (RFC 9147 §5). Records
 * come from the record layer (unified headers, epochs 0 and 2); handshake fragments go
 * through the same Reassembler and Sequencer as 1.2's into the flight machine. Our
 * flights go out through the same `retransmit` timer (§5.8: the RFC 6347 timers), but a
 * resend carries only the records no ACK named (§7). We acknowledge the peer's flight
 * when it needs no answer of ours: the server the client's Finished. The client is
 * established once the server acknowledged its Finished (or answered in epoch 3), so that
 * its last flight is never left unacknowledged behind it.
 */
export class HandshakeDriver13 extends StepDriver {
  private readonly flights = new Subject<Flight | null>();
  private readonly resendNow = new Subject<void>();
  private readonly subscriptions = new Subscription();
  private readonly peerFlights: PeerFlights;
  private readonly received = new ReceivedRecords();
  private sending?: Sending;
  /** The client's: established by the machine, waiting for the server to acknowledge our Finished. */
  private pendingEstablished?: HandshakeEffect & { readonly kind: 'established13' };
  private readonly silence: PeerSilence;
  /** The datagram being read: a client falling back to 1.2 hands it to the 1.2 driver. */
  private receiving?: Uint8Array;

  constructor(
    private handshake: Handshake13 | undefined,
    private readonly context: HandshakeContext13,
    firstReceiveSeq: number,
    onLater: (outcome: HandshakeOutcome) => void,
    budget = new HandshakeBudget(context.options.maxHandshakeBufferBytes),
  ) {
    super(onLater, budget);
    const { options } = context;
    this.peerFlights = new PeerFlights(firstReceiveSeq, context.role, options, budget, () => this.drop());
    this.silence = new PeerSilence(options.maxSilentTimeouts, () => options.scheduler.now(), context.role === 'server');
    this.wireSend();
  }

  /** Whether the peer can read our handshake epoch: alerts go there once it can. */
  get sentChangeCipherSpec(): boolean {
    return this.context.records.writeEpoch >= 2;
  }

  /** 1.3 fragments like 1.2 does; the hint about peers that cannot reassemble is 1.2's. */
  readonly sentFragments = false;

  start(): HandshakeOutcome {
    return this.collect(() => {
      const { handshakeTimeout, scheduler } = this.context.options;
      this.subscriptions.add(
        timer(handshakeTimeout, scheduler).subscribe(() =>
          this.report(() => this.fail(new DtlsError('ETIMEDOUT', `handshake with ${this.context.peerName} did not complete in ${handshakeTimeout} ms`))),
        ),
      );
      this.run(() => this.handshake?.start() ?? NOTHING);
    });
  }

  receive(datagram: Uint8Array): HandshakeOutcome {
    this.silence.heard();
    this.receiving = datagram;
    try {
      return this.collect(() => {
        const dropped = this.context.records.open(datagram, (record) => {
          this.onRecord(record);
          return !this.stopped;
        });
        this.drop(dropped);
      });
    } finally {
      this.receiving = undefined;
    }
  }

  stop(): void {
    if (!this.stopSteps()) return;
    this.handshake = undefined;
    this.sending = undefined;
    this.subscriptions.unsubscribe();
    this.peerFlights.close();
    this.budget.close();
  }

  private onRecord(record: PlainRecord): void {
    this.heard();
    // The server's first epoch-3 record shows it has our Finished as well as an ACK would (not
    // an alert, which a server sends in epoch 3 to refuse our flight: certificate_required);
    // what follows it in epoch 3 (a NewSessionTicket, data) is the established session's.
    if (this.pendingEstablished && record.epoch >= 3 && record.contentType !== ContentType.alert) this.finishEstablishing();
    if (this.handshake === undefined && record.epoch >= 3 && record.contentType !== ContentType.ack) {
      this.effect({ kind: 'record', record });
      return;
    }
    switch (record.contentType) {
      case ContentType.handshake:
        this.onHandshakeRecord(record);
        return;
      case ContentType.ack:
        this.onAck(record);
        return;
      default:
        this.effect({ kind: 'record', record });
    }
  }

  private onHandshakeRecord(record: PlainRecord): void {
    const fragments = decodeHandshakeFragments(record.payload);
    if (!fragments.ok) {
      this.drop();
      return;
    }
    this.received.add({ epoch: record.epoch, sequenceNumber: record.sequenceNumber });
    for (const fragment of fragments.value) {
      // RFC 9147 §5: only the hellos travel in the clear (and, to a client offering 1.2 too, a
      // HelloVerifyRequest); anything else in epoch 0 is a forgery.
      if (record.epoch === 0 && fragment.msgType !== HandshakeType.client_hello && fragment.msgType !== HandshakeType.server_hello && !this.mayVerify(fragment.msgType)) {
        this.drop();
        continue;
      }
      const message = this.peerFlights.reassembler.add(fragment);
      if (message === undefined) continue;
      for (const sequenced of this.peerFlights.sequencer.push(message, record.epoch)) {
        if (sequenced.kind === 'stale') {
          // RFC 9147 §5.8: the peer repeating the flight ours answered means ours was lost.
          if (this.peerFlights.repeatsAnsweredFlight(sequenced.message.messageSeq)) this.resendNow.next();
          // The client's Finished again: our ACK of it was lost (RFC 9147 §7).
          else if (this.handshake?.isEstablished) this.sendAck();
          continue;
        }
        const kept = this.keep(sequenced.message);
        if (kept === undefined) this.drop();
        else this.run(() => this.handshake?.onMessage(kept) ?? NOTHING);
      }
    }
  }

  /** A HelloVerifyRequest is 1.2's, read only by a client that offered 1.2 too (ClientVersionProbe). */
  private mayVerify(msgType: number): boolean {
    return msgType === HandshakeType.hello_verify_request && this.handshake instanceof ClientVersionProbe;
  }

  private onAck(record: PlainRecord): void {
    const ack = decodeAck(record.payload);
    // RFC 9147 §7: an ACK in the clear is not authenticated; ours come protected.
    if (!ack.ok || record.epoch === 0) {
      this.drop();
      return;
    }
    const sending = this.sending;
    if (!sending?.acks.acknowledge(ack.value) || !sending.acks.complete) return;
    // The whole flight arrived: no timer for it (RFC 9147 §5.8.1).
    this.flights.next(null);
    if (this.pendingEstablished) this.finishEstablishing();
  }

  protected apply(step: HandshakeStep): void {
    if (step.fallback12) {
      this.fallBack(step.fallback12);
      return;
    }
    const { records } = this.context;
    if (step.connectionIds13) records.useConnectionIds(step.connectionIds13);
    for (const { epoch, suite, read, write } of step.epochs13 ?? []) {
      if (read) records.installRead(epoch, suite, read);
      if (write) records.installWrite(epoch, suite, write);
    }
    if (step.flight) {
      this.peerFlights.answered();
      this.send(step.flight);
    }
    if (step.established13) {
      const established: HandshakeEffect & { kind: 'established13' } = { kind: 'established13', summary: step.established13 };
      if (this.context.role === 'server') {
        // RFC 9147 §5.8.3: the server acknowledges the client's last flight; nothing of ours is outstanding.
        this.sendAck();
        this.flights.next(null);
        this.handshake = undefined;
        this.effect(established);
      } else {
        this.pendingEstablished = established;
      }
    }
    if (step.failure) {
      const { alert, reason } = step.failure;
      const code = alert === AlertDescription.unknown_psk_identity ? 'ECREDENTIALS' : 'EHANDSHAKE';
      this.fail(new DtlsError(code, `handshake with ${this.context.peerName} failed: ${reason}`, alertInfo(AlertLevel.fatal, alert)), alert);
    }
  }

  /** The server speaks 1.2: this driver stops, and the datagram that said so goes to the 1.2 handshake's driver. */
  private fallBack(handshake: ClientHandshake): void {
    // The probe decides on a message of the datagram being read (its steps are synchronous).
    this.effect({ kind: 'fallback12', handshake, datagram: this.receiving ?? new Uint8Array(0) });
    this.stop();
  }

  private finishEstablishing(): void {
    const established = this.pendingEstablished;
    if (!established) return;
    this.pendingEstablished = undefined;
    this.flights.next(null);
    this.handshake = undefined;
    this.effect(established);
  }

  private send(flight: Flight): void {
    const { records, options } = this.context;
    const cut = flightRecords(flight, { maxDatagramSize: options.mtu, overhead: (epoch) => records.overhead(epoch) });
    this.sending = { flight, records: cut, acks: new FlightAcknowledgements(cut.length) };
    this.flights.next(flight);
  }

  /** An ACK of the peer's handshake records received so far, in our newest epoch (RFC 9147 §7: never lower than theirs). */
  private sendAck(): void {
    const numbers = this.received.take();
    if (numbers.length === 0) return;
    const { records } = this.context;
    const { record } = records.seal(records.writeEpoch, ContentType.ack, encodeAck(numbers));
    this.effect({ kind: 'send', datagram: record });
  }

  private wireSend(): void {
    const { options, records } = this.context;
    this.subscriptions.add(
      this.flights
        .pipe(
          retransmit({ ...options.retransmit, resendNow$: this.resendNow, scheduler: options.scheduler }),
          filter((t) => {
            if (t.reason !== 'timeout') return true;
            const error = this.silence.timedOut(this.context.peerName, t.flight.number);
            if (error) this.fail(error);
            return error === undefined;
          }),
          map((t) => {
            const sending = this.sending;
            if (!sending || sending.flight !== t.flight) return undefined;
            // RFC 9147 §7: a resend carries only what no ACK named, each in a new record.
            const indexes = t.attempt === 0 ? sending.records.map((_, i) => i) : sending.acks.pending();
            const sealed = indexes.map((i) => {
              const { epoch, contentType, payload } = sending.records[i];
              const out = records.seal(epoch, contentType, payload);
              sending.acks.sent(i, out.number);
              return out.record;
            });
            const names = flightMessageNames(t.flight);
            const event =
              t.attempt === 0
                ? ({ type: 'flight-sent', flight: t.flight.number, messages: names } as const)
                : ({ type: 'retransmit', flight: t.flight.number, messages: names, attempt: t.attempt, reason: t.reason === 'peer' ? 'peer' : 'timeout' } as const);
            return { event, datagrams: packRecords(sealed, options.mtu) };
          }),
        )
        .subscribe((sent) => {
          if (!sent) return;
          this.report(() => {
            this.effect({ kind: 'event', event: sent.event });
            sent.datagrams.forEach((datagram) => this.effect({ kind: 'send', datagram }));
          });
        }),
    );
  }
}
