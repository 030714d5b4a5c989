import { bytesToHex } from '@noble/hashes/utils.js';
import type { HandshakeSummary, HandshakeSummary13 } from '../handshake/handshake-step.js';

/**
 * One line of the NSS key log format that Wireshark reads: "CLIENT_RANDOM
 * <client random> <master secret>". Written only where the user asked for it.
 */
export function keyLogLine(summary: HandshakeSummary): string {
  return `CLIENT_RANDOM ${bytesToHex(summary.clientRandom)} ${bytesToHex(summary.masterSecret)}\n`;
}

/**
 * The NSS key log lines of a DTLS 1.3 handshake, keyed by the client random: the handshake
 * traffic secrets (epoch 2) and the first application traffic secrets (epoch 3) of both
 * sides, which is what Wireshark needs to open the handshake and the data. The secrets
 * of later epochs follow from these (RFC 8446 §7.2), so KeyUpdates log nothing.
 */
export function keyLogLines13(summary: HandshakeSummary13, role: 'client' | 'server'): string[] {
  const random = bytesToHex(summary.clientRandom);
  const [handshake, application] = [summary.handshakeSecrets, summary.applicationSecrets];
  const client = role === 'client' ? 'write' : 'read';
  const server = role === 'client' ? 'read' : 'write';
  return [
    ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', handshake[client]],
    ['SERVER_HANDSHAKE_TRAFFIC_SECRET', handshake[server]],
    ['CLIENT_TRAFFIC_SECRET_0', application[client]],
    ['SERVER_TRAFFIC_SECRET_0', application[server]],
  ].map(([label, secret]) => `${label as string} ${random} ${bytesToHex(secret as Uint8Array)}\n`);
}
