import { AlertDescription } from '../wire/alert.js';
import { decodeAlpnExtension, decodeAlpnSelection, encodeAlpnExtension } from '../wire/alpn-extension.js';
import { ExtensionType, findExtension, type Extension } from '../wire/extensions.js';
import { malformedExtension, refused, settled, type Negotiated } from './extension-failure.js';

/**
 * A server's choice among the protocols a client offers (RFC 7301 §3.2), given in the
 * client's order; undefined when it supports none of them. `serverName` is the name the
 * client sent (RFC 6066 §3), if any.
 */
export type AlpnCallback = (offered: readonly string[], context: { readonly serverName?: string }) => string | undefined;

/** How a server answers ALPN: its protocols in order of preference, or a callback that chooses. */
export interface ServerAlpn {
  /** Our protocols, most preferred first: the first of them the client offers is chosen. */
  readonly protocols?: readonly string[];
  /** Chooses instead of `protocols`. */
  readonly callback?: AlpnCallback;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The client's ALPN extension, when it has protocols to offer. */
export function alpnOffer(protocols: readonly string[] | undefined): Extension[] {
  return protocols && protocols.length > 0 ? [encodeAlpnExtension(protocols.map((p) => encoder.encode(p)))] : [];
}

/**
 * The server's side (RFC 7301 §3.2): no answer when the client offered nothing or the
 * server has no ALPN; otherwise the chosen protocol and the ServerHello extension that
 * names it, or no_application_protocol when there is no overlap. Names are compared as
 * bytes, never as decoded text.
 */
export function chooseAlpn(
  clientExtensions: readonly Extension[],
  server: ServerAlpn | undefined,
  serverName: string | undefined,
): Negotiated<{ protocol?: string; extensions: Extension[] }> {
  const none = settled({ extensions: [] });
  const extension = findExtension(clientExtensions, ExtensionType.application_layer_protocol_negotiation);
  if (!extension) return none;
  const decoded = decodeAlpnExtension(extension.data);
  if (!decoded.ok) return refused(malformedExtension('ALPN', decoded.error));
  const { callback, protocols = [] } = server ?? {};
  if (!callback && protocols.length === 0) return none;
  const offered = decoded.value;
  let chosen: Uint8Array | undefined;
  if (callback) {
    let answer: string | undefined;
    try {
      answer = callback(offered.map((p) => decoder.decode(p)), serverName === undefined ? {} : { serverName });
    } catch (error) {
      // A user's callback failing is this handshake's end, never an exception out of the pipeline.
      return refused({ alert: AlertDescription.internal_error, reason: `alpnCallback threw: ${String(error)}` });
    }
    if (answer !== undefined) {
      chosen = offered.find((p) => sameBytes(p, encoder.encode(answer)));
      if (!chosen) return refused({ alert: AlertDescription.internal_error, reason: `alpnCallback chose "${answer}", which the client did not offer` });
    }
  } else {
    chosen = protocols.map((p) => encoder.encode(p)).find((ours) => offered.some((p) => sameBytes(p, ours)));
  }
  if (!chosen) {
    const list = offered.map((p) => JSON.stringify(decoder.decode(p))).join(', ');
    return refused({ alert: AlertDescription.no_application_protocol, reason: `no application protocol in common (the client offers ${list})` });
  }
  return settled({ protocol: decoder.decode(chosen), extensions: [encodeAlpnExtension([chosen])] });
}

/**
 * The client's check of the ServerHello (RFC 7301 §3.1): one protocol, one we offered
 * (illegal_parameter otherwise). Undefined protocol when the server chose none.
 */
export function checkAlpnAnswer(offered: readonly string[] | undefined, serverExtensions: readonly Extension[]): Negotiated<string | undefined> {
  const extension = findExtension(serverExtensions, ExtensionType.application_layer_protocol_negotiation);
  if (!extension) return settled(undefined);
  const decoded = decodeAlpnSelection(extension.data);
  if (!decoded.ok) return refused(malformedExtension('ALPN', decoded.error));
  const protocol = (offered ?? []).find((p) => sameBytes(encoder.encode(p), decoded.value));
  if (protocol === undefined) {
    return refused({ alert: AlertDescription.illegal_parameter, reason: `server chose application protocol ${JSON.stringify(decoder.decode(decoded.value))}, which we did not offer` });
  }
  return settled(protocol);
}
