import { DtlsError, type DtlsErrorCode } from '../dtls-error.js';

/** Node's error codes for socket and resolver failures, as the DtlsError codes users match on. */
const CODES: Readonly<Record<string, DtlsErrorCode>> = {
  EADDRINUSE: 'EADDRINUSE',
  EADDRNOTAVAIL: 'EADDRNOTAVAIL',
  EACCES: 'EACCES',
  EPERM: 'EACCES',
  ENOTFOUND: 'ENOTFOUND',
  EAI_AGAIN: 'ENOTFOUND',
  EAI_NONAME: 'ENOTFOUND',
  EAI_FAIL: 'ENOTFOUND',
  ECONNREFUSED: 'ECONNREFUSED',
  EHOSTUNREACH: 'EHOSTUNREACH',
  ENETUNREACH: 'EHOSTUNREACH',
  ERR_SOCKET_BAD_PORT: 'EINVAL',
  ERR_INVALID_ARG_TYPE: 'EINVAL',
  ERR_INVALID_ARG_VALUE: 'EINVAL',
  EINVAL: 'EINVAL',
};

/**
 * A failure of node:dgram or node:dns as a DtlsError: the code users match on,
 * what we were doing in the message, Node's error as the cause.
 */
export function networkError(error: unknown, doing: string): DtlsError {
  if (error instanceof DtlsError) return error;
  const nodeCode = (error as { code?: unknown } | null)?.code;
  const code = (typeof nodeCode === 'string' && CODES[nodeCode]) || 'EIO';
  const detail = error instanceof Error ? error.message : String(error);
  return new DtlsError(code, `${doing}: ${detail}`, undefined, { cause: error });
}
