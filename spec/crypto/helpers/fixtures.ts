import { readFileSync } from 'node:fs';

/** The PEM files in spec/fixtures/peers, shared with the interop specs. */
export function peerFixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/peers/${name}`, import.meta.url), 'utf8');
}
