/**
 * The DER bytes inside a PEM block (RFC 7468): the first block labelled `label`
 * ("PRIVATE KEY", "EC PRIVATE KEY", "PUBLIC KEY", ...), or the first block of any
 * label when none is given. Null when there is no such block, the END line does not
 * match, or the body is not valid base64. Whitespace inside the body is ignored;
 * RFC 1421 headers are not supported (no key format here uses them).
 */
export function pemToDer(pem: string, label?: string): Uint8Array | null {
  const labelPattern = label === undefined ? '([A-Z0-9 ]+)' : `(${escapeRegExp(label)})`;
  const begin = new RegExp(`-----BEGIN ${labelPattern}-----`).exec(pem);
  if (begin === null) return null;
  const bodyStart = begin.index + begin[0].length;
  const endLine = `-----END ${begin[1]}-----`;
  const bodyEnd = pem.indexOf(endLine, bodyStart);
  if (bodyEnd < 0) return null;
  return decodeBase64(pem.slice(bodyStart, bodyEnd));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Standard base64 with padding (RFC 4648 §4), whitespace skipped; null on anything else. */
function decodeBase64(text: string): Uint8Array | null {
  const chars = text.replace(/\s+/g, '');
  if (chars.length % 4 !== 0) return null;
  const padding = chars.endsWith('==') ? 2 : chars.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((chars.length / 4) * 3 - padding);
  let bits = 0;
  let bitCount = 0;
  let written = 0;
  for (let i = 0; i < chars.length - padding; i++) {
    const value = DECODE.get(chars[i]);
    if (value === undefined) return null;
    bits = ((bits << 6) | value) & 0xffffff;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      out[written++] = (bits >>> bitCount) & 0xff;
    }
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
