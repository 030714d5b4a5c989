import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Every peer started and not yet reaped, so afterEach can end them whatever a spec did. */
const running = new Set<PeerProcess>();

/**
 * A peer program (openssl, gnutls-cli, tshark) run with pipes, its output kept,
 * with waits that always time out and a stop that always reaps it.
 */
export class PeerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<Exit>;
  private out = '';
  private err = '';
  private exit: Exit | undefined;
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly label: string,
    command: string,
    args: readonly string[],
    cwd: string | undefined,
  ) {
    // Its own process group, so stop() also ends what it started (tshark runs dumpcap,
    // sh runs its commands) and no grandchild keeps a pipe, or a port, open.
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, cwd });
    running.add(this);
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.out += chunk;
      this.notify();
    });
    this.child.stderr.on('data', (chunk: string) => {
      this.err += chunk;
      this.notify();
    });
    // A peer that exits while we still write to it must not crash the spec with EPIPE.
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.err += `\nspawn failed: ${error.message}`;
        this.exit = { code: null, signal: null };
        running.delete(this);
        this.notify();
        resolve(this.exit);
      });
      this.child.once('close', (code, signal) => {
        this.exit = { code, signal };
        running.delete(this);
        this.notify();
        resolve(this.exit);
      });
    });
  }

  /** `cwd`: the working folder, for peers that read files relative to it (wolfSSL's examples). */
  static start(command: string, args: readonly string[], label = command, cwd?: string): PeerProcess {
    return new PeerProcess(label, command, args, cwd);
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  write(text: string | Uint8Array): void {
    if (!this.child.stdin.destroyed) this.child.stdin.write(text);
  }

  endInput(): void {
    this.child.stdin.end();
  }

  /** Resolves with stdout once it matches; rejects on exit or timeout, with the output for the report. */
  waitForStdout(pattern: string | RegExp, timeoutMs = 5000): Promise<string> {
    return this.waitFor(`stdout to match ${String(pattern)}`, () => (matches(this.out, pattern) ? this.out : undefined), timeoutMs);
  }

  waitForStderr(pattern: string | RegExp, timeoutMs = 5000): Promise<string> {
    return this.waitFor(`stderr to match ${String(pattern)}`, () => (matches(this.err, pattern) ? this.err : undefined), timeoutMs);
  }

  /** Resolves with the exit status; rejects after `timeoutMs` (the process is left for stop()). */
  waitForExit(timeoutMs = 5000): Promise<Exit> {
    return this.waitFor('exit', () => this.exit, timeoutMs, false);
  }

  /** Sends a signal to the peer's whole process group. */
  signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  /** SIGTERM to its process group, then SIGKILL if anything is left after `graceMs`; resolves once reaped. */
  async stop(graceMs = 1000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Output for failure messages. */
  describe(): string {
    return `${this.label} (pid ${this.pid}, ${this.exit ? `exited ${JSON.stringify(this.exit)}` : 'running'})\n--- stdout ---\n${tail(this.out)}\n--- stderr ---\n${tail(this.err)}`;
  }

  private waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number, failOnExit = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        fn();
      };
      const listener = () => {
        const value = check();
        if (value !== undefined) finish(() => resolve(value));
        else if (failOnExit && this.exit) finish(() => reject(new Error(`${this.label} exited while waiting for ${what}\n${this.describe()}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.describe()}`))), timeoutMs);
      this.listeners.add(listener);
      listener();
    });
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** For afterEach: ends every peer still running, so no spec leaks a process or a port. */
export async function stopAllPeers(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

// Last resort if the worker dies between afterEach hooks.
process.once('exit', () => {
  for (const p of running) p.signal('SIGKILL');
});

function matches(text: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
}

function tail(text: string, max = 4000): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}
