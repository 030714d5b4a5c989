import { PeerProcess } from './peer-process.js';

export interface EcdsaPriorityOptions {
  /** GnuTLS cipher name, e.g. AES-128-CCM-8. */
  readonly cipher: string;
  /**
   * The ECDHE group, e.g. GROUP-X25519 (default: GnuTLS's own list). SECP256R1 is listed after it:
   * the client's groups also bound the certificate key (RFC 4492 §5.3, kept by RFC 8422), and our
   * certificates are P-256; our server prefers X25519 for the key exchange itself.
   */
  readonly group?: string;
  /** Raw public keys (RFC 7250) for both sides instead of X.509. */
  readonly rawPublicKeys?: boolean;
}

/** A GnuTLS priority string for exactly one DTLS 1.2 ECDHE_ECDSA suite. */
export function ecdsaPriority({ cipher, group, rawPublicKeys }: EcdsaPriorityOptions): string {
  return [
    'NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+ECDHE-ECDSA:-CIPHER-ALL',
    `+${cipher}`,
    ...(group === undefined ? [] : ['-GROUP-ALL', `+${group}`, ...(group === 'GROUP-SECP256R1' ? [] : ['+GROUP-SECP256R1'])]),
    ...(rawPublicKeys ? ['+CTYPE-SRV-RAWPK:+CTYPE-CLI-RAWPK:-CTYPE-SRV-X509:-CTYPE-CLI-X509'] : []),
  ].join(':');
}

export interface GnutlsCertClientOptions {
  readonly binary: string;
  readonly port: number;
  readonly priority: string;
  /** --x509cafile: gnutls-cli verifies our chain and the name 127.0.0.1 in it. */
  readonly caFile?: string;
  /** --x509certfile/--x509keyfile: sent when we ask for a client certificate. */
  readonly x509?: { readonly certificate: string; readonly privateKey: string };
  /** --rawpkfile/--rawpkkeyfile: our raw public key pair (PEM). */
  readonly rawKey?: { readonly publicKey: string; readonly privateKey: string };
}

/**
 * `gnutls-cli --udp` against 127.0.0.1:port with certificates or raw public
 * keys. With raw public keys gnutls-cli 3.7 can verify nothing (no trust store
 * for them, and --tofu fails parsing a raw key as a certificate), so it runs
 * with --insecure and -V, which prints the server's key for the spec to pin.
 */
export function startGnutlsCertClient(options: GnutlsCertClientOptions): PeerProcess {
  const args = [
    '--udp', '-p', String(options.port), '--priority', options.priority,
    ...(options.caFile === undefined ? [] : ['--x509cafile', options.caFile]),
    ...(options.x509 === undefined ? [] : ['--x509certfile', options.x509.certificate, '--x509keyfile', options.x509.privateKey]),
    ...(options.rawKey === undefined ? [] : ['-V', '--insecure', '--rawpkfile', options.rawKey.publicKey, '--rawpkkeyfile', options.rawKey.privateKey]),
    '127.0.0.1',
  ];
  return PeerProcess.start(options.binary, args, `gnutls-cli ${options.priority}`);
}

/** The "- Description: (DTLS1.2-X.509)-(ECDHE-SECP256R1)-(ECDSA-SHA256)-(AES-128-GCM)" line, split into its parts. */
export function gnutlsDescription(stdout: string): string[] | undefined {
  const line = /^- Description: (.*)$/m.exec(stdout)?.[1];
  return line?.match(/\(([^)]*)\)/g)?.map((part) => part.slice(1, -1));
}

/** The PEM public keys gnutls-cli -V printed (for raw public keys: the server's key). */
export function printedPublicKeys(stdout: string): string[] {
  return stdout.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
}

/** Matches gnutls-cli's stdout once `text` came back after the handshake (raw, or as "- Received[n]: text" with -V). */
export function echoPattern(text: string): RegExp {
  return new RegExp(`- Simple Client Mode:[\\s\\S]*${text.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
}
