// Our client against gnutls-serv --udp --echo (3.7.9), PSK: resumption by ticket and by session
// ID, ALPN, record_size_limit and max_fragment_length. gnutls-serv binds every address, so it
// and the client run in a network namespace of their own (helpers/in-namespace.ts); the client
// is helpers/gnutls-server-child.ts, which prints what each connection saw.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBesideGnutlsServ } from './helpers/in-namespace.js';
import { assertPeerPresent, peerBinary } from './helpers/peer-binary.js';
import { gnutlsPriority } from './helpers/suites.js';

const gnutlsServ = peerBinary('gnutls-serv');
const unshare = peerBinary('unshare');
const PRIORITY = gnutlsPriority('PSK', 'AES-128-CCM-8');

interface Connection {
  readonly info?: Record<string, unknown>;
  readonly echoedOk?: boolean;
  readonly oversize?: string;
  readonly ticket?: boolean;
  readonly error?: { readonly code?: string; readonly alert?: unknown; readonly message?: string };
}

/** gnutls-serv with `serverArgs`, our client with `scenario` (see gnutls-server-child.ts). */
function run(dir: string, serverArgs: readonly string[], scenario: object): { first: Connection; second?: Connection; log: string } {
  const { seen, serverLog, stderr } = runBesideGnutlsServ(dir, ['--echo', '--priority', PRIORITY, ...serverArgs], 'gnutls-server-child.ts', [JSON.stringify(scenario)]);
  expect(seen.first, `${stderr}\n${serverLog}`).toBeDefined();
  return { ...(seen as { first: Connection; second?: Connection }), log: `${stderr}\n${serverLog}` };
}

describe.skipIf(gnutlsServ.skip || unshare.skip)('an rx-dtls client against gnutls-serv --udp --echo', () => {
  let dir: string;
  beforeEach(() => {
    assertPeerPresent(gnutlsServ);
    assertPeerPresent(unshare);
    dir = mkdtempSync(join(tmpdir(), 'rx-dtls-gnutls-serv-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // gnutls-serv prints nothing about resumption without debugging: our side's `resumed` is the
  // proof, and an abbreviated handshake cannot complete unless GnuTLS took the same master secret.
  it.each([
    { label: 'by ticket', serverArgs: [], ticket: true },
    { label: 'by session ID (--noticket)', serverArgs: ['--noticket'], ticket: false },
  ])('resumes $label and echoes a line on both sessions', ({ serverArgs, ticket }) => {
    const { first, second, log } = run(dir, serverArgs, { resume: true });
    expect(first, log).toMatchObject({ info: { resumed: false }, echoedOk: true, ticket });
    expect(second, log).toMatchObject({ info: { resumed: true }, echoedOk: true });
  });

  it('agrees on "coap" with --alpn=coap and echoes a line', () => {
    const { first, log } = run(dir, ['--alpn=coap'], { connect: { alpn: ['coap'] } });
    expect(first, log).toMatchObject({ info: { alpn: 'coap' }, echoedOk: true });
  });

  // gnutls-serv --alpn-fatal refuses, but its UDP mode drops the handshake without an alert
  // (it logs the error once per retransmission of our flight): our client can only give up.
  it('is refused without an alert by --alpn=coap --alpn-fatal when it offers only "h2": the handshake gives up', () => {
    const { first, log } = run(dir, ['--alpn=coap', '--alpn-fatal'], { connect: { alpn: ['h2'] } });
    expect(first.error, log).toMatchObject({ code: 'ETIMEDOUT' });
    expect(log).toContain('Error in handshake(): No common application protocol could be negotiated.');
  });

  it("honours --recordsize=512: a line within it is echoed, 513 bytes are EMSGSIZE before anything is sent", () => {
    const { first, log } = run(dir, ['--recordsize=512'], { oversize: 513 });
    expect(first, log).toMatchObject({ info: { peerRecordSizeLimit: 512 }, echoedOk: true, oversize: 'EMSGSIZE' });
  });

  // With maxFragmentLength our client offers max_fragment_length and record_size_limit of 512;
  // GnuTLS, knowing both, takes record_size_limit (RFC 8449 §5) and answers with its own: 2^14
  // by default (no limit on us), its --recordsize when given. A max_fragment_length echo would
  // have bound us to 512 both ways.
  it('maxFragmentLength 512: GnuTLS answers record_size_limit instead, with no limit of its own', () => {
    const { first, log } = run(dir, [], { connect: { maxFragmentLength: 512 }, lineLength: 1200, oversize: 513 });
    expect(first, log).toMatchObject({ echoedOk: true, oversize: 'sent' });
    expect(first.info).not.toHaveProperty('peerRecordSizeLimit');
  });

  it('maxFragmentLength 512 with --recordsize=512: bound by the record_size_limit GnuTLS answers', () => {
    const { first, log } = run(dir, ['--recordsize=512'], { connect: { maxFragmentLength: 512 }, oversize: 513 });
    expect(first, log).toMatchObject({ info: { peerRecordSizeLimit: 512 }, echoedOk: true, oversize: 'EMSGSIZE' });
  });
});
