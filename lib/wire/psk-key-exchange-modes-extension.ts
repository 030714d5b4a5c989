// RFC 8446 §4.2.9: psk_key_exchange_modes (45), which a client offering a PSK must send:
//   enum { psk_ke(0), psk_dhe_ke(1), (255) } PskKeyExchangeMode;
//   struct { PskKeyExchangeMode ke_modes<1..255>; } PskKeyExchangeModes;
import { ExtensionType, type Extension } from './extension-type.js';
import { decode } from './reader.js';
import type { Result } from './result.js';
import { Writer } from './writer.js';

export const PskKeyExchangeMode = {
  /** PSK alone: no (EC)DHE, so no forward secrecy. */
  psk_ke: 0,
  /** PSK with (EC)DHE: the client must send key_share too. */
  psk_dhe_ke: 1,
} as const;
export type PskKeyExchangeMode = (typeof PskKeyExchangeMode)[keyof typeof PskKeyExchangeMode];

export function encodePskKeyExchangeModesExtension(modes: readonly number[]): Extension {
  if (modes.length === 0 || modes.length > 255) throw new RangeError(`ke_modes holds 1 to 255 modes, got ${modes.length}`);
  const w = new Writer(1 + modes.length);
  w.vector8((l) => modes.forEach((m) => l.uint8(m)));
  return { type: ExtensionType.psk_key_exchange_modes, data: w.finish() };
}

/** The modes in wire order, unknown ones kept: a server ignores modes it does not know (RFC 8446 §4.2.9). */
export function decodePskKeyExchangeModesExtension(data: Uint8Array): Result<number[]> {
  return decode('PskKeyExchangeModes', data, (r) => r.list8('ke_modes', (i) => i.uint8('PskKeyExchangeMode'), 1));
}
