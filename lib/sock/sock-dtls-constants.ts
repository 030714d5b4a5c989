/** DTLS versions, numbered as RIOT's sock_dtls numbers them (net/sock/dtls.h). */
export const SOCK_DTLS_1_0 = 1;
export const SOCK_DTLS_1_2 = 2;
export const SOCK_DTLS_1_3 = 3;
export type SockDtlsVersion = typeof SOCK_DTLS_1_0 | typeof SOCK_DTLS_1_2 | typeof SOCK_DTLS_1_3;

/** Endpoint roles, as RIOT numbers them. */
export const SOCK_DTLS_CLIENT = 1;
export const SOCK_DTLS_SERVER = 2;
export type SockDtlsRole = typeof SOCK_DTLS_CLIENT | typeof SOCK_DTLS_SERVER;

/**
 * Wait as long as it takes. RIOT's timeouts are microseconds with
 * SOCK_NO_TIMEOUT = UINT32_MAX; this facade's are milliseconds.
 */
export const SOCK_NO_TIMEOUT = Number.POSITIVE_INFINITY;
