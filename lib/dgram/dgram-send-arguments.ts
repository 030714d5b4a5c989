import { Buffer } from 'node:buffer';
import { DtlsError } from '../dtls-error.js';

/** node:dgram's send callback: an error, or the bytes sent. */
export type SendCallback = (error: Error | null, bytes: number) => void;

/** One `socket.send(...)` call of node:dgram, whatever overload it used. */
export interface SendArguments {
  readonly data: Uint8Array;
  /** Absent for the connected forms `send(msg[, offset, length][, callback])`. */
  readonly port?: number;
  /** Absent when the caller left it out (node:dgram then sends to loopback). */
  readonly address?: string;
  readonly callback?: SendCallback;
}

/**
 * Reads the arguments of node:dgram's `send` the way Node does: the offset
 * form is taken when the second and third arguments are both numbers, so
 * `send(msg, offset, length, port, address, cb)` (node-coap's RetrySend and
 * cached replies), `send(msg, port, address, cb)` (node-coap's proxy paths),
 * `send(msg, offset, length, port)` (node-coap's error replies) and the
 * connected forms all resolve to bytes, destination and callback.
 * Bad argument types throw, as node:dgram throws for them.
 */
export function parseSendArguments(args: readonly unknown[]): SendArguments {
  const [msg, second, third] = args;
  const offsetForm = typeof second === 'number' && typeof third === 'number';
  const data = offsetForm ? slice(msg, second, third) : bytes(msg);
  const rest = args.slice(offsetForm ? 3 : 1);
  const at = rest.findIndex((arg) => typeof arg === 'function');
  const positional = at === -1 ? rest : rest.slice(0, at);
  // `send(buf, 0, n, port, host, undefined)` is the 6-argument form with no callback.
  while (positional.length > 0 && positional[positional.length - 1] === undefined) positional.pop();
  if (positional.length > 2) throw invalid(`unexpected send arguments after port and address: ${positional.slice(2).map(String).join(', ')}`);
  const port = positional[0] == null ? undefined : checkPort(positional[0]);
  const address = positional[1] == null ? undefined : checkAddress(positional[1]);
  const callback = at === -1 ? undefined : (rest[at] as SendCallback);
  return { data, port, address, callback };
}

function bytes(msg: unknown): Uint8Array {
  if (typeof msg === 'string') return Buffer.from(msg);
  if (ArrayBuffer.isView(msg)) return new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
  // node:dgram sends an array of chunks as one datagram.
  if (Array.isArray(msg)) {
    return Buffer.concat(
      (msg as readonly unknown[]).map((chunk) => {
        if (typeof chunk === 'string' || ArrayBuffer.isView(chunk)) return bytes(chunk);
        throw invalid('every chunk of an array message must be a string, a Buffer, a TypedArray or a DataView');
      }),
    );
  }
  throw invalid('the message must be a string, a Buffer, a TypedArray, a DataView or an array of them');
}

function slice(msg: unknown, offset: number, length: number): Uint8Array {
  if (Array.isArray(msg)) throw invalid('offset and length apply to a single buffer or string, not an array');
  const whole = bytes(msg);
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > whole.length) {
    throw new DtlsError('EINVAL', `offset ${offset} and length ${length} do not fit a ${whole.length}-byte message`);
  }
  return whole.subarray(offset, offset + length);
}

function checkPort(port: unknown): number {
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw invalid(`the destination port must be an integer from 1 to 65535, got ${String(port)}`);
  }
  return port;
}

function checkAddress(address: unknown): string {
  if (typeof address !== 'string') throw invalid(`the destination address must be a string, got ${typeof address}`);
  return address;
}

function invalid(message: string): DtlsError {
  return new DtlsError('EINVAL', message);
}
