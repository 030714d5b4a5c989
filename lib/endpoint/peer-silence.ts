import { DtlsError } from '../dtls-error.js';

/**
 * Watches a handshake for a peer that went silent: a server that crashed and
 * restarted, or went away, answers nothing at all, where a lossy link lets
 * something through now and then. RFC 6347 §4.2.4.1 has the timer double on each
 * expiry (1, 2, 4, 8 s...), so `limit` expiries in a row with no datagram from the
 * peer take 2^limit - 1 initial timeouts from the flight nobody answered (15 s for 4
 * at the default 1 s, when the timer is at 8 s): a small multiple of the interval
 * reached, where the handshake budget would keep trying for a minute.
 *
 * Only a peer heard from before is judged so (a server's handshake begins with the
 * client's ClientHello): the first exchange on a lossy link looks the same as a peer
 * that is down, and ICMP already fails a client whose server's port is closed. Each
 * timeout the peer did answer in the end shows the link loses datagrams, and earns
 * the handshake one more try (bench/network/run.ts --silent measures the trade).
 */
export class PeerSilence {
  /** Timer expiries since the peer was last heard from. */
  private silentTimeouts = 0;
  /** When the peer was last heard from. */
  private since: number;
  private heardAny: boolean;
  /** Timer expiries the peer answered after all. */
  private survived = 0;

  constructor(
    private readonly limit: number,
    private readonly now: () => number,
    /** A server's handshake begins with the client's verified ClientHello. */
    heardFirst: boolean,
  ) {
    this.since = now();
    this.heardAny = heardFirst;
  }

  /** A datagram came from the peer. */
  heard(): void {
    this.heardAny = true;
    this.survived += this.silentTimeouts;
    this.silentTimeouts = 0;
    this.since = this.now();
  }

  /**
   * The retransmission timer of `flight` expired (a handshake flight's number, or what an
   * established session retransmits, e.g. "our KeyUpdate"); the error to fail with when the
   * peer has gone silent.
   */
  timedOut(peerName: string, flight: number | string): DtlsError | undefined {
    if (++this.silentTimeouts < this.limit + this.survived || !this.heardAny) return undefined;
    const [what, during] = typeof flight === 'number' ? [`flight ${flight}`, 'handshake'] : [flight, 'session'];
    return new DtlsError(
      'ETIMEDOUT',
      `${during} with ${peerName} gave up: no datagram from it for ${this.now() - this.since} ms, ` +
        `${this.silentTimeouts} retransmission timeouts of ${what} in a row (it answered earlier in the ${during}, ` +
        'then went silent: it may have restarted or gone away)',
    );
  }
}
