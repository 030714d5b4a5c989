import type { Suite } from '../fixtures.js';

export interface Target {
  readonly host: string;
  readonly port: number;
}

/** An established session that echoes come back on: how the record workload drives any client. */
export interface EchoChannel {
  send(data: Uint8Array): void;
  /** Called with the number of payload bytes of each chunk the peer echoed. */
  onData(listener: (bytes: number) => void): void;
  close(): Promise<void>;
}

export interface ClientPeer {
  readonly name: string;
  /** Whether the client runs inside this process (then its CPU time and peak RSS are this process's). */
  readonly inProcess: boolean;
  supports(suite: Suite): boolean;
  /** One full handshake (cookie exchange included), then a close. Resolves once established. */
  handshake(target: Target, suite: Suite): Promise<void>;
  open(target: Target, suite: Suite, recordSize: number): Promise<EchoChannel>;
  /** Waits for anything the client left running (processes that linger after close). */
  settle?(): Promise<void>;
}

export interface RunningServer {
  readonly target: Target;
  /** Processes whose CPU time and peak RSS are the server's. */
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

export interface ServerPeer {
  readonly name: string;
  supports(suite: Suite): boolean;
  /** True when one server process serves one client at a time (openssl s_server): concurrent rows get one server per client. */
  readonly oneClientAtATime: boolean;
  /** An echo server for the suite; recordSize bounds the records it sends where the peer needs telling. */
  start(suite: Suite, recordSize?: number): Promise<RunningServer>;
}
