import type { CipherSuite } from '../crypto/cipher-suites.js';
import type { ClientHello } from '../wire/client-hello.js';
import { ExtensionType, findExtension } from '../wire/extensions.js';
import type { ResumableSession } from './resumable-session.js';
import type { ServerResumption } from './server-resumption.js';

/** What a server does with the session a ClientHello offers. */
export type ResumptionChoice =
  | { readonly kind: 'full' }
  | { readonly kind: 'resume'; readonly session: ResumableSession; readonly suite: CipherSuite; readonly byTicket: boolean }
  | { readonly kind: 'abort'; readonly reason: string };

const FULL: ResumptionChoice = { kind: 'full' };

/**
 * The session a ClientHello offers, by RFC 5077 ticket or by session ID (RFC 5246
 * §7.4.1.2), and whether it may be resumed. Anything we cannot resume (no such session,
 * an expired, forged or foreign ticket, a suite the client no longer offers or we no
 * longer serve) gives a full handshake, never an error; only the one case RFC 7627 §5.3
 * says to abort does.
 */
export function chooseResumption(hello: ClientHello, resumption: ServerResumption | undefined, suites: readonly CipherSuite[]): ResumptionChoice {
  if (!resumption) return FULL;
  const ticket = findExtension(hello.extensions, ExtensionType.session_ticket);
  const byTicket = ticket && ticket.data.length > 0 ? resumption.openTicket(ticket.data) : undefined;
  const session = byTicket ?? resumption.findById(hello.sessionId);
  if (!session) return FULL;
  // RFC 5246 §7.4.1.2: the client offers the session's suite, and we resume only with it.
  const suite = suites.find((s) => s.id === session.cipherSuite);
  if (!suite || !hello.cipherSuites.includes(suite.id)) return FULL;
  const extendedMasterSecret = findExtension(hello.extensions, ExtensionType.extended_master_secret) !== undefined;
  // RFC 7627 §5.3: a session with the extended master secret offered without the extension: abort.
  if (session.extendedMasterSecret && !extendedMasterSecret) {
    return { kind: 'abort', reason: 'the client offers a session made with the extended master secret without the extension (RFC 7627 §5.3)' };
  }
  // RFC 7627 §5.3: a session without it is not resumed with it (a full handshake instead), nor
  // without it (the legacy resumption the RFC says to refuse; we never make such sessions).
  if (!session.extendedMasterSecret) return FULL;
  return { kind: 'resume', session, suite, byTicket: byTicket !== undefined };
}
