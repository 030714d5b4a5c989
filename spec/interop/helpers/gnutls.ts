import { PeerProcess } from './peer-process.js';
import { PSK_IDENTITY, PSK_KEY_HEX } from './psk.js';

export interface GnutlsClientOptions {
  readonly binary: string;
  readonly port: number;
  /** A --priority string (see gnutlsPriority). */
  readonly priority: string;
  readonly identity?: string;
  readonly keyHex?: string;
  /** More gnutls-cli arguments, e.g. ["--alpn=coap"]. */
  readonly extraArgs?: readonly string[];
}

/**
 * `gnutls-cli --udp` against 127.0.0.1:port with a PSK. After the handshake it
 * prints "- Simple Client Mode:", sends each stdin line, prints what comes
 * back, and at end of input sends close_notify (gnutls_bye) and exits.
 * (gnutls-serv binds every address: it runs only inside a network namespace, helpers/in-namespace.ts.)
 */
export function startGnutlsClient(options: GnutlsClientOptions): PeerProcess {
  const args = [
    '--udp', '-p', String(options.port),
    '--pskusername', options.identity ?? PSK_IDENTITY, '--pskkey', options.keyHex ?? PSK_KEY_HEX,
    '--priority', options.priority, ...(options.extraArgs ?? []), '127.0.0.1',
  ];
  return PeerProcess.start(options.binary, args, `gnutls-cli ${options.priority}`);
}

/** What gnutls-cli printed after the handshake: the echoed data and its closing remarks. */
export function afterHandshake(stdout: string): string {
  const marker = '- Simple Client Mode:';
  const at = stdout.indexOf(marker);
  return at < 0 ? '' : stdout.slice(at + marker.length);
}
