import { timingSafeEqual } from './constant-time.js';
import { hash as digest, hashLength, hmac, type HashAlgorithm } from './hash.js';
import { deriveSecret, hkdfExpandLabel, hkdfExtract, type LabelPrefix } from './hkdf.js';
import type { Tls13CipherSuite } from './tls13-cipher-suites.js';

/** The two traffic secrets of one stage of the handshake, one per sender. */
export interface TrafficSecrets {
  readonly client: Uint8Array;
  readonly server: Uint8Array;
}

/** The application traffic secrets (epoch 3, RFC 9147 §6.1) and the exporter master secret. */
export interface ApplicationSecrets extends TrafficSecrets {
  readonly exporter: Uint8Array;
}

/** What a traffic secret keys for one direction: the AEAD key and IV (RFC 8446 §7.3) and the record number key (RFC 9147 §4.2.3). */
export interface TrafficKeys {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly snKey: Uint8Array;
}

/**
 * The key schedule of RFC 8446 §7.1, one per handshake, walked in order:
 *
 *   const schedule = new KeySchedule13(suite.hash, psk);          // Early Secret (no PSK: zeros)
 *   schedule.binderKey('external');                               // for the ClientHello's PSK binders
 *   const hs = schedule.handshakeSecrets(ecdhe, hash(CH..SH));    // Handshake Secret, epoch 2
 *   const ap = schedule.applicationSecrets(hash(CH..server Fin)); // Master Secret, epoch 3
 *   schedule.resumptionMasterSecret(hash(CH..client Fin));
 *
 * Transcript hashes are the caller's (it keeps a RunningHash); each stage needs the one
 * before and throws if called out of order (a bug in the handshake, not a network event).
 * The prefix is DTLS 1.3's "dtls13" (RFC 9147 §5.9) unless a TLS 1.3 trace is replayed.
 */
export class KeySchedule13 {
  private earlySecret?: Uint8Array;
  private handshakeSecret?: Uint8Array;
  private masterSecret?: Uint8Array;

  constructor(
    readonly hash: HashAlgorithm,
    psk?: Uint8Array,
    readonly prefix: LabelPrefix = 'dtls13',
  ) {
    // RFC 8446 §7.1: "If a given secret is not available, then the 0-value consisting of a
    // string of Hash.length bytes set to zeros is used"; the first salt is that 0 too.
    this.earlySecret = hkdfExtract(hash, undefined, psk ?? this.zeros());
  }

  /** binder_key = Derive-Secret(Early Secret, "ext binder" | "res binder", ""), RFC 8446 §7.1 and §4.2.11.2. */
  binderKey(kind: 'external' | 'resumption'): Uint8Array {
    return this.derive(this.early(), kind === 'external' ? 'ext binder' : 'res binder', this.emptyHash());
  }

  /**
   * Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE), and
   * from it [sender]_handshake_traffic_secret over ClientHello..ServerHello. `sharedSecret` is
   * undefined for psk_ke (no (EC)DHE: the 0-value).
   */
  handshakeSecrets(sharedSecret: Uint8Array | undefined, helloHash: Uint8Array): TrafficSecrets {
    const salt = this.derive(this.early(), 'derived', this.emptyHash());
    const secret = (this.handshakeSecret = hkdfExtract(this.hash, salt, sharedSecret ?? this.zeros()));
    return { client: this.derive(secret, 'c hs traffic', helloHash), server: this.derive(secret, 's hs traffic', helloHash) };
  }

  /**
   * Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0), and from it
   * the application traffic secrets and the exporter master secret over ClientHello..server Finished.
   */
  applicationSecrets(finishedHash: Uint8Array): ApplicationSecrets {
    if (this.handshakeSecret === undefined) throw new Error('KeySchedule13: applicationSecrets before handshakeSecrets');
    const salt = this.derive(this.handshakeSecret, 'derived', this.emptyHash());
    const secret = (this.masterSecret = hkdfExtract(this.hash, salt, this.zeros()));
    return {
      client: this.derive(secret, 'c ap traffic', finishedHash),
      server: this.derive(secret, 's ap traffic', finishedHash),
      exporter: this.derive(secret, 'exp master', finishedHash),
    };
  }

