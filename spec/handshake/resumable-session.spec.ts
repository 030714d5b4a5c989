import { describe, expect, it } from 'vitest';
import { decodeResumableSession, encodeResumableSession, type ResumableSession } from '../../lib/handshake/resumable-session.js';

const base: ResumableSession = {
  masterSecret: new Uint8Array(48).fill(0xab),
  cipherSuite: 0xc0a8,
  extendedMasterSecret: true,
  peer: { kind: 'psk', identity: new TextEncoder().encode('Client_identity') },
  createdAt: 1_800_000_000_123,
  sessionId: new Uint8Array(32).fill(1),
};

describe('a resumable session as bytes (what a client saves, what a server seals into a ticket)', () => {
  it.each([
    ['a PSK session by ID', base],
    ['a ticket', { ...base, sessionId: new Uint8Array(0), ticket: new Uint8Array(150).fill(2), ticketLifetimeHint: 7200 }],
    ['a raw public key peer', { ...base, peer: { kind: 'raw-public-key', spki: new Uint8Array(91).fill(3) } }],
    ['an X.509 peer', { ...base, peer: { kind: 'x509', subject: 'CN=localhost', chain: [new Uint8Array(400).fill(0x30), new Uint8Array(5).fill(0x31)] } }],
    ['an anonymous peer', { ...base, peer: { kind: 'anonymous' } }],
  ] as const)('round-trips %s', (_, session) => {
    expect(decodeResumableSession(encodeResumableSession(session))).toEqual({ ok: true, value: session });
  });

  it('refuses another format version, a master secret of the wrong length, an unknown peer kind and trailing bytes', () => {
    const bytes = encodeResumableSession(base);
    expect(decodeResumableSession(Uint8Array.from([2, ...bytes.subarray(1)])).ok).toBe(false);
    const shortSecret = encodeResumableSession({ ...base, masterSecret: new Uint8Array(47) });
    expect(decodeResumableSession(shortSecret).ok).toBe(false);
    const peerKindAt = bytes.length - 2 - 15 - 1;
    expect(decodeResumableSession(Uint8Array.from(bytes, (b, i) => (i === peerKindAt ? 9 : b))).ok).toBe(false);
    expect(decodeResumableSession(Uint8Array.from([...bytes, 0])).ok).toBe(false);
  });
});
