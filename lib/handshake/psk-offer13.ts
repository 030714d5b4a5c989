import { hashLength, type HashAlgorithm } from '../crypto/hash.js';
import { tls13CipherSuiteById } from '../crypto/tls13-cipher-suites.js';
import { KeySchedule13, finishedVerifyData } from '../crypto/tls13-key-schedule.js';
import { encodeClientHello, type ClientHello } from '../wire/client-hello.js';
import { HandshakeType } from '../wire/constants.js';
import { bindersLength, encodeOfferedPsks, type OfferedPsks } from '../wire/pre-shared-key-extension.js';
import type { PeerIdentity } from './handshake-step.js';
import type { PskCredential } from './psk-credentials.js';
import { ticketUnexpired, type TicketState13 } from './ticket-state13.js';
import type { Transcript13 } from './transcript13.js';

/** One PSK a DTLS 1.3 ClientHello offers: a ticket of an earlier session, or the external PSK. */
export interface PskCandidate13 {
  readonly identity: Uint8Array;
  /** RFC 8446 §4.2.11: the ticket's age plus its ticket_age_add, mod 2^32; 0 for an external PSK. */
  readonly obfuscatedTicketAge: number;
  /** The hash the PSK is used with: the ticket's suite's, SHA-256 for an external PSK (RFC 8446 §4.2.11). */
  readonly hash: HashAlgorithm;
  /** The key schedule with the PSK as its input. */
  readonly schedule: KeySchedule13;
  /** Whether it resumes a session (binder "res binder") or is external ("ext binder"), RFC 8446 §7.1. */
  readonly resumption: boolean;
  /** Who the server is when it takes this PSK: the one it proved to be in the resumed session, or the PSK's identity. */
  readonly peer: PeerIdentity;
}

/** The external PSK as a candidate. */
export function externalPsk13(psk: PskCredential, hash: HashAlgorithm): PskCandidate13 {
  return { identity: psk.identity, obfuscatedTicketAge: 0, hash, schedule: new KeySchedule13(hash, psk.key), resumption: false, peer: { kind: 'psk', identity: psk.identity } };
}

/** A ticket the client kept, as a candidate at `now` (ms); undefined once expired (RFC 8446 §4.6.1) or for a suite we do not know. */
export function ticketPsk13(state: TicketState13, now: number): PskCandidate13 | undefined {
  const suite = tls13CipherSuiteById(state.cipherSuite);
  if (!suite || !state.ticket || !ticketUnexpired(state, now)) return undefined;
  const age = Math.max(0, Math.floor(now - state.issuedAt));
  return {
    identity: state.ticket,
    obfuscatedTicketAge: (age + state.ageAdd) % 2 ** 32,
    hash: suite.hash,
    schedule: new KeySchedule13(suite.hash, state.psk),
    resumption: true,
    peer: state.peer,
  };
}

/**
 * `hello` with the pre_shared_key extension last, one binder per candidate (RFC 8446
 * §4.2.11.2): a Finished over the transcript so far and this ClientHello up to the binders
 * list, whose length is known before the binders, so the hello is encoded once with
 * placeholders and once for real.
 */
export function withPskBinders(hello: ClientHello, candidates: readonly PskCandidate13[], transcript: Transcript13): ClientHello {
  const identities = candidates.map((c) => ({ identity: c.identity, obfuscatedTicketAge: c.obfuscatedTicketAge }));
  const placeholder: OfferedPsks = { identities, binders: candidates.map((c) => new Uint8Array(hashLength(c.hash))) };
  const withPsk = (offered: OfferedPsks): ClientHello => ({ ...hello, extensions: [...hello.extensions, encodeOfferedPsks(offered)] });
  const draft = { msgType: HandshakeType.client_hello, body: encodeClientHello(withPsk(placeholder)) };
  const cut = bindersLength(placeholder);
  const binders = candidates.map((c) => finishedVerifyData(c.hash, c.schedule.binderKey(c.resumption ? 'resumption' : 'external'), transcript.partialHash(c.hash, draft, cut)));
  return withPsk({ identities, binders });
}
