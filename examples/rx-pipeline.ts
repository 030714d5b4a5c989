/**
 * A DTLS 1.2 PSK echo server composed from rx-dtls/stages alone, over a real UDP
 * socket: the cookie gate in front, then per peer the receive pipeline
 * (decodeRecords -> decrypt -> decodeHandshake -> reassemble -> sequence) into the
 * ServerHandshake state machine, whose keys go in through installKeys and whose
 * flights go out through retransmit -> fragment -> encrypt -> pack. What DtlsServer
 * adds on top (limits on sessions and handshakes, idle eviction, a client that
 * restarts) is left out to keep the wiring in view.
 *
 *   npm run example:rx-pipeline -- --port 4433
 *   openssl s_client -dtls1_2 -connect 127.0.0.1:4433 -psk_identity Client_identity \
 *     -psk 73656372657450534b -cipher PSK-AES128-CCM8
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Subject, concatMap, filter, from, map, merge, of, share, takeUntil, timer, type Observable } from 'rxjs';
import { credentials, UdpTransport, type CredentialStore } from '../lib/index.js';
import {
  AlertDescription,
  AlertLevel,
  ContentType,
  CookieSecrets,
  DTLS_1_2,
  HandshakeBudget,
  HandshakeType,
  ReadEpochs,
  Sequencer,
  ServerHandshake,
  WriteEpochs,
  cookieGate,
  decodeAlert,
  decodeHandshake,
  decodeRecords,
  decrypt,
  encodeAlert,
  encrypt,
  fragment,
  installKeys,
  pack,
  peerKey,
  reassemble,
  retransmit,
  sequence,
  serverHandshakeOptions,
  type Datagram,
  type DatagramTransport,
  type Flight,
  type HandshakeStep,
  type PlainRecord,
  type ServerHandshakeOptions,
  type VerifiedHello,
} from '../lib/stages/index.js';

export interface PipelineServerOptions {
  readonly credentials: CredentialStore;
  /** Largest datagram sent (default 1200). */
  readonly mtu?: number;
  /** A handshake not done by then is dropped (default 60000 ms). */
  readonly handshakeTimeout?: number;
  readonly log?: (line: string) => void;
}

/** The interop PSK: identity Client_identity, key "secretPSK" (hex 73656372657450534b). */
export const PIPELINE_PSK = { identity: 'Client_identity', key: 'secretPSK' } as const;

/** Bytes from the peer one handshake may hold at once: partial messages, messages ahead of their turn, early records. */
const HANDSHAKE_BUDGET = 65_536;

/** Serves DTLS on `transport` until the returned function is called. */
export function servePipeline(transport: DatagramTransport, options: PipelineServerOptions): () => void {
  const log = options.log ?? (() => undefined);
  const handshakeOptions = serverHandshakeOptions({ credentials: options.credentials });
  const secrets = new CookieSecrets(randomBytes(32));
  const connections = new Map<string, Subject<Uint8Array>>();
  const unverified = new Subject<Datagram>();
  const stop = new Subject<void>();

  // A known peer's datagrams go to its connection; anyone else's to the cookie gate.
  transport.datagrams$.pipe(takeUntil(stop)).subscribe((datagram) => {
    const connection = connections.get(peerKey(datagram.peer));
    if (connection) connection.next(datagram.data);
    else unverified.next(datagram);
  });
  // RFC 6347 §4.2.1: no state for a peer until its ClientHello comes back with our cookie.
  unverified
    .pipe(
      cookieGate({ secrets, reply: (helloVerifyRequest, datagram) => transport.send(helloVerifyRequest, datagram.peer) }),
      takeUntil(stop),
    )
    .subscribe((hello) => {
      const key = peerKey(hello.datagram.peer);
      const input = new Subject<Uint8Array>();
      connections.set(key, input);
      connect(hello, input, transport, handshakeOptions, { ...options, log }, () => {
        connections.delete(key);
        input.complete();
      });
    });
  return () => {
    stop.next();
    connections.forEach((input) => input.complete());
    transport.close();
  };
}

