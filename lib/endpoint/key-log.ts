import { bytesToHex } from '@noble/hashes/utils.js';
import type { HandshakeSummary } from '../handshake/handshake-step.js';

/**
 * One line of the NSS key log format that Wireshark reads: "CLIENT_RANDOM
 * <client random> <master secret>". Written only where the user asked for it.
 */
export function keyLogLine(summary: HandshakeSummary): string {
  return `CLIENT_RANDOM ${bytesToHex(summary.clientRandom)} ${bytesToHex(summary.masterSecret)}\n`;
}
