import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuMs, peakRss } from '../proc.js';

/** What the server process says about itself (load-server-host.ts). */
export interface ServerStats {
  /** Event-loop delay since the last stats, ms: median, 99th percentile, max. */
  readonly lagP50: number;
  readonly lagP99: number;
  readonly lagMax: number;
  readonly sessions: number;
}

/** The load scenarios' server in its own process, with the signals the fault scenarios send it. */
export interface LoadServer {
  readonly target: { readonly host: string; readonly port: number };
  readonly pid: number;
  /** What `server.info` said (buffers granted, limits), when the library has it. */
  readonly info: unknown;
  stats(): Promise<ServerStats>;
  /** CPU time the process has used, ms. */
  cpuMs(): number;
  /** Its peak RSS, bytes. */
  peakRss(): number;
  /** SIGSTOP: the process stops reading its socket; the kernel queues what it can. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  stop(): Promise<void>;
}

/** Starts load-server-host.ts with these listen options (JSON-able) and waits until it listens. */
export async function startLoadServer(options: Record<string, unknown> = {}): Promise<LoadServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./load-server-host.ts', import.meta.url)), JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: Array<(stats: ServerStats) => void> = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const hello = await new Promise<{ port: number; info: unknown }>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as { port?: number; info?: unknown; stats?: ServerStats };
      if (message.port !== undefined) resolve({ port: message.port, info: message.info });
      if (message.stats) waiting.shift()?.(message.stats);
    });
    child.once('exit', (code) => reject(new Error(`the load server exited (${code}) before listening`)));
  });
  const pid = child.pid!;
  return {
    target: { host: '127.0.0.1', port: hello.port },
    pid,
    info: hello.info,
    stats: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write('stats\n');
      }),
    cpuMs: () => cpuMs(pid),
    peakRss: () => peakRss(pid),
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async stop() {
      child.kill('SIGCONT');
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
