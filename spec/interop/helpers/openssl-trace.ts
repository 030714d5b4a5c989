/**
 * The named groups of the ServerKeyExchange messages in an `openssl -trace`
 * log, e.g. "named_curve: ecdh_x25519 (29)" or "named_curve: secp256r1 (P-256) (23)":
 * the group the ECDHE exchange really used, as the peer decoded it.
 */
export function traceNamedCurves(trace: string): number[] {
  return [...trace.matchAll(/named_curve: .*\((\d+)\)\s*$/gm)].map((m) => Number(m[1]));
}

/** The cipher suites ServerHellos carried, e.g. "cipher_suite {0xC0, 0xAE} TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8". */
export function traceCipherSuites(trace: string): string[] {
  return [...trace.matchAll(/^\s*cipher_suite \{0x[0-9A-F]{2}, 0x[0-9A-F]{2}\} (\S+)\s*$/gm)].map((m) => m[1]);
}

/**
 * The host names of the server_name extensions (RFC 6066 §3) in the
 * ClientHellos of a trace. OpenSSL prints that extension as a hex dump
 * ("0000 - 00 0e 00 00 0b 65 78 61-6d ..."), so the bytes are read back from it:
 * list length (2), name_type 0 (1), name length (2), name.
 */
export function traceServerNames(trace: string): string[] {
  const names: string[] = [];
  const lines = trace.split('\n');
  lines.forEach((line, i) => {
    if (!/extension_type=server_name\(0\)/.test(line)) return;
    const bytes: number[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const dump = /^\s+[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){0,15}[0-9a-f]{2})/.exec(lines[j]);
      if (!dump) break;
      bytes.push(...dump[1].split(/[ -]/).map((h) => parseInt(h, 16)));
    }
    if (bytes.length < 5 || bytes[2] !== 0) return;
    const length = (bytes[3] << 8) | bytes[4];
    names.push(String.fromCharCode(...bytes.slice(5, 5 + length)));
  });
  return names;
}
