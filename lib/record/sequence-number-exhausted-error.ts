/**
 * Thrown when an epoch has used its last sequence number. RFC 6347 §4.1: an
 * implementation must rekey or abandon the association rather than let the
 * 48-bit sequence number wrap, so reaching this is a bug in the session
 * logic (it should have renegotiated or closed first), not a network event.
 */
export class SequenceNumberExhaustedError extends Error {
  readonly code = 'ESEQUENCE_EXHAUSTED';

  constructor(readonly epoch: number) {
    super(`epoch ${epoch} has used every sequence number; rekey or close the session before sending more`);
    this.name = 'SequenceNumberExhaustedError';
  }
}
