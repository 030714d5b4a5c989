/**
 * rx-dtls/stages: the DTLS mechanisms as RxJS operators, the flight state machines
 * they feed, the key-install hook between them, and every type they take and emit,
 * for building a DTLS pipeline of one's own. examples/rx-pipeline.ts builds a PSK
 * server from these alone; DtlsServer and Session (rx-dtls) are the same stages
 * wired for you.
 *
 * Receive: datagrams -> cookieGate (server, before any state) -> decodeRecords ->
 * decrypt -> decodeHandshake -> reassemble -> sequence -> ServerHandshake /
 * ClientHandshake -> installKeys. Send: flights -> retransmit -> fragment ->
 * encrypt -> pack -> datagrams.
 * @packageDocumentation
 */

// The operators
export { cookieGate, type CookieGateOptions, type VerifiedHello } from '../operators/cookie-gate.js';
export { decodeRecords } from '../operators/decode-records.js';
export { decrypt, type DecryptOptions } from '../operators/decrypt.js';
export { decodeHandshake, type EpochFragment } from '../operators/decode-handshake.js';
export { reassemble, type EpochMessage } from '../operators/reassemble.js';
export { sequence, type SequencedEpochMessage } from '../operators/sequence.js';
export { retransmit, type RetransmitOptions, type Transmission } from '../operators/retransmit.js';
export { fragment } from '../operators/fragment.js';
export type { FragmentOptions } from '../handshake/flight-records.js';
export type { OutgoingRecord } from '../record/seal-records.js';
export { encrypt } from '../operators/encrypt.js';
export { pack } from '../operators/pack.js';
export { installKeys, type KeyInstallTarget } from '../operators/install-keys.js';

// The state machines, and their options from a credential store
export { ServerHandshake, type ServerHandshakeOptions, type ServerCredentials } from '../handshake/server-handshake.js';
export { ClientHandshake, type ClientHandshakeOptions } from '../handshake/client-handshake.js';
export { serverHandshakeOptions, clientHandshakeOptions, type HandshakeCredentials, type ServerHandshakeSettings } from '../endpoint/handshake-options.js';
export type { ClientExtensionOptions, ServerExtensionOptions, NegotiatedExtensions } from '../handshake/negotiated-extensions.js';
export type { ServerAlpn, AlpnCallback } from '../handshake/alpn-negotiation.js';
export type { RecordLimit } from '../handshake/record-size-negotiation.js';
export type { ServerNameSelection } from '../handshake/server-name-selection.js';
export type { MaxFragmentLength } from '../wire/max-fragment-length-extension.js';
export { ServerResumption, type ServerResumptionOptions } from '../handshake/server-resumption.js';
export type { ResumableSession } from '../handshake/resumable-session.js';
export { LookupGate } from '../credentials/lookup-gate.js';
export type { Flight, FlightEntry } from '../handshake/flight.js';
export type { HandshakeStep, HandshakeSummary, HandshakeSummary13, EpochSecrets13, HandshakeFailure, PeerIdentity, MaybePromise } from '../handshake/handshake-step.js';
// What the DTLS 1.3 cookie gate takes and gives (RFC 9147 §5.1: the HelloRetryRequest cookie, fragmented ClientHellos before it).
export { ClientHelloFragments, type ClientHelloFragmentsOptions } from '../handshake/client-hello-fragments.js';
export type { ServerOffer13, Authentication13 } from '../handshake/server-choice13.js';
export type { VerifiedRetry } from '../handshake/server-handshake13.js';
export type { ConnectionIdPolicy, NegotiatedConnectionIds } from '../handshake/connection-id-negotiation.js';
export type { NegotiatedHeartbeat } from '../handshake/heartbeat-negotiation.js';
export type { HandshakeMessage } from '../handshake/handshake-message.js';
export type { LocalCertificate, PeerAuthenticator, PeerCheck } from '../handshake/peer-authentication.js';
export type { ClientPskSelector, ServerPskLookup, PskCredential } from '../handshake/psk-credentials.js';

// The state the operators take
export { CookieSecrets, type CookieRotation, type SharedCookieSchedule } from '../handshake/cookie.js';
export { SharedSecrets, MIN_MASTER_SECRET_LENGTH } from '../handshake/shared-secrets.js';
export { Reassembler, type ReassemblerOptions } from '../handshake/reassembler.js';
export { HandshakeBudget } from '../handshake/handshake-budget.js';
export { Sequencer, type SequencedMessage } from '../handshake/sequencer.js';
export { ReadEpochs, type PlainRecord, type OpenResult } from '../record/read-epochs.js';
export { WriteEpochs } from '../record/write-epochs.js';
export type { RecordCipher } from '../record/record-cipher.js';
export type { RawRecord } from '../record/split-records.js';
export type { CipherSuite } from '../crypto/cipher-suites.js';
export type { Tls13CipherSuite } from '../crypto/tls13-cipher-suites.js';

// What flows between them
export { peerKey, type Datagram, type DatagramTransport, type PeerAddress } from '../transport/datagram.js';
export type { RecordHeader } from '../wire/record-header.js';
export type { HandshakeFragment } from '../wire/handshake-header.js';
export type { ClientHello } from '../wire/client-hello.js';
export type { Extension } from '../wire/extension-type.js';
export type { Result, DecodeError, DecodeErrorKind } from '../wire/result.js';
export { ContentType, HandshakeType, DTLS_1_2 } from '../wire/constants.js';
export { AlertLevel, AlertDescription, encodeAlert, decodeAlert, type Alert } from '../wire/alert.js';
