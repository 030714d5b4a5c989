import { cipherSuiteByName, type CipherSuite } from '../../../lib/crypto/cipher-suites.js';
import { NamedGroup } from '../../../lib/crypto/ecdhe.js';
import type { Flight, FlightEntry } from '../../../lib/handshake/flight.js';
import type { HandshakeStep } from '../../../lib/handshake/handshake-step.js';
import { ServerHandshake } from '../../../lib/handshake/server-handshake.js';
import { decodeClientHello } from '../../../lib/wire/client-hello.js';
import { HandshakeType } from '../../../lib/wire/constants.js';
import type { KeyExchangeSetup } from './key-exchanges.js';
import type { Lab } from './lab.js';
import { RecordIo } from './record-io.js';

/**
 * A server that runs the real server state machine (skipping the optional
 * cookie exchange) and sends its flights however the attack wants, from the
 * lab's server address, to the lab's real client Session.
 */
export class ScriptedServer {
  readonly io: RecordIo;
  readonly suite: CipherSuite;
  handshake?: ServerHandshake;

  constructor(
    private readonly lab: Lab,
    private readonly setup: KeyExchangeSetup,
  ) {
    this.io = new RecordIo(lab.serverEnd.datagrams$, (d) => lab.inject('s>c', d));
    this.suite = cipherSuiteByName(setup.cipherSuite)!;
  }

  /** Waits for the client's ClientHello; returns flight 4 as the state machine built it, unsent. */
  answerHello(): Flight {
    this.await(() => this.io.has(HandshakeType.client_hello), 'ClientHello');
    const message = this.io.messages.find((m) => m.message.msgType === HandshakeType.client_hello)!.message;
    const hello = decodeClientHello(message.body);
    if (!hello.ok) throw new Error('scripted server: malformed ClientHello');
    const store = this.setup.server.credentials;
    this.handshake = new ServerHandshake(
      {
        provider: this.lab.provider,
        cipherSuites: [this.suite],
        pskLookup: store.hasPsk(0) ? store.serverPskLookup(0) : undefined,
        pskIdentityHint: store.serverPskHint(0),
        groups: [NamedGroup.x25519, NamedGroup.secp256r1],
        certificates: store.localCertificates(0),
        clientAuth: this.setup.server.clientAuth,
        clientAuthenticator: store.authenticator(0, { role: 'client' }),
      },
      message,
      hello.value,
    );
    return step(this.handshake.start()).flight!;
  }

  /** Reads the client's flight 5 and returns flight 6 as built (the server side is then established), unsent. */
  async finish(): Promise<Flight> {
    const handshake = this.handshake!;
    this.await(() => this.io.has(HandshakeType.client_key_exchange), 'ClientKeyExchange');
    const seen = new Set<number>();
    const epoch0 = this.io.messages.filter(
      (m) => m.epoch === 0 && m.message.msgType !== HandshakeType.client_hello && !seen.has(m.message.messageSeq) && seen.add(m.message.messageSeq),
    );
    for (const { message } of epoch0) {
      const s = step(await handshake.onMessage(message));
      if (s.keys) this.io.install(s.keys.read, s.keys.write);
    }
    step(handshake.onChangeCipherSpec());
    this.await(() => this.io.has(HandshakeType.finished), 'Finished');
    const finished = this.io.messages.find((m) => m.message.msgType === HandshakeType.finished)!.message;
    const last = step(await handshake.onMessage(finished));
    if (!last.flight || !last.established) throw new Error('scripted server: the client Finished did not complete the handshake');
    return last.flight;
  }

  sendEntries(entries: readonly FlightEntry[], epochOf: (entry: FlightEntry) => number = (e) => e.epoch): void {
    const records = entries.map((entry) =>
      entry.kind === 'handshake' ? this.io.handshake(entry.message, epochOf(entry)) : this.io.changeCipherSpec(epochOf(entry)),
    );
    this.io.transmit(...records);
  }

  private await(done: () => boolean, what: string): void {
    if (!this.lab.clock.runUntil(done, 5_000, 10)) throw new Error(`scripted server: no ${what} from the client`);
  }
}

function step(s: HandshakeStep): HandshakeStep {
  if (s.failure) throw new Error(`scripted server: ${s.failure.reason}`);
  return s;
}
