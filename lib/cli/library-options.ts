import { appendFileSync } from 'node:fs';
import { keyLogFile, type ClientOptions } from '../index.js';
import type { EndpointConfig } from './args.js';

type SharedOptions = Pick<ClientOptions, 'cipherSuites' | 'groups' | 'mtu' | 'keyLog' | 'alpn' | 'recordSizeLimit' | 'recvBufferSize' | 'sendBufferSize' | 'versions'>;

/**
 * The options both endpoints pass to the library. Only those given are set: an
 * explicit `undefined` would replace the library's default (an mtu of undefined
 * is refused, a keyLog of undefined would silence SSLKEYLOGFILE).
 */
export function libraryOptions(config: EndpointConfig): SharedOptions {
  if (config.keyLog !== undefined) {
    // Fail now, with the file's error, rather than when the first handshake completes.
    appendFileSync(config.keyLog, '', { mode: 0o600 });
  }
  return {
    ...(config.cipherSuites === undefined ? {} : { cipherSuites: config.cipherSuites }),
    ...(config.groups === undefined ? {} : { groups: config.groups }),
    ...(config.mtu === undefined ? {} : { mtu: config.mtu }),
    ...(config.recvBufferSize === undefined ? {} : { recvBufferSize: config.recvBufferSize }),
    ...(config.sendBufferSize === undefined ? {} : { sendBufferSize: config.sendBufferSize }),
    ...(config.keyLog === undefined ? {} : { keyLog: keyLogFile(config.keyLog) }),
    ...(config.alpn === undefined ? {} : { alpn: config.alpn }),
    ...(config.recordSizeLimit === undefined ? {} : { recordSizeLimit: config.recordSizeLimit }),
    ...(config.versions === undefined ? {} : { versions: config.versions }),
  };
}

export const writeStderrLine = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
