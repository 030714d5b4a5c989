import { timingSafeEqual } from '../crypto/constant-time.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { KeySchedule13, finishedVerifyData } from '../crypto/tls13-key-schedule.js';
import type { Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';
import { AlertDescription } from '../wire/alert.js';
import type { ClientHello } from '../wire/client-hello.js';
import { DTLS_1_2, DTLS_1_3, HandshakeType } from '../wire/constants.js';
import { encodeEncryptedExtensions } from '../wire/encrypted-extensions.js';
import { ExtensionType, findExtension } from '../wire/extensions.js';
import { decodeFinished, encodeFinished } from '../wire/finished.js';
import { encodeKeyShareSelected } from '../wire/key-share-extension.js';
import { bindersLength, decodeOfferedPsks, encodeSelectedIdentity, type OfferedPsks } from '../wire/pre-shared-key-extension.js';
import { encodeServerHello } from '../wire/server-hello.js';
import { encodeSelectedVersion } from '../wire/supported-versions-extension.js';
import type { FlightEntry } from './flight.js';
import { FlightMachine, type ClosingState } from './flight-machine.js';
import type { HandshakeMessage } from './handshake-message.js';
import { NOTHING, type HandshakeStep, type HandshakeSummary13, type MaybePromise, type PeerIdentity } from './handshake-step.js';
import { helloRetryRequestBody, type RetryState } from './hello-retry13.js';
import { NEVER_ABORTED } from './lookup-context.js';
import type { ServerPskLookup } from './psk-credentials.js';
import { externalPsk13Lookup, resumedPsk13, type SelectedPsk13, type TicketLookup13 } from './psk-selection13.js';
import { chooseHandshake13, type Choice13, type ServerOffer13 } from './server-choice13.js';
import { Transcript13 } from './transcript13.js';

/** What a {@link ServerHandshake13} serves with. */
export interface ServerHandshake13Options {
  /** The cryptographic primitives. */
  readonly provider: CryptoProvider;
  /** The 1.3 suites, in our order of preference. */
  readonly cipherSuites: readonly Tls13CipherSuite[];
  /** (EC)DHE groups in order of preference. */
  readonly groups: readonly number[];
  /** The key of a client's PSK identity; without it no PSK is taken. */
  readonly pskLookup?: ServerPskLookup;
  /** Passed to an async PSK lookup; aborted when this handshake ends. */
  readonly signal?: AbortSignal;
  /** Opens the tickets we issued, when resumption is on: a fresh one resumes its session (RFC 8446 §2.2). */
  readonly ticketLookup?: TicketLookup13;
}

/** The second ClientHello's cookie, verified by the gate: what the HelloRetryRequest settled, and the cookie itself. */
export interface VerifiedRetry extends RetryState {
  /** The cookie as the HelloRetryRequest carried it, to rebuild that message for the transcript. */
  readonly cookie: Uint8Array;
}

/** What the server knows once its handshake keys exist. */
interface ServerKeyed13 {
  readonly suite: Tls13CipherSuite;
  readonly choice: Choice13;
  readonly handshakeSecrets: { readonly client: Uint8Array; readonly server: Uint8Array };
  readonly applicationSecrets: { readonly client: Uint8Array; readonly server: Uint8Array };
  readonly peer: PeerIdentity;
  readonly resumed: boolean;
  /** For the resumption master secret once the client's Finished is in the transcript. */
  readonly schedule: KeySchedule13;
}

type State = { readonly name: 'new' };

/**
 * The server's side of a DTLS 1.3 handshake (RFC 9147 §5, RFC 8446 §4) with an external
 * PSK, psk_dhe_ke or psk_ke, from the second ClientHello: every 1.3 handshake here
 * passes the stateless cookie exchange first (the HelloRetryRequest, built by the gate),
 * so the transcript starts with message_hash(ClientHello1) and the HelloRetryRequest the
 * cookie lets it rebuild. Flight 4 is ServerHello (epoch 0), EncryptedExtensions and
 * Finished (epoch 2); the client's Finished (epoch 2) completes it. Pure: messages in,
 * steps out; the driver acknowledges the client's Finished (RFC 9147 §7.1).
 */
export class ServerHandshake13 extends FlightMachine<State, ServerKeyed13> {
  protected state: State | ClosingState<ServerKeyed13> = { name: 'new' };
  private readonly random: Uint8Array;
  private readonly transcript: Transcript13;

  constructor(
    private readonly options: ServerHandshake13Options,
    private readonly clientHelloMessage: HandshakeMessage,
    private readonly clientHello: ClientHello,
    private readonly retry: VerifiedRetry,
  ) {
    // RFC 9147 §5.2: the HelloRetryRequest took message_seq 0; we answer the second ClientHello with its own.
    super(clientHelloMessage.messageSeq);
    this.random = options.provider.randomBytes(32);
    this.transcript = Transcript13.afterRetry(retry.suite.hash, retry.clientHello1Hash);
    this.transcript.add({ msgType: HandshakeType.server_hello, body: helloRetryRequestBody(clientHello.sessionId, retry, retry.cookie) });
  }

  /** The message_seq the client's next message will carry. */
  get nextReceiveSeq(): number {
    return this.clientHelloMessage.messageSeq + 1;
  }

  /** Flight 4, once the PSK is looked up: ServerHello, EncryptedExtensions, Finished. */
  start(): MaybePromise<HandshakeStep> {
    if (this.state.name !== 'new') return NOTHING;
    const { options, retry, clientHello } = this;
    const chosen = chooseHandshake13(clientHello, { ...options, psk: options.pskLookup !== undefined } satisfies ServerOffer13);
    if (!chosen.ok) return this.fail(chosen.alert, chosen.reason);
    const { choice } = chosen;
    // RFC 8446 §4.1.4: the second ClientHello keeps the suite; with a group asked for, it brings exactly that share.
    if (choice.suite !== retry.suite) return this.fail(AlertDescription.illegal_parameter, 'the second ClientHello changed the cipher suites');
    if (retry.group !== undefined && (choice.group !== retry.group || !choice.clientShare)) {
      return this.fail(AlertDescription.illegal_parameter, 'the second ClientHello has no share for the group the HelloRetryRequest asked for');
    }
    if (choice.keyExchange === 'psk_dhe_ke' && !choice.clientShare) return this.fail(AlertDescription.illegal_parameter, 'no key share after the HelloRetryRequest');
    const extensions = clientHello.extensions;
    // RFC 8446 §4.2.11: pre_shared_key is the last extension of the ClientHello.
    const pskExtension = extensions[extensions.length - 1];
    if (pskExtension?.type !== ExtensionType.pre_shared_key) return this.fail(AlertDescription.illegal_parameter, 'pre_shared_key is not the last extension');
    if (findExtension(extensions, ExtensionType.early_data)) {
      // No 0-RTT here: RFC 8446 §4.2.10 lets a server ignore early_data it rejects, but after a HelloRetryRequest it must not be offered at all.
      return this.fail(AlertDescription.illegal_parameter, 'early_data offered after a HelloRetryRequest');
    }
    const offered = decodeOfferedPsks(pskExtension.data);
    if (!offered.ok) return this.fail(AlertDescription.decode_error, 'malformed pre_shared_key');
    const lookup = options.pskLookup;
    if (offered.value.identities.length === 0 || !lookup) return this.fail(AlertDescription.unknown_psk_identity, 'no PSK identity offered');
    const binderCut = bindersLength(offered.value);
    const resumed = resumedPsk13(offered.value, choice.suite, options.ticketLookup);
    if (resumed) return this.answer(choice, resumed, offered.value, binderCut);
    return this.after(externalPsk13Lookup(offered.value, lookup, options.signal ?? NEVER_ABORTED), () => 'PSK lookup failed', (found) => {
      // RFC 8446 §6.2: unknown_psk_identity may be sent when no acceptable identity was offered.
      if (!found) return this.fail(AlertDescription.unknown_psk_identity, 'unknown PSK identity');
      return this.answer(choice, found, offered.value, binderCut);
    });
  }

  private answer(choice: Choice13, selected: SelectedPsk13, offered: OfferedPsks, binderCut: number): HandshakeStep {
    const { suite } = choice;
    const { provider } = this.options;
    const { key, index, ticket } = selected;
    const identity = offered.identities[index].identity.slice();
    const binder = offered.binders[index];
    const schedule = new KeySchedule13(suite.hash, key);
    // RFC 8446 §4.2.11.2: the binder is a Finished over the transcript up to the binders list.
    const expected = finishedVerifyData(suite.hash, schedule.binderKey(ticket ? 'resumption' : 'external'), this.transcript.partialHash(suite.hash, this.clientHelloMessage, binderCut));
    if (binder === undefined || !timingSafeEqual(binder, expected)) return this.fail(AlertDescription.decrypt_error, 'PSK binder does not verify (wrong pre-shared key?)');
    this.transcript.add(this.clientHelloMessage);

    const serverExtensions = [encodeSelectedVersion(DTLS_1_3)];
    let shared: Uint8Array | undefined;
    if (choice.keyExchange === 'psk_dhe_ke' && choice.group !== undefined && choice.clientShare) {
      const share = provider.generateKeyShare(choice.group);
      shared = provider.computeSharedSecret(choice.group, share.privateKey, choice.clientShare.keyExchange) ?? undefined;
      if (!shared) return this.fail(AlertDescription.illegal_parameter, 'invalid client key share');
      serverExtensions.push(encodeKeyShareSelected({ group: choice.group, keyExchange: share.publicKey }));
    }
    serverExtensions.push(encodeSelectedIdentity(index));
    const serverHello = this.message(
      HandshakeType.server_hello,
      encodeServerHello({ serverVersion: DTLS_1_2, random: this.random, sessionId: this.clientHello.sessionId, cipherSuite: suite.id, compressionMethod: 0, extensions: serverExtensions }),
    );
    this.transcript.add(serverHello);
    const handshakeSecrets = schedule.handshakeSecrets(shared, this.transcript.hash(suite.hash));
    // RFC 8446 §4.3.1: nothing of ours needs saying yet (no ALPN, no record limit in 1.3 so far).
    const encryptedExtensions = this.message(HandshakeType.encrypted_extensions, encodeEncryptedExtensions([]));
    this.transcript.add(encryptedExtensions);
    const verifyData = finishedVerifyData(suite.hash, handshakeSecrets.server, this.transcript.hash(suite.hash));
    const finished = this.message(HandshakeType.finished, encodeFinished({ verifyData }));
    this.transcript.add(finished);
    const applicationSecrets = schedule.applicationSecrets(this.transcript.hash(suite.hash));
    this.state = { name: 'wait-finished', keyed: { suite, choice, handshakeSecrets, applicationSecrets, peer: ticket?.peer ?? { kind: 'psk', identity }, resumed: ticket !== undefined, schedule } };
    const entries: FlightEntry[] = [
      { kind: 'handshake', epoch: 0, message: serverHello },
      { kind: 'handshake', epoch: 2, message: encryptedExtensions },
      { kind: 'handshake', epoch: 2, message: finished },
    ];
    return {
      flight: { number: 4, final: false, entries },
      epochs13: [{ epoch: 2, suite, read: handshakeSecrets.client, write: handshakeSecrets.server }],
    };
  }

  /** Takes the client's next handshake message (reassembled, in message_seq order). */
  onMessage(message: HandshakeMessage): MaybePromise<HandshakeStep> {
    return this.state.name === 'new' ? NOTHING : this.onClosingMessage(message);
  }

  /** The client's Finished (epoch 2), over the transcript through our Finished. */
  protected onFinished(message: HandshakeMessage, { suite, choice, handshakeSecrets, applicationSecrets, peer, resumed, schedule }: ServerKeyed13): HandshakeStep {
    const decoded = decodeFinished(message.body);
    if (!decoded.ok) return this.fail(AlertDescription.decode_error, 'malformed Finished');
    const expected = finishedVerifyData(suite.hash, handshakeSecrets.client, this.transcript.hash(suite.hash));
    if (!timingSafeEqual(decoded.value.verifyData, expected)) return this.fail(AlertDescription.decrypt_error, 'client Finished does not verify');
    this.transcript.add(message);
    this.state = { name: 'established' };
    const established13: HandshakeSummary13 = {
      cipherSuite: suite,
      peer,
      resumed,
      keyExchange: choice.keyExchange,
      ...(choice.group === undefined ? {} : { group: choice.group }),
      clientRandom: this.clientHello.random,
      nextMessageSeq: this.nextSendSeq,
      applicationSecrets: { read: applicationSecrets.client, write: applicationSecrets.server },
      handshakeSecrets: { read: handshakeSecrets.client, write: handshakeSecrets.server },
      resumptionMasterSecret: schedule.resumptionMasterSecret(this.transcript.hash(suite.hash)),
    };
    return { epochs13: [{ epoch: 3, suite, read: applicationSecrets.client, write: applicationSecrets.server }], established13 };
  }
}
