/** DTLS 1.0 (not implemented: sockDtlsCreate throws EINVAL). Versions are numbered as RIOT's sock_dtls numbers them (net/sock/dtls.h). */
export const SOCK_DTLS_1_0 = 1;
/** DTLS 1.2, the version rx-dtls implements. */
export const SOCK_DTLS_1_2 = 2;
/** DTLS 1.3 (not implemented: sockDtlsCreate throws EINVAL). */
export const SOCK_DTLS_1_3 = 3;
/** A DTLS version as sockDtlsCreate takes it. */
export type SockDtlsVersion = typeof SOCK_DTLS_1_0 | typeof SOCK_DTLS_1_2 | typeof SOCK_DTLS_1_3;

/** The client role. Roles are numbered as RIOT numbers them. */
export const SOCK_DTLS_CLIENT = 1;
/** The server role. */
export const SOCK_DTLS_SERVER = 2;
/** A role as sockDtlsCreate takes it. */
export type SockDtlsRole = typeof SOCK_DTLS_CLIENT | typeof SOCK_DTLS_SERVER;

/**
 * Wait as long as it takes. RIOT's timeouts are microseconds with
 * SOCK_NO_TIMEOUT = UINT32_MAX; this facade's are milliseconds.
 */
export const SOCK_NO_TIMEOUT = Number.POSITIVE_INFINITY;
