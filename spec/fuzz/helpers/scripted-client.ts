import { cipherSuiteByName, type CipherSuite } from '../../../lib/crypto/cipher-suites.js';
import { NamedGroup } from '../../../lib/crypto/ecdhe.js';
import { computeVerifyData } from '../../../lib/crypto/key-schedule.js';
import { ClientHandshake, type ClientHandshakeOptions } from '../../../lib/handshake/client-handshake.js';
import type { Flight, FlightEntry } from '../../../lib/handshake/flight.js';
import type { HandshakeMessage } from '../../../lib/handshake/handshake-message.js';
import type { HandshakeStep } from '../../../lib/handshake/handshake-step.js';
import { Transcript } from '../../../lib/handshake/transcript.js';
import { HandshakeType } from '../../../lib/wire/constants.js';
import { encodeFinished } from '../../../lib/wire/finished.js';
import type { KeyExchangeSetup } from './key-exchanges.js';
import type { Lab } from './lab.js';
import { RecordIo } from './record-io.js';

/** The ClientHandshake state an attacker who plays the client by the book up to flight 5 reads: its keys, once it has them. */
interface ClientSecrets {
  readonly state: { readonly keyed?: { readonly keys: { readonly masterSecret: Uint8Array } } };
}

/**
 * A client that runs the real client state machine up to flight 5, then sends
 * whatever it likes: messages left out, reordered, in the wrong epoch, with
 * forged Finished messages. It speaks from the lab's client address, to the
 * lab's real DtlsServer.
 */
export class ScriptedClient {
  readonly io: RecordIo;
  readonly handshake: ClientHandshake;
  readonly suite: CipherSuite;
  /** The ClientHello that carried the cookie, where the transcript starts (RFC 6347 §4.2.6). */
  helloMessage?: HandshakeMessage;
  /** The server's flight 4, in order. */
  flight4: HandshakeMessage[] = [];

  constructor(
    private readonly lab: Lab,
    setup: KeyExchangeSetup,
    overrides: Partial<ClientHandshakeOptions> = {},
  ) {
    this.io = new RecordIo(lab.clientEnd.datagrams$, (d) => lab.inject('c>s', d));
    this.suite = cipherSuiteByName(setup.cipherSuite)!;
    const store = setup.client.credentials;
    const psk = store.clientPsk(0);
    this.handshake = new ClientHandshake({
      provider: lab.provider,
      cipherSuites: [this.suite],
      psk: psk && (() => psk),
      groups: [NamedGroup.x25519, NamedGroup.secp256r1],
      authenticator: store.authenticator(0, { role: 'server', serverName: setup.client.serverName }),
      certificate: store.localCertificates(0)[0],
      serverName: setup.client.serverName,
      ...overrides,
    });
  }

  /** Flight 1, the cookie exchange, flight 3 and the server's flight 4; returns flight 5 as built, unsent. */
  async negotiate(): Promise<Flight> {
    this.sendEntries(this.handshake.start().flight!.entries);
    this.await(HandshakeType.hello_verify_request);
    const hvr = this.io.messages.find((m) => m.message.msgType === HandshakeType.hello_verify_request)!.message;
    const flight3 = step(await this.handshake.onMessage(hvr)).flight!.entries;
    const [hello] = flight3;
    if (hello?.kind === 'handshake') this.helloMessage = hello.message;
    this.sendEntries(flight3);
    this.await(HandshakeType.server_hello_done);
    this.flight4 = this.io.messages.map((m) => m.message).filter((m) => m.msgType !== HandshakeType.hello_verify_request);
    let last: HandshakeStep = {};
    for (const message of this.flight4) last = step(await this.handshake.onMessage(message));
    if (!last.flight || !last.keys) throw new Error(`scripted client: flight 4 did not lead to flight 5 (${last.failure?.reason})`);
    this.io.install(last.keys.read, last.keys.write);
    return last.flight;
  }

  /** Sends flight entries as records, one datagram, each in its own epoch unless `epochOf` says otherwise. */
  sendEntries(entries: readonly FlightEntry[], epochOf: (entry: FlightEntry) => number = (e) => e.epoch): void {
    const records = entries.map((entry) =>
      entry.kind === 'handshake' ? this.io.handshake(entry.message, epochOf(entry)) : this.io.changeCipherSpec(epochOf(entry)),
    );
    this.io.transmit(...records);
  }

  /**
   * A Finished that verifies for the transcript the server saw if it received
   * `sent` after flight 4: what a client that skipped a message but keeps its
   * own books straight would send.
   */
  finishedAfter(sent: readonly HandshakeMessage[]): HandshakeMessage {
    const { keyed } = (this.handshake as unknown as ClientSecrets).state;
    const hello = this.helloMessage;
    if (!keyed || !hello) throw new Error('scripted client: finishedAfter before negotiate()');
    const transcript = new Transcript();
    [hello, ...this.flight4, ...sent].forEach((m) => transcript.add(m));
    const verifyData = computeVerifyData(this.suite.prfHash, keyed.keys.masterSecret, 'client finished', transcript.hash(this.suite.prfHash));
    const messageSeq = Math.max(hello.messageSeq, ...sent.map((m) => m.messageSeq)) + 1;
    return { msgType: HandshakeType.finished, messageSeq, body: encodeFinished({ verifyData }) };
  }

  private await(msgType: number): void {
    if (!this.lab.clock.runUntil(() => this.io.has(msgType), 5_000, 10)) throw new Error(`scripted client: no message of type ${msgType} from the server`);
  }
}

function step(s: HandshakeStep): HandshakeStep {
  if (s.failure) throw new Error(`scripted client: ${s.failure.reason}`);
  return s;
}

/** The handshake messages of flight entries. */
export function messagesOf(entries: readonly FlightEntry[]): HandshakeMessage[] {
  return entries.flatMap((e) => (e.kind === 'handshake' ? [e.message] : []));
}
