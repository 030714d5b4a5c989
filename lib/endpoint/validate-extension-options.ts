import { DtlsError } from '../dtls-error.js';
import { MAX_PLAINTEXT_LENGTH } from '../wire/constants.js';
import { MIN_RECORD_SIZE_LIMIT } from '../wire/extension-codecs.js';
import { MAX_FRAGMENT_LENGTHS } from '../wire/max-fragment-length-extension.js';

/** Checks of the hello extension options (ALPN, record limits, server names), in the manner of validate-options.ts. */

type Options = Readonly<Record<string, unknown>>;

function invalid(name: string, accepted: string): DtlsError {
  return new DtlsError('EINVAL', `${name} must be ${accepted}`);
}

/** RFC 7301 §3.1: a non-empty list of names of 1 to 255 bytes. */
function checkAlpn(options: Options): void {
  const alpn = options['alpn'];
  if (alpn === undefined) return;
  const names = Array.isArray(alpn) ? (alpn as unknown[]) : [];
  const valid = (p: unknown) => typeof p === 'string' && p.length > 0 && new TextEncoder().encode(p).length <= 255;
  if (names.length === 0 || !names.every(valid)) throw invalid('alpn', 'a non-empty array of protocol names of 1 to 255 bytes, e.g. ["coap"]');
}

/** RFC 8449 §4: 64 up to the DTLS 1.2 maximum, 2^14. */
function checkRecordSizeLimit(options: Options): void {
  const value = options['recordSizeLimit'];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_RECORD_SIZE_LIMIT || value > MAX_PLAINTEXT_LENGTH) {
    throw invalid('recordSizeLimit', `an integer from ${MIN_RECORD_SIZE_LIMIT} to ${MAX_PLAINTEXT_LENGTH}, got ${String(value)}`);
  }
}

/** A client's alpn, recordSizeLimit and maxFragmentLength. */
export function checkClientExtensionOptions(options: Options): void {
  checkAlpn(options);
  checkRecordSizeLimit(options);
  const mfl = options['maxFragmentLength'];
  if (mfl !== undefined && !(MAX_FRAGMENT_LENGTHS as readonly unknown[]).includes(mfl)) {
    throw invalid('maxFragmentLength', `one of ${MAX_FRAGMENT_LENGTHS.join(', ')} (RFC 6066 §4), got ${String(mfl)}`);
  }
}

/** A server's alpn, alpnCallback, recordSizeLimit, serverNames and unknownServerName. */
export function checkServerExtensionOptions(options: Options): void {
  checkAlpn(options);
  if (options['alpnCallback'] !== undefined && typeof options['alpnCallback'] !== 'function') throw invalid('alpnCallback', 'a function');
  checkRecordSizeLimit(options);
  const names = options['serverNames'];
  if (names !== undefined) {
    const entries = names !== null && typeof names === 'object' && !Array.isArray(names) ? Object.entries(names) : undefined;
    const tag = (t: unknown) => typeof t === 'number' && Number.isInteger(t) && t >= 0;
    if (!entries || entries.length === 0 || !entries.every(([name, t]) => /^[\x21-\x7e]+$/.test(name) && tag(t))) {
      throw invalid('serverNames', 'an object from host names (ASCII) to credential tags, e.g. { "a.example": 1 }');
    }
  }
  const unknown = options['unknownServerName'];
  if (unknown !== undefined && unknown !== 'default' && unknown !== 'refuse') throw invalid('unknownServerName', `"default" or "refuse", got ${String(unknown)}`);
}
