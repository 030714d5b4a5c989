import { spawnSync } from 'node:child_process';

/** How a missing peer binary is treated: CI sets DTLS_INTEROP=require so a missing peer fails instead of skipping. */
export type InteropMode = 'require' | 'optional';

export function interopMode(env: NodeJS.ProcessEnv = process.env): InteropMode {
  return env.DTLS_INTEROP === 'require' ? 'require' : 'optional';
}

/** A peer program and whether its specs run. */
export interface PeerBinary {
  readonly name: string;
  /** Absolute path, or undefined when the program is not on PATH. */
  readonly path: string | undefined;
  /** True when the specs needing it are skipped (missing, and not required). */
  readonly skip: boolean;
}

/** Pure decision, so it can be specified without touching PATH: skip only what is missing and not required. */
export function shouldSkip(found: boolean, mode: InteropMode): boolean {
  return !found && mode === 'optional';
}

/** The full path of `name` on PATH, via `which`. */
export function which(name: string): string | undefined {
  const result = spawnSync('which', [name], { encoding: 'utf8' });
  const path = result.status === 0 ? result.stdout.trim() : '';
  return path === '' ? undefined : path;
}

/**
 * Looks a peer up once per spec file. When it is missing and not required, the
 * reason is printed, so a skipped interop spec is never silent.
 */
export function peerBinary(name: string, mode: InteropMode = interopMode()): PeerBinary {
  const path = which(name);
  const skip = shouldSkip(path !== undefined, mode);
  if (skip) console.warn(`[interop] skipping specs that need "${name}": not found on PATH (set DTLS_INTEROP=require to make this a failure)`);
  return { name, path, skip };
}

/** Call in beforeEach: when a required peer is missing every test fails with this message (beforeAll would only mark them skipped). */
export function assertPeerPresent(peer: PeerBinary): string {
  if (peer.path === undefined) {
    throw new Error(`interop peer "${peer.name}" is required (DTLS_INTEROP=require) but was not found on PATH`);
  }
  return peer.path;
}
