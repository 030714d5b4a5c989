import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { AeadAlgorithm } from '../crypto/aead.js';
import { checkSessionOptions } from './validate-options.js';

/** Per-session settings, shared by client and server endpoints. */
export interface SessionOptions {
  /** Largest UDP payload sent; handshake flights are fragmented to fit (default 1200). */
  readonly mtu: number;
  /** RFC 6347 §4.2.4.1 timer: initial 1000 ms, doubling up to 60000 ms. */
  readonly retransmit: {
    /** The first wait for the peer's next flight, in ms. */
    readonly initialTimeout: number;
    /** The wait doubles on each retransmission up to this, in ms. */
    readonly maxTimeout: number;
  };
  /** The handshake fails with ETIMEDOUT after this long (default 60000 ms). */
  readonly handshakeTimeout: number;
  /**
   * The handshake fails with ETIMEDOUT sooner, when this many retransmission timers in a
   * row expire with no datagram at all from the peer (default 4: 15 s after the flight
   * nobody answered, at the default timers), as after a server that crashed mid-handshake.
   * `Infinity` keeps retransmitting for the whole `handshakeTimeout`, for a lossy radio
   * link where long silences are normal.
   */
  readonly maxSilentTimeouts: number;
  /** Replay window size in records (RFC 6347 §4.1.2.6; default 64). */
  readonly replayWindow: number;
  /**
   * Most bytes from the peer a handshake holds (default 65536): messages being
   * reassembled (at most half of it, so the largest handshake message accepted is
   * half of it), messages held until their turn, records held until their epoch's
   * keys, messages waiting behind an async step, the transcript and, on a server,
   * the ClientHello. What would go over it is dropped.
   */
  readonly maxHandshakeBufferBytes: number;
  /** How far ahead of the next expected message_seq messages are kept (default 16). */
  readonly maxFutureHandshakeMessages: number;
  /** Records of the next epoch held until its keys are known (default 32), within maxHandshakeBufferBytes. */
  readonly maxHeldRecords: number;
  /** Timers run on this scheduler: pass a TestScheduler to run them in virtual time. */
  readonly scheduler: SchedulerLike;
  /** Receives NSS key log lines (SSLKEYLOGFILE) when set. */
  readonly keyLog?: (line: string) => void;
  /**
   * A DTLS 1.3 session's AEAD limits (records protected, forgeries) in place of RFC 9147
   * §4.5.3's, so that specs reach 'update-advised' without sending 2^23 records.
   * @internal
   */
  readonly aeadLimits13?: AeadLimitOverrides;
}

/** @internal limits per AEAD in place of AEAD_LIMITS' (SessionOptions.aeadLimits13). */
export interface AeadLimitOverrides {
  readonly protected?: Partial<Record<AeadAlgorithm, number>>;
  readonly forgeries?: Partial<Record<AeadAlgorithm, number>>;
}

/** The session options an endpoint uses for what it is not given. */
export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
  mtu: 1200,
  retransmit: { initialTimeout: 1000, maxTimeout: 60_000 },
  handshakeTimeout: 60_000,
  maxSilentTimeouts: 4,
  replayWindow: 64,
  maxHandshakeBufferBytes: 65_536,
  maxFutureHandshakeMessages: 16,
  maxHeldRecords: 32,
  scheduler: asyncScheduler,
};

const OPTION_NAMES: ReadonlyArray<keyof SessionOptions> = [...(Object.keys(DEFAULT_SESSION_OPTIONS) as Array<keyof SessionOptions>), 'keyLog', 'aeadLimits13'];

/** The session options in `overrides` over the defaults; throws DtlsError EINVAL for one it cannot use. */
export function sessionOptions(overrides: Partial<SessionOptions>): SessionOptions {
  // Only the session's own options are taken (a client passes all of its options here);
  // one given as undefined keeps its default.
  const merged: Record<string, unknown> = { ...DEFAULT_SESSION_OPTIONS };
  for (const name of OPTION_NAMES) {
    const value = overrides[name];
    if (value !== undefined) merged[name] = value;
  }
  checkSessionOptions(merged);
  return merged as unknown as SessionOptions;
}
