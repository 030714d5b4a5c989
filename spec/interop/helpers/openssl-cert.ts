import { runOpensslClient, runOpensslServer, type OpensslClientRun, type OpensslServer, type OpensslServerRun } from './openssl.js';
import type { PeerProcess } from './peer-process.js';
import { PEER_KEYS } from './peer-keys.js';

export interface OpensslCertServerOptions extends OpensslServerRun {
  /** Our certificate and key (default: the committed CN=localhost pair). */
  readonly certificate?: string;
  readonly privateKey?: string;
  /** -cert_chain: the intermediates sent after the certificate. */
  readonly certificateChain?: string;
  /** -Verify 1 -CAfile: ask for a client certificate, require it and check it against this CA file. */
  readonly requireClientCertificate?: string;
  /** -verify 1 -CAfile: ask for a client certificate but accept its absence. */
  readonly requestClientCertificate?: string;
  /** PSK instead of a certificate (ECDHE-PSK): -nocert -psk_identity -psk. */
  readonly psk?: { readonly identity: string; readonly keyHex: string };
}

/**
 * `openssl s_server` with a certificate (or, for ECDHE-PSK, a pre-shared key), echoing
 * what it receives; see runOpensslServer.
 */
export function startOpensslCertServer(options: OpensslCertServerOptions): Promise<OpensslServer> {
  const identity = options.psk
    ? ['-nocert', '-psk_identity', options.psk.identity, '-psk', options.psk.keyHex]
    : [
        '-cert', options.certificate ?? PEER_KEYS.certificate, '-key', options.privateKey ?? PEER_KEYS.privateKey,
        ...(options.certificateChain === undefined ? [] : ['-cert_chain', options.certificateChain]),
      ];
  const credentials = [
    ...identity,
    ...(options.requireClientCertificate === undefined ? [] : ['-Verify', '1', '-CAfile', options.requireClientCertificate]),
    ...(options.requestClientCertificate === undefined ? [] : ['-verify', '1', '-CAfile', options.requestClientCertificate]),
  ];
  return runOpensslServer(options, credentials, `openssl s_server ${options.cipher} ${options.groups ?? ''}`);
}

export interface OpensslCertClientOptions extends OpensslClientRun {
  /** -CAfile with -verify_return_error: s_client aborts on a server certificate it cannot verify. */
  readonly caFile?: string;
  /** -cert/-key: offered when the server sends a CertificateRequest. */
  readonly certificate?: string;
  readonly privateKey?: string;
  /** -cert_chain: the intermediates sent after the certificate. */
  readonly certificateChain?: string;
  readonly psk?: { readonly identity: string; readonly keyHex: string };
}

/** `openssl s_client` with a CA to check the server against and, if asked for one, a certificate of its own; see runOpensslClient. */
export function startOpensslCertClient(options: OpensslCertClientOptions): PeerProcess {
  const credentials = [
    ...(options.caFile === undefined ? [] : ['-CAfile', options.caFile, '-verify_return_error']),
    ...(options.certificate === undefined ? [] : ['-cert', options.certificate, '-key', options.privateKey ?? '']),
    ...(options.certificateChain === undefined ? [] : ['-cert_chain', options.certificateChain]),
    ...(options.psk === undefined ? [] : ['-psk_identity', options.psk.identity, '-psk', options.psk.keyHex]),
  ];
  return runOpensslClient(options, credentials, `openssl s_client ${options.cipher} ${options.groups ?? ''}`);
}
