import { AlertDescription } from '../wire/alert.js';
import { ExtensionType, decodeServerNameExtension, findExtension, type Extension } from '../wire/extensions.js';
import { malformedExtension, refused, settled, type Negotiated } from './extension-failure.js';

/**
 * Credentials a server serves one host name with, chosen by the client's server_name
 * (RFC 6066 §3). `T` is whatever the server keeps per name (its certificates, PSKs, hint).
 */
export interface ServerNameSelection<T> {
  /** Per lower-case host name. */
  readonly byName: ReadonlyMap<string, T>;
  /** A name not in `byName` ends the handshake with a fatal unrecognized_name (otherwise the default credentials serve it). */
  readonly refuseUnknown: boolean;
}

/** What the client's server_name settled. */
export interface ServerNameChoice<T> {
  /** The host name the client sent, lower-cased (DNS names compare without case). */
  readonly serverName?: string;
  /** The credentials for it, when it is one of ours; the default ones serve otherwise. */
  readonly credentials?: T;
}

/**
 * The client's server_name against the names we serve. Malformed, it is decode_error
 * (RFC 6066 §3); a name we do not know is unrecognized_name when the server refuses
 * them, which RFC 6066 §3 makes fatal here. A HostName is ASCII (RFC 6066 §3); any
 * other byte keeps the name from matching.
 */
export function selectByServerName<T>(clientExtensions: readonly Extension[], selection: ServerNameSelection<T> | undefined): Negotiated<ServerNameChoice<T>> {
  const extension = findExtension(clientExtensions, ExtensionType.server_name);
  if (!extension) return settled({});
  const decoded = decodeServerNameExtension(extension.data);
  if (!decoded.ok) return refused(malformedExtension('server_name', decoded.error));
  const { hostName } = decoded.value;
  if (!hostName) return settled({});
  const serverName = Array.from(hostName, (b) => String.fromCharCode(b)).join('').toLowerCase();
  const credentials = hostName.every((b) => b < 0x80) ? selection?.byName.get(serverName) : undefined;
  if (!credentials && selection?.refuseUnknown) {
    return refused({ alert: AlertDescription.unrecognized_name, reason: `the client asked for ${JSON.stringify(serverName)}, a name this server does not serve` });
  }
  return settled({ serverName, credentials });
}
