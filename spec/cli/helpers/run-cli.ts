import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The project root: the CLI runs from its TypeScript source through tsx, so specs need no build. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = 'lib/cli/main.ts';

export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit status (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Resolves with the first match in standard error, waiting for more output as needed. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

const running = new Set<ChildProcess>();

/** How long a CLI server may take to say it listens (the spec's own timeout, 30 s, still bounds the test). */
const SERVER_START_MS = 20_000;

/** Starts `rx-dtls ARGS...`; standard input stays open until the spec ends it. */
export function startCli(args: readonly string[], env: Record<string, string | undefined> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, SSLKEYLOGFILE: undefined, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    waiters.forEach((check) => check());
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      running.delete(child);
      waiters.forEach((check) => check());
      resolve(code);
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStderr: (pattern, timeoutMs = 8000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no ${pattern} in standard error within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
        const finish = (result: RegExpMatchArray | Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (result instanceof Error) reject(result);
          else resolve(result);
        };
        const check = () => {
          const match = stderr.match(pattern);
          if (match) finish(match);
          else if (child.exitCode !== null || child.signalCode !== null) finish(new Error(`exited without ${pattern} in standard error:\n${stderr}`));
        };
        waiters.add(check);
        check();
      }),
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rx-dtls ARGS...` to the end, with `input` as its standard input. */
export async function runCli(args: readonly string[], input = '', env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const cli = startCli(args, env);
  cli.child.stdin!.end(input);
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Starts `rx-dtls server --port 0 ARGS...` and learns the port it printed. */
export async function startServer(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<{ cli: CliProcess; port: number }> {
  const cli = startCli(['server', '--port', '0', ...args], env);
  // tsx compiles the CLI before it can listen: seconds on a loaded machine, so more room than a reply gets.
  const match = await cli.waitForStderr(/listening on 127\.0\.0\.1:(\d+)|"event":"listening".*"port":(\d+)/, SERVER_START_MS);
  return { cli, port: Number(match[1] ?? match[2]) };
}

/** The JSON lines of --json output. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Kills what a spec file left running (for afterAll: its tests may run concurrently), so a failed spec leaks no process. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
