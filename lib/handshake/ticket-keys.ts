import type { Aead } from '../crypto/aead.js';
import { timingSafeEqual } from '../crypto/constant-time.js';
import type { CryptoProvider } from '../crypto/provider.js';

/** RFC 5077 §4: a key name of 16 bytes opens the ticket and tells which key sealed it. */
export const TICKET_KEY_NAME_LENGTH = 16;
/** A ticket key as the `ticketKeys` option takes it: the 16-byte name, then a 32-byte AES-256-GCM key. */
export const TICKET_KEY_LENGTH = TICKET_KEY_NAME_LENGTH + 32;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;

interface TicketKey {
  readonly name: Uint8Array;
  readonly aead: Aead;
}

/**
 * The keys a server seals its session tickets with: the current one, and the ones before
 * it, which still open tickets they sealed. RFC 5077 §4 recommends key_name, IV,
 * encrypted state and a MAC; an AEAD does the encryption and the MAC in one:
 *
 *   ticket = key_name[16] || nonce[12] || AES-256-GCM(key, nonce, state, aad = key_name)
 *
 * Nonces are random: with rotation every session lifetime, a key seals far fewer than the
 * 2^32 tickets past which random 96-bit GCM nonces would risk repeating.
 */
export class TicketKeys {
  private keys: readonly TicketKey[];

  /** `keys`: TICKET_KEY_LENGTH bytes each, the current one first. */
  constructor(
    private readonly provider: CryptoProvider,
    keys: readonly Uint8Array[],
  ) {
    this.keys = this.load(keys);
  }

  /** Replaces the keys (e.g. with those every process of a cluster shares), the current one first. */
  set(keys: readonly Uint8Array[]): void {
    this.keys = this.load(keys);
  }

  /** Makes `next` the current key; the current one becomes the previous, older ones are dropped. */
  rotate(next: Uint8Array): void {
    this.keys = [...this.load([next]), this.keys[0]];
  }

  /** The state sealed under the current key. */
  seal(state: Uint8Array): Uint8Array {
    const { name, aead } = this.keys[0];
    const nonce = this.provider.randomBytes(NONCE_LENGTH);
    const sealed = aead.seal(nonce, state, name);
    const ticket = new Uint8Array(TICKET_KEY_NAME_LENGTH + NONCE_LENGTH + sealed.length);
    ticket.set(name, 0);
    ticket.set(nonce, TICKET_KEY_NAME_LENGTH);
    ticket.set(sealed, TICKET_KEY_NAME_LENGTH + NONCE_LENGTH);
    return ticket;
  }

  /** The state in a ticket one of our keys sealed; undefined for a truncated, modified, forged or foreign one. */
  open(ticket: Uint8Array): Uint8Array | undefined {
    if (ticket.length < TICKET_KEY_NAME_LENGTH + NONCE_LENGTH + TAG_LENGTH) return undefined;
    const name = ticket.subarray(0, TICKET_KEY_NAME_LENGTH);
    // Key names are not secret, but the comparison is cheap to make constant-time anyway.
    const key = this.keys.find((k) => timingSafeEqual(k.name, name));
    if (!key) return undefined;
    const nonce = ticket.subarray(TICKET_KEY_NAME_LENGTH, TICKET_KEY_NAME_LENGTH + NONCE_LENGTH);
    return key.aead.open(nonce, ticket.subarray(TICKET_KEY_NAME_LENGTH + NONCE_LENGTH), name) ?? undefined;
  }

  private load(keys: readonly Uint8Array[]): TicketKey[] {
    if (keys.length === 0) throw new RangeError('at least one ticket key is needed');
    return keys.map((bytes) => {
      if (bytes.length !== TICKET_KEY_LENGTH) throw new RangeError(`a ticket key is ${TICKET_KEY_LENGTH} bytes, got ${bytes.length}`);
      const name = bytes.slice(0, TICKET_KEY_NAME_LENGTH);
      return { name, aead: this.provider.createAead('AES_256_GCM', bytes.slice(TICKET_KEY_NAME_LENGTH)) };
    });
  }
}
