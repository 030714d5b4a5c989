import { decode, Reader } from './reader.js';
import type { Result } from './result.js';
import type { Extension } from './extension-type.js';
import { Writer } from './writer.js';

export { ExtensionType, type Extension } from './extension-type.js';
export * from './extension-codecs.js';
export * from './registries.js';
export * from './alpn-extension.js';
export * from './max-fragment-length-extension.js';
export * from './supported-versions-extension.js';
export * from './key-share-extension.js';
export * from './pre-shared-key-extension.js';
export * from './psk-key-exchange-modes-extension.js';
export * from './cookie-extension.js';
export * from './extension-codecs13.js';

/**
 * Writes Extension extensions<0..2^16-1> (RFC 5246 §7.4.1.4): the 2-byte total length,
 * then type(2) + extension_data<0..2^16-1> for each, in the given order.
 */
export function encodeExtensions(exts: readonly Extension[]): Uint8Array {
  const w = new Writer();
  writeExtensions(w, exts);
  return w.finish();
}

/** Appends the extensions block to a writer (used by the hello encoders). */
export function writeExtensions(w: Writer, exts: readonly Extension[]): void {
  const seen = new Set<number>();
  for (const e of exts) {
    if (seen.has(e.type)) throw new RangeError(`duplicate extension type ${e.type}`);
    seen.add(e.type);
  }
  w.vector16((block) => {
    for (const e of exts) block.uint16(e.type).vector16(e.data);
  });
}

/**
 * Reads an extensions block with its 2-byte total length. Given bytes, returns a
 * Result and requires the block to fill them exactly; given a Reader (inside another
 * decoder), reads from it and reports failures through that decoder.
 *
 * RFC 5246 §7.4.1.4: "There MUST NOT be more than one extension of the same type", so a
 * repeated type is 'invalid'; so is an extension whose length runs past the block's.
 */
export function decodeExtensions(bytes: Uint8Array): Result<Extension[]>;
export function decodeExtensions(r: Reader): Extension[];
export function decodeExtensions(input: Uint8Array | Reader): Result<Extension[]> | Extension[] {
  if (input instanceof Reader) return readExtensions(input);
  return decode('Extensions', input, readExtensions);
}

function readExtensions(r: Reader): Extension[] {
  const seen = new Set<number>();
  return r.list16('extensions', (item) => {
    const type = item.uint16('extension_type');
    if (seen.has(type)) item.fail('invalid', 'extension_type');
    seen.add(type);
    return { type, data: item.vector16('extension_data') };
  });
}

export function findExtension(exts: readonly Extension[], type: number): Extension | undefined {
  return exts.find((e) => e.type === type);
}
