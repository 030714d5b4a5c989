import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { TICKET_KEY_NAME_LENGTH, TICKET_KEY_LENGTH } from './ticket-keys.js';

/** The shortest master secret taken: 256 bits, the strength of the keys derived from it. */
export const MIN_MASTER_SECRET_LENGTH = 32;

/** Bytes of each period's cookie secret (an HMAC-SHA256 key of the hash's own length). */
export const DERIVED_COOKIE_SECRET_LENGTH = 32;

const encoder = new TextEncoder();
/** RFC 5869 §3.1: a fixed, non-secret salt keeps these keys apart from any other use of the same master. */
const SALT = encoder.encode('rx-dtls shared secrets v1');
const COOKIE_LABEL = 'rx-dtls cookie secret';
const TICKET_NAME_LABEL = 'rx-dtls ticket key name';
const TICKET_KEY_LABEL = 'rx-dtls ticket key';

/**
 * The secrets several server processes or machines must agree on, derived from one master
 * secret they are all configured with, per purpose and per time period (HKDF-SHA256, RFC
 * 5869): every process computes the same cookie secret and ticket key for a period on its
 * own, so rotating them needs no coordination at run time.
 *
 *   PRK                      = HKDF-Extract(salt = "rx-dtls shared secrets v1", master)
 *   cookie secret of period i = HKDF-Expand(PRK, "rx-dtls cookie secret"   || int64(i), 32)
 *   ticket key name of period i = HKDF-Expand(PRK, "rx-dtls ticket key name" || int64(i), 16)
 *   ticket key of period i    = HKDF-Expand(PRK, "rx-dtls ticket key"      || int64(i), 32)
 *
 * The key name travels in every ticket (RFC 5077 §4), so it gets an expansion of its own:
 * it tells nothing about the key. Only the PRK is kept, in a private field that neither
 * util.inspect nor JSON shows.
 */
export class SharedSecrets {
  readonly #prk: Uint8Array;

  /** `master`: at least MIN_MASTER_SECRET_LENGTH bytes, the same in every process (throws RangeError otherwise). */
  constructor(master: Uint8Array) {
    if (master.length < MIN_MASTER_SECRET_LENGTH) throw new RangeError(`a master secret is at least ${MIN_MASTER_SECRET_LENGTH} bytes`);
    this.#prk = extract(sha256, master, SALT);
  }

  /** The cookie secret of period `index`. */
  cookieSecret(index: number): Uint8Array {
    return this.expand(COOKIE_LABEL, index, DERIVED_COOKIE_SECRET_LENGTH);
  }

  /** The ticket key of period `index` as TicketKeys takes it: the 16-byte name, then the 32-byte AES-256-GCM key. */
  ticketKey(index: number): Uint8Array {
    const key = new Uint8Array(TICKET_KEY_LENGTH);
    key.set(this.expand(TICKET_NAME_LABEL, index, TICKET_KEY_NAME_LENGTH), 0);
    key.set(this.expand(TICKET_KEY_LABEL, index, TICKET_KEY_LENGTH - TICKET_KEY_NAME_LENGTH), TICKET_KEY_NAME_LENGTH);
    return key;
  }

  private expand(label: string, index: number, length: number): Uint8Array {
    const labelBytes = encoder.encode(label);
    const info = new Uint8Array(labelBytes.length + 8);
    info.set(labelBytes, 0);
    new DataView(info.buffer).setBigInt64(labelBytes.length, BigInt(index));
    return expand(sha256, this.#prk, info, length);
  }

  /** What a debug print shows: that there are secrets, never which. */
  toJSON(): string {
    return 'SharedSecrets';
  }
}
