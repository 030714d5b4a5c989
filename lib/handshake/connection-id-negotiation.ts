import { AlertDescription } from '../wire/alert.js';
import { decodeConnectionIdExtension, encodeConnectionIdExtension } from '../wire/connection-id-extension.js';
import { ExtensionType, findExtension, type Extension } from '../wire/extensions.js';
import type { HandshakeFailure } from './handshake-step.js';

/** One side's Connection ID wishes (RFC 9146 §3). */
export interface ConnectionIdPolicy {
  /** The CID we want to receive records with; empty: we take none (we still send the peer's). */
  readonly own: Uint8Array;
  /** Fail the handshake when the peer does not negotiate CIDs. */
  readonly required: boolean;
}

/** The CIDs a handshake agreed: `read` is ours (the peer sends it), `write` the peer's; empty means records without one. */
export interface NegotiatedConnectionIds {
  /** The CID records to us carry. */
  readonly read: Uint8Array;
  /** The CID records to the peer carry. */
  readonly write: Uint8Array;
}

type Negotiation<T> = { readonly ok: true; readonly value: T } | ({ readonly ok: false } & HandshakeFailure);

/** The client's offer: the CID it wants to receive, possibly empty (RFC 9146 §3). */
export function offerConnectionId(policy: ConnectionIdPolicy | undefined): Extension | undefined {
  return policy && encodeConnectionIdExtension(policy.own);
}

/**
 * The client reads the server's answer (RFC 9146 §3): with the extension, both sides use
 * CIDs as each asked; without it, none (or a failure when we required them). An answer to
 * an offer we did not make is refused before this, as any unsolicited extension is.
 */
export function clientConnectionIds(
  policy: ConnectionIdPolicy | undefined,
  serverExtensions: readonly Extension[],
): Negotiation<NegotiatedConnectionIds | undefined> {
  const answer = findExtension(serverExtensions, ExtensionType.connection_id);
  if (policy === undefined || answer === undefined) {
    if (policy?.required) return { ok: false, alert: AlertDescription.handshake_failure, reason: 'the server does not use connection IDs (RFC 9146), which are required' };
    return { ok: true, value: undefined };
  }
  const cid = decodeConnectionIdExtension(answer.data);
  if (!cid.ok) return { ok: false, alert: AlertDescription.decode_error, reason: 'malformed connection_id extension' };
  return { ok: true, value: { read: policy.own, write: cid.value.slice() } };
}

/**
 * The server answers an offer with its own CID (RFC 9146 §3: only when the client sent the
 * extension); without a policy it ignores the offer, and the client sends no CIDs.
 */
export function serverConnectionIds(
  policy: ConnectionIdPolicy | undefined,
  clientExtensions: readonly Extension[],
): Negotiation<{ readonly extension: Extension; readonly ids: NegotiatedConnectionIds } | undefined> {
  const offer = findExtension(clientExtensions, ExtensionType.connection_id);
  if (policy === undefined) return { ok: true, value: undefined };
  if (offer === undefined) {
    if (policy.required) return { ok: false, alert: AlertDescription.handshake_failure, reason: 'the client does not offer connection IDs (RFC 9146), which are required' };
    return { ok: true, value: undefined };
  }
  const cid = decodeConnectionIdExtension(offer.data);
  if (!cid.ok) return { ok: false, alert: AlertDescription.decode_error, reason: 'malformed connection_id extension' };
  return { ok: true, value: { extension: encodeConnectionIdExtension(policy.own), ids: { read: policy.own, write: cid.value.slice() } } };
}