  /** resumption_master_secret = Derive-Secret(Master Secret, "res master", ClientHello..client Finished). */
  resumptionMasterSecret(clientFinishedHash: Uint8Array): Uint8Array {
    if (this.masterSecret === undefined) throw new Error('KeySchedule13: resumptionMasterSecret before applicationSecrets');
    return this.derive(this.masterSecret, 'res master', clientFinishedHash);
  }

  /** Overwrites the secrets it holds; the schedule is unusable afterwards. */
  destroy(): void {
    for (const secret of [this.earlySecret, this.handshakeSecret, this.masterSecret]) secret?.fill(0);
    this.earlySecret = this.handshakeSecret = this.masterSecret = undefined;
  }

  private early(): Uint8Array {
    if (this.earlySecret === undefined) throw new Error('KeySchedule13 used after destroy()');
    return this.earlySecret;
  }

  private derive(secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
    return deriveSecret(this.hash, secret, label, transcriptHash, this.prefix);
  }

  private zeros(): Uint8Array {
    return new Uint8Array(hashLength(this.hash));
  }

  private emptyHash(): Uint8Array {
    return digest(this.hash, new Uint8Array(0));
  }
}

/** finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (RFC 8446 §4.4.4); a binder's BaseKey is the binder key. */
export function finishedKey(hash: HashAlgorithm, baseKey: Uint8Array, prefix: LabelPrefix = 'dtls13'): Uint8Array {
  return hkdfExpandLabel(hash, baseKey, 'finished', new Uint8Array(0), hashLength(hash), prefix);
}

/** verify_data = HMAC(finished_key, Transcript-Hash(...)) (RFC 8446 §4.4.4); also a PSK binder (§4.2.11.2). */
export function finishedVerifyData(hash: HashAlgorithm, baseKey: Uint8Array, transcriptHash: Uint8Array, prefix: LabelPrefix = 'dtls13'): Uint8Array {
  return hmac(hash, finishedKey(hash, baseKey, prefix), transcriptHash);
}

/** Whether a peer's Finished verify_data (or binder) is the one expected, compared in constant time. */
export function finishedMatches(
  hash: HashAlgorithm,
  baseKey: Uint8Array,
  transcriptHash: Uint8Array,
  received: Uint8Array,
  prefix: LabelPrefix = 'dtls13',
): boolean {
  return timingSafeEqual(finishedVerifyData(hash, baseKey, transcriptHash, prefix), received);
}

/** application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length) (RFC 8446 §7.2): the KeyUpdate. */
export function nextTrafficSecret(hash: HashAlgorithm, secret: Uint8Array, prefix: LabelPrefix = 'dtls13'): Uint8Array {
  return hkdfExpandLabel(hash, secret, 'traffic upd', new Uint8Array(0), hashLength(hash), prefix);
}

/** The PSK of a NewSessionTicket: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length) (RFC 8446 §4.6.1). */
export function resumptionPsk(hash: HashAlgorithm, resumptionMasterSecret: Uint8Array, ticketNonce: Uint8Array, prefix: LabelPrefix = 'dtls13'): Uint8Array {
  return hkdfExpandLabel(hash, resumptionMasterSecret, 'resumption', ticketNonce, hashLength(hash), prefix);
}

/**
 * The write key and IV of RFC 8446 §7.3 ("key", "iv") and the record number key of RFC 9147
 * §4.2.3 ([sender]_sn_key = HKDF-Expand-Label(Secret, "sn", "", key_length)) from one sender's
 * traffic secret.
 */
export function trafficKeys(suite: Tls13CipherSuite, secret: Uint8Array, prefix: LabelPrefix = 'dtls13'): TrafficKeys {
  const none = new Uint8Array(0);
  return {
    key: hkdfExpandLabel(suite.hash, secret, 'key', none, suite.keyLength, prefix),
    iv: hkdfExpandLabel(suite.hash, secret, 'iv', none, suite.ivLength, prefix),
    snKey: hkdfExpandLabel(suite.hash, secret, 'sn', none, suite.keyLength, prefix),
  };
}
