import { NamedGroup } from '../crypto/ecdhe.js';
import { UsageError } from './usage-error.js';

/** The names --groups takes for each group rx-dtls implements: the IANA name first, then OpenSSL's. */
const GROUP_NAMES: ReadonlyArray<readonly [number, readonly string[]]> = [
  [NamedGroup.x25519, ['x25519']],
  [NamedGroup.secp256r1, ['secp256r1', 'p-256', 'prime256v1']],
];

/** What the usage text lists. */
export const GROUP_CHOICES = GROUP_NAMES.map(([code, [name]]) => `${name} (${code})`).join(', ');

/**
 * --groups x25519,secp256r1 --groups 23: the ECDHE groups in order of
 * preference, as NamedGroup code points (RFC 8422 §5.1.1), by name or number.
 */
export function parseGroupList(lists: readonly string[]): number[] {
  const groups: number[] = [];
  for (const item of lists.flatMap((list) => list.split(',')).map((name) => name.trim())) {
    const lower = item.toLowerCase();
    const found = GROUP_NAMES.find(([code, names]) => names.includes(lower) || String(code) === item);
    if (!found) throw new UsageError(`--groups "${item}" is not a group rx-dtls implements; use ${GROUP_CHOICES}`);
    if (groups.includes(found[0])) throw new UsageError(`--groups names ${found[1][0]} twice`);
    groups.push(found[0]);
  }
  return groups;
}
