import { describe, expect, it } from 'vitest';
import { tls13CipherSuiteByName } from '../../lib/crypto/tls13-cipher-suites.js';
import { externalPsk13Lookup, resumedPsk13 } from '../../lib/handshake/psk-selection13.js';
import type { TicketState13 } from '../../lib/handshake/ticket-state13.js';
import type { OfferedPsks } from '../../lib/wire/pre-shared-key-extension.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const offer = (...ids: Array<[string, number]>): OfferedPsks => ({
  identities: ids.map(([identity, obfuscatedTicketAge]) => ({ identity: bytes(identity), obfuscatedTicketAge })),
  binders: ids.map(() => new Uint8Array(32)),
});
const SHA256 = tls13CipherSuiteByName('TLS_AES_128_GCM_SHA256')!;
const TICKET: TicketState13 = { psk: new Uint8Array(32), cipherSuite: SHA256.id, issuedAt: 0, lifetime: 60, ageAdd: 0, peer: { kind: 'anonymous' } };

describe('which PSK a DTLS 1.3 server takes (RFC 8446 §4.2.11)', () => {
  it('looks external identities up (obfuscated_ticket_age 0) before the others, at most two, and names the one found by its place in the offer', async () => {
    const asked: string[] = [];
    const keys: Record<string, Uint8Array> = { external: new Uint8Array([1]) };
    const lookup = (identity: Uint8Array) => {
      asked.push(text(identity));
      return keys[text(identity)];
    };
    const signal = new AbortController().signal;
    expect(externalPsk13Lookup(offer(['ticket', 77], ['external', 0]), lookup, signal)).toEqual({ index: 1, key: keys.external });
    expect(asked).toEqual(['external']);
    asked.length = 0;
    expect(externalPsk13Lookup(offer(['a', 0], ['b', 0], ['external', 0]), lookup, signal)).toBeUndefined();
    expect(asked).toEqual(['a', 'b']);
    // An async lookup: one after the other.
    const found = await externalPsk13Lookup(offer(['unknown', 0], ['external', 0]), async (identity) => keys[text(identity)], signal);
    expect(found).toEqual({ index: 1, key: keys.external });
  });

  it('takes a ticket of ours only for a suite of its hash, and passes over what does not open', () => {
    const open = (identity: Uint8Array) => (text(identity) === 'ours' ? TICKET : undefined);
    expect(resumedPsk13(offer(['foreign', 5], ['ours', 9]), SHA256, open)).toEqual({ index: 1, key: TICKET.psk, ticket: TICKET });
    expect(resumedPsk13(offer(['ours', 9]), tls13CipherSuiteByName('TLS_AES_256_GCM_SHA384')!, open)).toBeUndefined();
    expect(resumedPsk13(offer(['ours', 9]), SHA256, undefined)).toBeUndefined();
  });
});
