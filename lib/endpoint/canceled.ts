import { DtlsError } from '../dtls-error.js';

/** The DtlsError for a call an AbortSignal ended: ECANCELED, with the signal's reason as the cause. */
export function canceled(signal: AbortSignal): DtlsError {
  const reason: unknown = signal.reason;
  return new DtlsError('ECANCELED', `aborted: ${reason instanceof Error ? reason.message : String(reason)}`, undefined, { cause: reason });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw canceled(signal);
}