/** One peer's connection: the stages, the state machine between them, and an echo once established. */
function connect(
  hello: VerifiedHello,
  input: Observable<Uint8Array>,
  transport: DatagramTransport,
  handshakeOptions: ServerHandshakeOptions,
  options: PipelineServerOptions & { readonly log: (line: string) => void },
  end: () => void,
): void {
  const { peer } = hello.datagram;
  const name = `${peer.address}:${peer.port}`;
  const mtu = options.mtu ?? 1200;
  const send = (datagram: Uint8Array) => transport.send(datagram, peer);
  const handshake = new ServerHandshake(handshakeOptions, hello.message, hello.hello);
  const readEpochs = new ReadEpochs();
  // Our epoch 0 continues after the ClientHello's record number (RFC 6347 §4.2.1); a peer-chosen one near 2^48 would leave no room.
  const helloSeq = hello.record.header.sequenceNumber;
  const writeEpochs = new WriteEpochs(helloSeq < 2 ** 32 ? helloSeq : 0);
  const budget = new HandshakeBudget(HANDSHAKE_BUDGET);
  const keysInstalled = new Subject<void>();
  const flights = new Subject<Flight>();
  const resendNow = new Subject<void>();
  const closed = new Subject<void>();
  let established = false;

  const close = (alert?: { level: number; description: number }): void => {
    if (alert) send(writeEpochs.seal(established ? writeEpochs.current : 0, ContentType.alert, DTLS_1_2, encodeAlert(alert)));
    closed.next();
    budget.close();
    end();
  };

  // Out: each flight until the peer's next one arrives, resent on the RFC 6347 §4.2.4.1 timer.
  flights
    .pipe(
      retransmit({ initialTimeout: 1000, maxTimeout: 60_000, resendNow$: resendNow }),
      fragment({ maxDatagramSize: mtu, overhead: (epoch) => writeEpochs.overhead(epoch) }),
      encrypt(writeEpochs),
      pack(mtu),
      takeUntil(closed),
    )
    .subscribe((datagrams) => datagrams.forEach(send));

  // In: records, authenticated and decrypted in their epoch, then split by content type.
  const records$ = input.pipe(
    decodeRecords(),
    decrypt({ epochs: readEpochs, keysInstalled$: keysInstalled, maxHeldRecords: 32, budget }),
    takeUntil(closed),
    share(),
  );
  const messages$ = records$.pipe(
    filter((r) => r.contentType === ContentType.handshake),
    decodeHandshake(),
    reassemble({ maxBufferedBytes: HANDSHAKE_BUDGET / 2, maxMessageLength: HANDSHAKE_BUDGET / 2, budget }),
    // RFC 5246 §7.4.9: a Finished comes protected; an unprotected one is a forgery.
    filter(({ epoch, message }) => epoch > 0 || message.msgType !== HandshakeType.finished),
    sequence(new Sequencer(handshake.nextReceiveSeq, 16, budget)),
    // One sequencer, so one subscription to it: every message passes it once.
    share(),
  );
  const changeCipherSpecs$ = records$.pipe(filter((r) => r.contentType === ContentType.change_cipher_spec && r.epoch === 0));

  // RFC 6347 §4.2.4: the peer sending an old message again means our last flight was lost.
  messages$.pipe(filter((m) => m.kind === 'stale')).subscribe(() => resendNow.next());

  // The state machine takes its inputs one at a time, in order, waiting for an async PSK lookup.
  merge(
    of(() => handshake.start()),
    messages$.pipe(
      filter((m) => m.kind === 'next'),
      map((m) => () => handshake.onMessage(m.message)),
    ),
    changeCipherSpecs$.pipe(map(() => () => handshake.onChangeCipherSpec())),
  )
    .pipe(
      concatMap((input) => {
        const step = input();
        return step instanceof Promise ? from(step) : of(step);
      }),
      takeUntil(closed),
    )
    .subscribe({
      next: (step) => apply(step),
      // A lookup that rejects, or a bug: end this connection, never the process.
      error: (error) => {
        options.log(`handshake with ${name} failed: ${String(error)}`);
        close({ level: AlertLevel.fatal, description: AlertDescription.internal_error });
      },
    });

  function apply(step: HandshakeStep): void {
    installKeys(step, { readEpochs, writeEpochs, keysInstalled });
    if (step.flight) flights.next(step.flight);
    if (step.established) {
      established = true;
      readEpochs.expectNoNextEpoch();
      options.log(`handshake with ${name} complete: ${step.established.cipherSuite.name}`);
    }
    if (step.failure) {
      options.log(`handshake with ${name} failed: ${step.failure.reason}`);
      close({ level: AlertLevel.fatal, description: step.failure.alert });
    }
  }

  records$.pipe(filter((r) => r.contentType === ContentType.application_data)).subscribe((record) => {
    // Application data is only ever protected, and only after both Finished verified: echo it.
    if (established && record.epoch > 0) send(writeEpochs.seal(writeEpochs.current, ContentType.application_data, DTLS_1_2, record.payload));
  });
  records$.pipe(filter((r) => r.contentType === ContentType.alert)).subscribe((record) => onAlert(record));

  function onAlert(record: PlainRecord): void {
    const alert = decodeAlert(record.payload);
    // Once established, an unprotected alert is anybody's forgery.
    if (!alert.ok || (established && record.epoch === 0)) return;
    if (alert.value.description === AlertDescription.close_notify) {
      options.log(`${name} closed`);
      // RFC 5246 §7.2.1: answer close_notify with close_notify.
      close({ level: AlertLevel.warning, description: AlertDescription.close_notify });
    } else if (alert.value.level === AlertLevel.fatal) {
      options.log(`${name} sent fatal alert ${alert.value.description}`);
      close();
    }
  }

  timer(options.handshakeTimeout ?? 60_000)
    .pipe(takeUntil(closed))
    .subscribe(() => {
      if (established) return;
      options.log(`handshake with ${name} timed out`);
      close();
    });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '4433' } } });
  const transport = await UdpTransport.bind({ host: values.host, port: Number(values.port) });
  const store = credentials().psk({ tag: 0, ...PIPELINE_PSK });
  const stop = servePipeline(transport, { credentials: store, log: (line) => console.log(line) });
  const { address, port } = transport.address();
  console.log(`DTLS echo on ${address}:${port} (PSK identity ${PIPELINE_PSK.identity}); Ctrl-C stops`);
  process.once('SIGINT', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
