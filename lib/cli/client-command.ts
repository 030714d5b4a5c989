import { readFileSync, writeFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { DtlsError, established, openClientSession, UdpTransport, type Session, type SessionResumption } from '../index.js';
import type { ClientConfig } from './args.js';
import { loadCredentials } from './credential-files.js';
import { libraryOptions, writeStderrLine } from './library-options.js';
import { LineSplitter } from './line-splitter.js';
import { createPrinter, type Printer } from './output.js';

/** RFC 5246 §6.2.1: a record carries at most 2^14 bytes of data. */
const MAX_RECORD_DATA = 16_384;

/**
 * `rx-dtls client`: handshake, then each line of standard input as one record
 * and each record received on standard output. Resolves to the exit status:
 * 0 when the session ended with close_notify (either side), 1 otherwise.
 * Throws a UsageError when a key or certificate file cannot be used.
 */
export async function runClient(config: ClientConfig): Promise<number> {
  const store = loadCredentials(config.files, config.psk === undefined ? [] : [config.psk]);
  const out = createPrinter({ json: config.json, writeLine: writeStderrLine });
  // --resume: both sessions on one socket, as s_client -reconnect has; the server answers the
  // first one's close_notify with its own, which must not meet a closed port (an ICMP error
  // that ends a server such as s_server).
  let shared: UdpTransport | undefined;
  const open = async (resume: SessionResumption | string | undefined): Promise<Session> => {
    const opened = await openClientSession({
      ...(shared === undefined ? {} : { transport: shared }),
      host: config.host,
      port: config.port,
      credentials: store,
      handshakeTimeout: config.timeout,
      ...(config.serverName === undefined ? {} : { serverName: config.serverName }),
      ...(config.maxFragmentLength === undefined ? {} : { maxFragmentLength: config.maxFragmentLength }),
      ...(resume === undefined ? {} : { resume }),
      ...libraryOptions(config),
      ...(config.connectionId === undefined ? {} : { connectionId: config.connectionId }),
    });
    // The closed event prints why a session failed; the error that then ends events$ says it again.
    opened.events$.subscribe({ next: (event) => out.session(event), error: () => undefined });
    return opened;
  };
  let session: Session;
  try {
    if (config.resume) {
      const { address, family } = await lookup(config.host);
      shared = await UdpTransport.bind({ host: family === 6 ? '::' : '0.0.0.0', port: 0, connect: { address, port: config.port } });
    }
    session = await open(config.sessionIn === undefined ? undefined : readFileSync(config.sessionIn, 'utf8'));
    if (config.resume) {
      // As `openssl s_client -reconnect`: a handshake, then a second one resuming it.
      const first = await established(session);
      await first.close();
      session = await open(first.resumption);
    }
  } catch (err) {
    out.error(err);
    await shared?.close();
    return 1;
  }
  if (config.sessionOut !== undefined) saveWhenEstablished(session, config.sessionOut, out);

  return new Promise<number>((resolve) => {
    let inputEnded = false;
    let linger: NodeJS.Timeout | undefined;
    // Closing waits until the peer has been quiet for --linger ms, so its last echoes are not cut off.
    const closeWhenQuiet = () => {
      clearTimeout(linger);
      linger = setTimeout(() => session.close(), config.linger);
    };
    const send = (records: Uint8Array[]) => {
      for (const record of records) if (session.state === 'established') session.send(record);
    };
    // Set once established: a line longer than the server's record limit (record_size_limit, max_fragment_length) goes in pieces.
    let splitter: LineSplitter | undefined;
    const onInput = (chunk: Buffer) => send(splitter?.push(chunk) ?? []);
    const onInputEnd = () => {
      send(splitter?.end() ?? []);
      inputEnded = true;
      closeWhenQuiet();
    };
    const onSignal = () => {
      if (session.state === 'established') session.close();
      else session.abandon(new DtlsError('ECLOSED', 'interrupted during the handshake'));
    };
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    // Whoever read standard output has gone (`| head`): end the session politely, not with EPIPE.
    const onOutputError = () => session.close();
    process.stdout.on('error', onOutputError);

    session.data$.subscribe({
      next: (data) => {
        process.stdout.write(data);
        if (inputEnded) closeWhenQuiet();
      },
      error: () => undefined,
    });
    // The closed event has already told why; the session's error decides the status.
    const ended = () => {
      clearTimeout(linger);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      process.stdout.off('error', onOutputError);
      process.stdin.off('data', onInput).off('end', onInputEnd).destroy();
      void shared?.close();
      resolve(session.error ? 1 : 0);
    };
    session.state$.subscribe({ complete: ended, error: ended });
    established(session).then(
      () => {
        splitter = new LineSplitter(session.info?.peerRecordSizeLimit ?? MAX_RECORD_DATA);
        // Input is read only now: lines typed or piped during the handshake wait in the pipe.
        process.stdin.on('data', onInput).once('end', onInputEnd);
      },
      () => undefined,
    );
  });
}

/**
 * --sess-out: the session, once established, as base64 in a file only this user may read
 * (it holds the master secret). A server that made it not resumable leaves nothing to save.
 */
function saveWhenEstablished(session: Session, file: string, out: Printer): void {
  established(session).then(
    () => {
      const { resumption } = session;
      if (resumption) writeFileSync(file, `${resumption.toString()}\n`, { mode: 0o600 });
      else out.error(new DtlsError('EINVAL', `--sess-out: the server made the session not resumable, nothing written to ${file}`));
    },
    () => undefined,
  );
}
