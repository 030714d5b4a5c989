// RFC 8446 §4.2.11: pre_shared_key (41), unchanged in DTLS 1.3. In a ClientHello it is
// OfferedPsks, which MUST be the last extension (the binders are computed over everything
// before them); in a ServerHello it is uint16 selected_identity.
//   struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity;
//   opaque PskBinderEntry<32..255>;
//   struct { PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>; } OfferedPsks;
import { ExtensionType, type Extension } from './extension-type.js';
import { decode, type Reader } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** One PSK the client offers: an external PSK's identity or a ticket, with the ticket's obfuscated age (0 for external PSKs). */
export interface PskIdentity {
  identity: Uint8Array;
  /** uint32: the ticket age in ms plus ticket_age_add, mod 2^32 (RFC 8446 §4.2.11.1). */
  obfuscatedTicketAge: number;
}

/** The ClientHello form: the identities and, in the same order, one binder (an HMAC) for each. */
export interface OfferedPsks {
  identities: PskIdentity[];
  binders: Uint8Array[];
}

const MIN_BINDER_LENGTH = 32;
const MAX_BINDER_LENGTH = 255;

/**
 * Bytes the binders list takes at the very end of the ClientHello: its 2-byte length plus
 * each binder with its 1-byte length. RFC 8446 §4.2.11.2: a binder is computed over the
 * ClientHello up to, not including, this list ("Truncate(ClientHello1)"), with every length
 * field above it already counting binders of their final lengths. So: encode the ClientHello
 * with placeholder binders of the right lengths, hash all but its last `bindersLength` bytes,
 * then put the real binders in. (In DTLS 1.3 that hash is over the TLS-style handshake
 * header, msg_type and length only, RFC 9147 §5.2, not the 12-byte DTLS one.)
 */
export function bindersLength(offered: Pick<OfferedPsks, 'binders'>): number {
  return 2 + offered.binders.reduce((n, b) => n + 1 + b.length, 0);
}

export function encodeOfferedPsks(offered: OfferedPsks): Extension {
  const { identities, binders } = offered;
  if (identities.length === 0) throw new RangeError('pre_shared_key offers at least one identity');
  if (binders.length !== identities.length) throw new RangeError(`${identities.length} identities need as many binders, got ${binders.length}`);
  for (const { identity } of identities) if (identity.length === 0) throw new RangeError('a PSK identity must not be empty');
  for (const binder of binders) {
    if (binder.length < MIN_BINDER_LENGTH || binder.length > MAX_BINDER_LENGTH) throw new RangeError(`a PSK binder is 32 to 255 bytes, got ${binder.length}`);
  }
  const w = new Writer(identities.reduce((n, i) => n + 6 + i.identity.length, 2) + bindersLength(offered));
  w.vector16((l) => identities.forEach((i) => l.vector16(i.identity).uint32(i.obfuscatedTicketAge)));
  w.vector16((l) => binders.forEach((b) => l.vector8(b)));
  return { type: ExtensionType.pre_shared_key, data: w.finish() };
}

const readIdentity = (r: Reader): PskIdentity => ({
  identity: r.vector16('identity', 1),
  obfuscatedTicketAge: r.uint32('obfuscated_ticket_age'),
});

/**
 * The identities and binders, as views. A count of binders other than the count of
 * identities is 'invalid' (each identity has its binder, RFC 8446 §4.2.11). That the
 * extension comes last in the ClientHello is for the handshake to check (illegal_parameter).
 */
export function decodeOfferedPsks(data: Uint8Array): Result<OfferedPsks> {
  return decode('OfferedPsks', data, (r) => {
    const identities = r.list16('identities', readIdentity, 7);
    const binders = r.list16('binders', (i) => i.vector8('PskBinderEntry', MIN_BINDER_LENGTH, MAX_BINDER_LENGTH), 33);
    if (binders.length !== identities.length) r.fail('invalid', 'binders');
    return { identities, binders };
  });
}

/** The ServerHello form: the 0-based index of the identity the server accepted. */
export function encodeSelectedIdentity(index: number): Extension {
  return { type: ExtensionType.pre_shared_key, data: new Writer(2).uint16(index).finish() };
}

/** Whether the index is one the client offered is the client's check (illegal_parameter otherwise). */
export function decodeSelectedIdentity(data: Uint8Array): Result<number> {
  return decode('PreSharedKeyExtension', data, (r) => r.uint16('selected_identity'));
}
