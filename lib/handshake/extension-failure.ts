import { AlertDescription } from '../wire/alert.js';
import type { DecodeError } from '../wire/result.js';
import type { HandshakeFailure } from './handshake-step.js';

/**
 * The fatal alert for a hello extension that does not decode: RFC 5246 §7.2.2 answers
 * bytes that do not parse with decode_error, and a field that parses but holds a value
 * the extension forbids (a record_size_limit under 64, an unknown max_fragment_length
 * code, a ServerHello ALPN list of two names) with illegal_parameter.
 */
export function malformedExtension(name: string, error: DecodeError): HandshakeFailure {
  const alert = error.kind === 'invalid' ? AlertDescription.illegal_parameter : AlertDescription.decode_error;
  return { alert, reason: `malformed ${name} extension (${error.kind} ${error.what})` };
}

/** A result of negotiating one extension: what it settled, or the alert that ends the handshake. */
export type Negotiated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: HandshakeFailure };

export const settled = <T>(value: T): Negotiated<T> => ({ ok: true, value });
export const refused = (failure: HandshakeFailure): Negotiated<never> => ({ ok: false, failure });
