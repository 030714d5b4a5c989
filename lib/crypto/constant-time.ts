/**
 * Compares two byte strings in time that depends only on their lengths, never
 * on where they differ, so a MAC or tag check leaks nothing about how many
 * leading bytes an attacker guessed right. Lengths are not secret here (tags
 * and MACs have public, fixed sizes), so differing lengths return at once.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
