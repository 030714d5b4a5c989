// RFC 8446 §4.2.8: key_share (51), the same in DTLS 1.3. Its extension_data takes one of
// three forms by the message carrying it:
//   ClientHello:        KeyShareEntry client_shares<0..2^16-1>
//   HelloRetryRequest:  NamedGroup selected_group
//   ServerHello:        KeyShareEntry server_share
// with struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry.
import { ExtensionType, type Extension } from './extension-type.js';
import { decode, type Reader } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

/** One key share: the group (NamedGroup) and the sender's public value in it (a view on decode). */
export interface KeyShareEntry {
  group: number;
  /** For x25519 the 32-byte key, for secp256r1 the 65-byte uncompressed point (RFC 8446 §4.2.8.2). */
  keyExchange: Uint8Array;
}

function writeEntry(w: Writer, entry: KeyShareEntry): void {
  if (entry.keyExchange.length === 0) throw new RangeError('key_exchange must not be empty');
  w.uint16(entry.group).vector16(entry.keyExchange);
}

function readEntry(r: Reader): KeyShareEntry {
  return { group: r.uint16('group'), keyExchange: r.vector16('key_exchange', 1) };
}

/**
 * A ClientHello's key_share: one share per group, in the order of supported_groups. An
 * empty list is allowed (the client asks the server to choose, at the cost of a
 * HelloRetryRequest); two shares for one group are not (RFC 8446 §4.2.8).
 */
export function encodeKeyShareOffer(entries: readonly KeyShareEntry[]): Extension {
  const groups = new Set(entries.map((e) => e.group));
  if (groups.size !== entries.length) throw new RangeError('key_share offers at most one share per group');
  const w = new Writer(2 + entries.reduce((n, e) => n + 4 + e.keyExchange.length, 0));
  w.vector16((l) => entries.forEach((e) => writeEntry(l, e)));
  return { type: ExtensionType.key_share, data: w.finish() };
}

/**
 * The client's shares in wire order. A second share for a group already seen is 'invalid'
 * (RFC 8446 §4.2.8 lets a server answer illegal_parameter). Whether each group was offered
 * in supported_groups, and in the same order, is for the handshake to check.
 */
export function decodeKeyShareOffer(data: Uint8Array): Result<KeyShareEntry[]> {
  return decode('KeyShareClientHello', data, (r) => {
    const seen = new Set<number>();
    return r.list16('client_shares', (item) => {
      const entry = readEntry(item);
      if (seen.has(entry.group)) item.fail('invalid', 'group');
      seen.add(entry.group);
      return entry;
    });
  });
}

/** A ServerHello's key_share: the server's one share, in a group the client offered a share for. */
export function encodeKeyShareSelected(entry: KeyShareEntry): Extension {
  const w = new Writer(4 + entry.keyExchange.length);
  writeEntry(w, entry);
  return { type: ExtensionType.key_share, data: w.finish() };
}

export function decodeKeyShareSelected(data: Uint8Array): Result<KeyShareEntry> {
  return decode('KeyShareServerHello', data, readEntry);
}

/** A HelloRetryRequest's key_share: the group the client is to send a share for in its second ClientHello. */
export function encodeKeyShareRetry(group: number): Extension {
  return { type: ExtensionType.key_share, data: new Writer(2).uint16(group).finish() };
}

export function decodeKeyShareRetry(data: Uint8Array): Result<number> {
  return decode('KeyShareHelloRetryRequest', data, (r) => r.uint16('selected_group'));
}
