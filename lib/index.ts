/**
 * rx-dtls: DTLS 1.2 (RFC 6347) for Node.js, with datagrams flowing as RxJS
 * Observables through one operator per DTLS mechanism.
 * @packageDocumentation
 */

// Endpoints and sessions
export { createServer, listen, DtlsServer, type ServerOptions, type ListenOptions, type ServerEvent } from './endpoint/server.js';
export { connect, connect$, openClientSession, established, type ClientOptions } from './endpoint/client.js';
export type { DtlsVersion } from './handshake/version-negotiation.js';
export type { ClientConnectionIdOption, ServerConnectionIdOption } from './endpoint/connection-id-options.js';
export type { PskCallback, PskCallbackResult } from './endpoint/psk-callback.js';
export type { AlpnCallback } from './handshake/alpn-negotiation.js';
export type { MaxFragmentLength } from './wire/max-fragment-length-extension.js';
export type { KeepaliveOptions } from './endpoint/keepalive.js';
export type { Session } from './endpoint/session.js';
export type { SessionEvent, SessionState } from './endpoint/session-event.js';
export type { HandshakeInfo, PublicPeerIdentity } from './endpoint/handshake-info.js';
export { SessionResumption } from './endpoint/session-resumption.js';
export { DEFAULT_SESSION_OPTIONS, type SessionOptions } from './endpoint/session-options.js';
export type { ServerInfo, ServerLimits } from './endpoint/server-limits.js';
export { DtlsError, type DtlsErrorCode, type AlertInfo } from './dtls-error.js';
export type { DebugLog } from './endpoint/debug-log.js';

// Credentials
export {
  credentials,
  CredentialStore,
  utf8,
  type PskEntry,
  type PskLookupFn,
  type Bytes,
  type EcdsaEntry,
  type X509Entry,
} from './credentials/credential-store.js';
export type { PublicKeyInput, PrivateKeyInput } from './credentials/key-material.js';
export type { RawPublicKeyTrust } from './credentials/raw-public-key.js';
export type { LookupContext } from './handshake/lookup-context.js';
export type { CheckServerIdentity } from './credentials/x509.js';

// Transports
export { UdpTransport, type UdpOptions, type SocketBufferOptions } from './transport/udp.js';
export { memoryLink, type MemoryLinkOptions } from './transport/memory.js';
export { keyLogFile } from './transport/key-log-file.js';
export { ImpairmentProxy } from './impairment/impairment-proxy.js';
export type { Datagram, DatagramTransport, PeerAddress, SocketBufferSizes } from './transport/datagram.js';

// The operator stages, for users who build their own pipelines
export { cookieGate, type CookieGateOptions, type CookieGateReply, type VerifiedHello } from './operators/cookie-gate.js';
export { decodeRecords } from './operators/decode-records.js';
export { decrypt, type DecryptOptions } from './operators/decrypt.js';
export { decodeHandshake, type EpochFragment } from './operators/decode-handshake.js';
export { reassemble, type EpochMessage } from './operators/reassemble.js';
export { sequence, type SequencedEpochMessage } from './operators/sequence.js';
export { retransmit, type RetransmitOptions, type Transmission } from './operators/retransmit.js';
export { fragment } from './operators/fragment.js';
export { encrypt } from './operators/encrypt.js';
export { pack } from './operators/pack.js';
export { impair, type ImpairOptions, type ImpairmentKind } from './impairment/impair.js';

// The core pieces those operators take
export { CookieSecrets, type CookieRotation, type SharedCookieSchedule } from './handshake/cookie.js';
export { SharedSecrets, MIN_MASTER_SECRET_LENGTH } from './handshake/shared-secrets.js';
export { Sequencer } from './handshake/sequencer.js';
export { HandshakeBudget } from './handshake/handshake-budget.js';
export type { FragmentOptions } from './handshake/flight-records.js';
export { ReadEpochs, type PlainRecord } from './record/read-epochs.js';
export { WriteEpochs } from './record/write-epochs.js';
export type { OutgoingRecord } from './record/seal-records.js';
export { CIPHER_SUITES, cipherSuiteByName, type CipherSuite } from './crypto/cipher-suites.js';
export { nobleProvider, type CryptoProvider } from './crypto/provider.js';
export { nodeCryptoProvider } from './node-crypto/node-crypto-provider.js';

// One UDP port served by several worker threads (issue 16)
export { listenCluster, DtlsCluster, MAX_CLUSTER_WORKERS, MAX_DATAGRAMS_QUEUED_PER_WORKER, type ClusterOptions, type ClusterEvent, type ClusterStats } from './cluster/cluster-server.js';
export { serveClusterWorker, type ClusterWorkerOptions } from './cluster/cluster-worker.js';

// node:dgram-shaped sockets over DTLS (node-coap and other UDP libraries), and the RIOT-style sock facade
export { DtlsDgramSocket } from './dgram/dtls-dgram-socket.js';
export { DtlsServerSocket, serverDgramSocket, listenDgram, type UnroutableDatagram } from './dgram/dtls-server-socket.js';
export { DtlsClientSocket, clientDgramSocket, type DtlsClientSocketOptions } from './dgram/dtls-client-socket.js';
export { sockDtlsCreate, SockDtls, type SockDtlsOptions, type SockDtlsRecvResult } from './sock/sock-dtls.js';
export { SockDtlsSession } from './sock/sock-dtls-session.js';
export { SOCK_DTLS_1_0, SOCK_DTLS_1_2, SOCK_DTLS_1_3, SOCK_DTLS_CLIENT, SOCK_DTLS_SERVER, SOCK_NO_TIMEOUT, type SockDtlsRole, type SockDtlsVersion } from './sock/sock-dtls-constants.js';
export { sessionData, type SessionDataIterator, type SessionDataOptions } from './sock/session-data.js';

// Types the API above names in its signatures
export type { MaybePromise } from './handshake/handshake-step.js';
export type { KeyExchange, PrfHash } from './crypto/cipher-suites.js';
export type { Aead, AeadAlgorithm } from './crypto/aead.js';
export type { KeyShare } from './crypto/ecdhe.js';
export type { HashAlgorithm } from './crypto/hash.js';
export type { SendCallback } from './dgram/dgram-send-arguments.js';
export type { ImpairmentProxyOptions, ProxiedClient, ProxyDirection, ProxyImpairment } from './impairment/impairment-proxy.js';
export type { RawRecord } from './record/split-records.js';
export type { RecordHeader } from './wire/record-header.js';
export type { Extension } from './wire/extension-type.js';
export type { OpenResult } from './record/read-epochs.js';
export type { ReadEpoch } from './record/read-epoch.js';
export type { WriteEpoch } from './record/write-epoch.js';
export type { RecordCipher } from './record/record-cipher.js';
export type { ClientHello } from './wire/client-hello.js';
export type { HandshakeFragment } from './wire/handshake-header.js';
export type { HandshakeMessage } from './handshake/handshake-message.js';
export type { Flight, FlightEntry } from './handshake/flight.js';
export type { SequencedMessage } from './handshake/sequencer.js';
export type { Reassembler, ReassemblerOptions } from './handshake/reassembler.js';
export type { HandshakeBytePool } from './handshake/handshake-byte-pool.js';
