import { AlertDescription } from '../wire/alert.js';
import { ExtensionType, findExtension, type Extension } from '../wire/extensions.js';
import { HeartbeatMode, decodeHeartbeatExtension, encodeHeartbeatExtension } from '../wire/heartbeat.js';

/**
 * The heartbeat extension both sides sent (RFC 6520 §2). Ours always says
 * peer_allowed_to_send: a session that negotiated heartbeats answers the peer's
 * HeartbeatRequests. `peerAnswers` is the peer's mode: whether we may send them.
 */
export interface NegotiatedHeartbeat {
  /** The peer said peer_allowed_to_send: it answers our HeartbeatRequests. */
  readonly peerAnswers: boolean;
}

/** Our heartbeat extension, in either hello: we answer the peer's requests. */
export function heartbeatExtension(): Extension {
  return encodeHeartbeatExtension(HeartbeatMode.peer_allowed_to_send);
}

/**
 * The peer's heartbeat extension among its hello's: undefined when it sent none (no
 * heartbeats), or a failure for an unknown mode (RFC 6520 §2: illegal_parameter).
 */
export function peerHeartbeat(extensions: readonly Extension[]): { readonly heartbeat?: NegotiatedHeartbeat; readonly problem?: { alert: number; reason: string } } {
  const extension = findExtension(extensions, ExtensionType.heartbeat);
  if (!extension) return {};
  const mode = decodeHeartbeatExtension(extension.data);
  if (!mode.ok) return { problem: { alert: AlertDescription.illegal_parameter, reason: 'heartbeat extension with an unknown mode' } };
  return { heartbeat: { peerAnswers: mode.value === HeartbeatMode.peer_allowed_to_send } };
}
