import type { HandshakeSummary } from '../handshake/handshake-step.js';

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * One line of the NSS key log format that Wireshark reads: "CLIENT_RANDOM
 * <client random> <master secret>". Written only where the user asked for it.
 */
export function keyLogLine(summary: HandshakeSummary): string {
  return `CLIENT_RANDOM ${hex(summary.clientRandom)} ${hex(summary.masterSecret)}\n`;
}
