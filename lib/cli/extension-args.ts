import { MAX_FRAGMENT_LENGTHS, type MaxFragmentLength } from '../wire/max-fragment-length-extension.js';
import { UsageError } from './usage-error.js';

/** --sni NAME=CERT,KEY: a host name the server serves with its own X.509 chain and key. */
export interface SniArgument {
  readonly name: string;
  readonly chain: string;
  readonly key: string;
}

/** --alpn coap,h2: protocol names in order of preference, as openssl's -alpn takes them. */
export function parseAlpn(text: string): string[] {
  const names = text.split(',');
  if (names.some((n) => n.length === 0 || Buffer.byteLength(n) > 255)) {
    throw new UsageError(`--alpn takes protocol names of 1 to 255 bytes separated by commas, got "${text}"`);
  }
  return names;
}

/** --record-size-limit N: RFC 8449 §4 allows 64 up to 2^14 in DTLS 1.2. */
export function parseRecordSizeLimit(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 64 && value <= 16_384)) throw new UsageError(`--record-size-limit must be an integer from 64 to 16384, got "${text}"`);
  return value;
}

/** --max-fragment-length N: one of RFC 6066 §4's 512, 1024, 2048, 4096. */
export function parseMaxFragmentLength(text: string): MaxFragmentLength {
  const length = MAX_FRAGMENT_LENGTHS.find((l) => String(l) === text);
  if (length === undefined) throw new UsageError(`--max-fragment-length must be one of ${MAX_FRAGMENT_LENGTHS.join(', ')}, got "${text}"`);
  return length;
}

/** --sni NAME=CERT,KEY, each name once. */
export function parseSni(given: readonly string[]): SniArgument[] {
  const seen = new Set<string>();
  return given.map((text) => {
    const match = /^([\x21-\x7e]+?)=([^,]+),(.+)$/.exec(text);
    if (!match) throw new UsageError(`--sni takes NAME=CERT,KEY (a host name, its certificate chain file and key file), got "${text}"`);
    const [, name, chain, key] = match;
    const lower = name.toLowerCase();
    if (seen.has(lower)) throw new UsageError(`--sni name "${name}" is given twice`);
    seen.add(lower);
    return { name, chain, key };
  });
}
