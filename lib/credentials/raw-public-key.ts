import { timingSafeEqual } from '../crypto/constant-time.js';
import { ecdsaPublicKey } from '../crypto/ecdsa.js';
import { decodeP256Spki, encodeP256Spki } from '../crypto/spki.js';
import type { MaybePromise } from '../handshake/handshake-step.js';
import { NEVER_ABORTED, type LookupContext } from '../handshake/lookup-context.js';
import type { LocalCertificate, PeerCheck } from '../handshake/peer-authentication.js';
import { AlertDescription } from '../wire/alert.js';
import { encodeRawPublicKeyCertificate } from '../wire/certificate.js';
import { CertificateType } from '../wire/extensions.js';
import type { LookupGate } from './lookup-gate.js';

/**
 * An async trust decision on a peer's SubjectPublicKeyInfo (a fleet pinned in a database).
 * `context.signal` aborts when the handshake that asked ends.
 */
export type RawPublicKeyTrust = (spki: Uint8Array, context: LookupContext) => MaybePromise<boolean>;

/** Our raw public key certificate (RFC 7250 §3): the SPKI of our key, sent as is. */
export function rawPublicKeyCertificate(privateKey: Uint8Array): LocalCertificate {
  const spki = encodeP256Spki(ecdsaPublicKey(privateKey));
  return { type: CertificateType.raw_public_key, certificateBody: encodeRawPublicKeyCertificate(spki), privateKey };
}

/**
 * Accepts a peer's raw public key when it is one of `trusted` (uncompressed points) or
 * `trust` says yes; `trust` runs through `gate` when there is one.
 */
export function verifyRawPublicKey(
  trusted: readonly Uint8Array[],
  trust: RawPublicKeyTrust | undefined,
  gate?: LookupGate,
): (spki: Uint8Array, context?: LookupContext) => MaybePromise<PeerCheck> {
  return (spki, context = { signal: NEVER_ABORTED }) => {
    const point = decodeP256Spki(spki);
    if (!point) return { ok: false, alert: AlertDescription.unsupported_certificate, reason: 'not a P-256 public key' };
    const accepted: PeerCheck = { ok: true, publicKey: point, identity: { kind: 'raw-public-key', spki } };
    if (trusted.some((key) => timingSafeEqual(key, point))) return accepted;
    const rejected: PeerCheck = { ok: false, alert: AlertDescription.bad_certificate, reason: 'raw public key not trusted' };
    if (!trust) return rejected;
    const verdict = gate ? gate.run(() => trust(spki, context), context.signal) : trust(spki, context);
    return verdict instanceof Promise ? verdict.then((yes) => (yes ? accepted : rejected)) : verdict ? accepted : rejected;
  };
}
