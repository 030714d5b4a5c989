import type { SchedulerLike, Subscription } from 'rxjs';
import { DtlsError } from '../dtls-error.js';

/** How a client judges that its server went away (ClientOptions.keepalive). */
export interface KeepaliveOptions {
  /** After this long without a record from the server, probe it with a HeartbeatRequest, when it answers them (ms). */
  readonly interval: number;
  /** After this long without a record from the server, end the session with ETIMEDOUT (ms; more than `interval`). */
  readonly timeout: number;
}

/** What a keepalive watches and does. */
export interface KeepaliveHost {
  readonly scheduler: SchedulerLike;
  /** When a record from the peer last authenticated (scheduler time). */
  lastHeard(): number;
  /** Sends or resends the HeartbeatRequest; undefined when heartbeats were not negotiated. */
  readonly probe?: (attempt: number) => void;
  /** The first wait for the probe's answer before sending it again; it doubles (RFC 6347 §4.2.4.1, as RFC 6520 §3 asks). */
  readonly retransmitTimeout: number;
  fail(error: DtlsError): void;
}

/**
 * Notices a server that went away from an established session: DTLS acknowledges
 * nothing, so without it `send()` keeps succeeding into the void. One scheduled
 * action at a time, set for the next moment something could be due (the end of the
 * interval or of the timeout, counted from the last record heard), re-armed from there
 * when records came meanwhile: no work per record. When the server negotiated
 * heartbeats (RFC 6520) and answers them, silence for `interval` sends a
 * HeartbeatRequest, resent on the DTLS timer (1 s doubling) until the timeout; any
 * authenticated record, the answer or otherwise, counts as heard. Without heartbeats
 * only the server's own records can show it is there, so the application must make it
 * speak (a CoAP empty CON, say) more often than `timeout`.
 */
export class Keepalive {
  private timer?: Subscription;
  /** HeartbeatRequests sent since the record that began this silence. */
  private probes = 0;
  /** The last record heard when probing began: a later one ends the probing. */
  private silenceFrom = Number.NaN;
  /** When the request is due again, while probing (scheduler time). */
  private nextProbe = 0;
  private retransmitTimeout: number;

  constructor(
    private readonly options: KeepaliveOptions,
    private readonly host: KeepaliveHost,
    private readonly peerName: string,
  ) {
    this.retransmitTimeout = host.retransmitTimeout;
    this.arm(host.lastHeard() + (host.probe ? options.interval : options.timeout));
  }

  stop(): void {
    this.timer?.unsubscribe();
    this.timer = undefined;
  }

  private arm(at: number): void {
    const { scheduler } = this.host;
    this.timer = scheduler.schedule(() => this.check(), Math.max(0, at - scheduler.now()));
  }

  private check(): void {
    const { host, options } = this;
    const now = host.scheduler.now();
    const heard = host.lastHeard();
    const deadline = heard + options.timeout;
    if (now >= deadline) {
      this.timer = undefined;
      const seconds = (now - heard) / 1000;
      const probed = this.probes > 0 ? `, ${this.probes} HeartbeatRequests unanswered` : host.probe ? '' : ' (heartbeats not negotiated: only its own records count)';
      return host.fail(new DtlsError('ETIMEDOUT', `no record from ${this.peerName} for ${seconds} s${probed}: it may have gone away or restarted`));
    }
    if (heard !== this.silenceFrom) {
      // Heard from since the last check: a new silence, probed afresh.
      this.silenceFrom = heard;
      this.probes = 0;
      this.retransmitTimeout = host.retransmitTimeout;
    }
    if (!host.probe || now < heard + options.interval) return this.arm(host.probe ? heard + options.interval : deadline);
    if (this.probes === 0 || now >= this.nextProbe) {
      host.probe(++this.probes);
      this.nextProbe = now + this.retransmitTimeout;
      this.retransmitTimeout *= 2;
    }
    this.arm(Math.min(this.nextProbe, deadline));
  }
}
