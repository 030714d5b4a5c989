import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { promisify } from 'node:util';
import { PeerProcess } from './peer-process.js';

const run = promisify(execFile);

/**
 * Payload lengths no DTLS datagram in these specs has: their summary lines show
 * that the capture is really running, and later that it has seen everything.
 */
const START_SENTINEL = 555;
const STOP_SENTINEL = 777;

export interface LoopbackCapture {
  readonly file: string;
  /** Sends a sentinel datagram, waits until the capture has seen it, then stops and flushes the file. */
  stop(): Promise<void>;
}

/**
 * `tshark -i lo -f 'udp port P' -w file`, also printing a summary per packet
 * (-P -l) so the spec can tell what is in the file: "Capturing on" is printed
 * before packets are really seen, and libpcap hands packets over in blocks, so
 * a capture stopped right after the traffic can lose the last ones. A sentinel
 * datagram seen at each end settles both. Resolves with a reason instead when
 * the capture cannot start (no permission on lo, for instance).
 */
export async function startLoopbackCapture(tshark: string, port: number, file: string): Promise<LoopbackCapture | { readonly unavailable: string }> {
  const capture = PeerProcess.start(tshark, ['-i', 'lo', '-f', `udp port ${port}`, '-w', file, '-P', '-l'], 'tshark capture');
  try {
    await capture.waitForStderr(/Capture started|Capturing on/, 15_000);
    await waitForSentinel(capture, port, START_SENTINEL);
  } catch {
    await capture.stop();
    return { unavailable: `tshark could not capture on lo: ${capture.stderr.trim().split('\n').slice(-3).join(' / ')}` };
  }
  return {
    file,
    async stop() {
      await waitForSentinel(capture, port, STOP_SENTINEL);
      capture.child.kill('SIGINT');
      await capture.waitForExit(10_000);
    },
  };
}

/** Sends a datagram of `length` zero bytes to the port, again every 200 ms, until the capture lists it. */
async function waitForSentinel(capture: PeerProcess, port: number, length: number): Promise<void> {
  const seen = capture.waitForStdout(new RegExp(`Len=${length}\\b`), 10_000);
  const timer = setInterval(() => void sendSentinel(port, length).catch(() => undefined), 200);
  try {
    await sendSentinel(port, length);
    await seen;
  } finally {
    clearInterval(timer);
  }
}

function sendSentinel(port: number, length: number): Promise<void> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.send(new Uint8Array(length), port, '127.0.0.1', (error) => {
      socket.close();
      if (error) reject(error);
      else resolve();
    });
  });
}

/**
 * The payloads tshark sees in the DTLS records of a capture on `port`, as
 * text: decrypted application data when `keyLogFile` holds the keys.
 */
export async function dtlsPayloads(tshark: string, file: string, port: number, keyLogFile?: string): Promise<string[]> {
  const args = [
    '-r', file, '-d', `udp.port==${port},dtls`,
    ...(keyLogFile === undefined ? [] : ['-o', `tls.keylog_file:${keyLogFile}`]),
    '-Y', 'dtls.record.content_type == 23', '-T', 'fields', '-e', 'data.data',
  ];
  const { stdout } = await run(tshark, args, { encoding: 'utf8' });
  return stdout
    .split('\n')
    .flatMap((line) => line.split(','))
    .map((hex) => hex.trim())
    .filter((hex) => hex !== '')
    .map((hex) => Buffer.from(hex, 'hex').toString('utf8'));
}
