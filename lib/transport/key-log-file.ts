import { appendFileSync } from 'node:fs';

/**
 * A key log sink appending NSS key log lines to `path` (the SSLKEYLOGFILE
 * convention Wireshark and tshark read). Key material is written nowhere else.
 */
export function keyLogFile(path: string): (line: string) => void {
  return (line) => appendFileSync(path, line, { mode: 0o600 });
}

/** The sink the user asked for through the SSLKEYLOGFILE environment variable, if any. */
export function keyLogFromEnvironment(): ((line: string) => void) | undefined {
  const path = process.env.SSLKEYLOGFILE;
  return path ? keyLogFile(path) : undefined;
}
