/**
 * Decoders in rx-dtls are total: they return a result instead of throwing,
 * so bytes from the network can never raise an exception past a stage.
 */
export type DecodeErrorKind =
  | 'truncated' // fewer bytes than a length or fixed field needs
  | 'overlong' // bytes left over where a structure should end
  | 'invalid'; // a value that is well-formed but not allowed (bad enum, inconsistent lengths)

/** Why and where a decoder rejected its input. */
export interface DecodeError {
  /** The class of failure: truncated, overlong or invalid. */
  readonly kind: DecodeErrorKind;
  /** What was being decoded, e.g. "ClientHello.cookie". */
  readonly what: string;
}

/** The outcome of a total operation: either a value or an error, discriminated by `ok`. */
export type Result<T, E = DecodeError> =
  | {
      /** Success. */
      readonly ok: true;
      /** The decoded or computed value. */
      readonly value: T;
    }
  | {
      /** Failure. */
      readonly ok: false;
      /** What went wrong. */
      readonly error: E;
    };

export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

export function fail(kind: DecodeErrorKind, what: string): Result<never> {
  return { ok: false, error: { kind, what } };
}
