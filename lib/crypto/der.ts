/** One DER tag-length-value; `value` is a view into the input. */
export interface DerElement {
  readonly tag: number;
  readonly value: Uint8Array;
}

/**
 * Splits `bytes` into the consecutive DER elements that tile it exactly, or null.
 * Strict DER (X.690 §10.1): single-byte tags only, definite lengths in the shortest
 * form, nothing left over. Never throws and never reads past the end; only the
 * small key structures in this folder are parsed with it, so lengths above 2^24 are refused.
 */
export function readDerElements(bytes: Uint8Array): DerElement[] | null {
  const elements: DerElement[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const element = readOne(bytes, offset);
    if (element === null) return null;
    elements.push(element.element);
    offset = element.end;
  }
  return elements;
}

/** The children of a constructed element with the expected tag, or null. */
export function readDerChildren(element: DerElement | undefined, tag: number): DerElement[] | null {
  if (element === undefined || element.tag !== tag) return null;
  return readDerElements(element.value);
}

/** True when `element` has this tag and exactly these content bytes. */
export function derEquals(element: DerElement | undefined, tag: number, value: Uint8Array): boolean {
  if (element === undefined || element.tag !== tag || element.value.length !== value.length) return false;
  return element.value.every((byte, i) => byte === value[i]);
}

function readOne(bytes: Uint8Array, offset: number): { element: DerElement; end: number } | null {
  if (offset + 2 > bytes.length) return null;
  const tag = bytes[offset];
  // High tag numbers (low five bits all set) need more tag bytes; nothing parsed here uses them.
  if ((tag & 0x1f) === 0x1f) return null;
  const first = bytes[offset + 1];
  let length: number;
  let header: number;
  if (first < 0x80) {
    length = first;
    header = 2;
  } else {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite length, which DER forbids.
    if (count === 0 || count > 3 || offset + 2 + count > bytes.length) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 2 + i];
    // Shortest form only: long form for lengths >= 128, and no leading zero byte.
    if (length < 0x80 || bytes[offset + 2] === 0) return null;
    header = 2 + count;
  }
  const start = offset + header;
  const end = start + length;
  if (end > bytes.length) return null;
  return { element: { tag, value: bytes.subarray(start, end) }, end };
}
