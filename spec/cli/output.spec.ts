import { describe, expect, it } from 'vitest';
import { DtlsError, type SessionEvent } from '../../lib/index.js';
import { addressText, createPrinter, describePeer, describeSessionEvent, errorSummary } from '../../lib/cli/output.js';

const complete: SessionEvent = {
  type: 'handshake-complete',
  cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8',
  peer: { kind: 'psk', identity: 'Client_identity' },
  extendedMasterSecret: true,
  resumed: false,
};
const alert = { level: 'fatal', description: 51, name: 'decrypt_error' } as const;
const remote = { address: '127.0.0.1', port: 40000 };

function printed(json: boolean, use: (printer: ReturnType<typeof createPrinter>) => void): string[] {
  const lines: string[] = [];
  use(createPrinter({ json, writeLine: (line) => lines.push(line) }));
  return lines;
}

describe('describeSessionEvent', () => {
  it('names the suite and the PSK identity when the handshake completes', () => {
    expect(describeSessionEvent(complete)).toBe('handshake complete: TLS_PSK_WITH_AES_128_CCM_8 with psk identity Client_identity');
  });

  it('says which flight went out and what it holds', () => {
    const flight5 = ['Certificate', 'ClientKeyExchange', 'CertificateVerify', 'ChangeCipherSpec', 'Finished'];
    expect(describeSessionEvent({ type: 'flight-sent', flight: 5, messages: flight5 })).toBe(
      'flight 5 sent: Certificate, ClientKeyExchange, CertificateVerify, ChangeCipherSpec, Finished',
    );
    expect(describeSessionEvent({ type: 'retransmit', flight: 3, messages: ['ClientHello'], attempt: 2, reason: 'timeout' })).toBe(
      'flight 3 sent again (attempt 2, timer expired)',
    );
    expect(describeSessionEvent({ type: 'retransmit', flight: 6, messages: ['ChangeCipherSpec', 'Finished'], attempt: 1, reason: 'peer' })).toMatch(
      /the peer repeated its flight/,
    );
  });

  it('gives the code and message of the error that closed a session', () => {
    const error = new DtlsError('EALERT', 'peer sent fatal alert decrypt_error', alert);
    expect(describeSessionEvent({ type: 'closed', error })).toBe('closed: EALERT peer sent fatal alert decrypt_error');
    expect(describeSessionEvent({ type: 'closed' })).toBe('closed');
  });

  it('names alerts with their direction and level', () => {
    expect(describeSessionEvent({ type: 'alert', direction: 'received', level: 'warning', description: 0, name: 'close_notify' })).toBe(
      'alert received: warning close_notify',
    );
  });
});

describe('describePeer', () => {
  it('names a certificate by its subject (the library gives it on one line)', () => {
    expect(describePeer({ kind: 'x509', subject: 'CN=localhost', chain: [] })).toBe('certificate CN=localhost');
    expect(describePeer({ kind: 'x509', subject: 'C=DE, O=Acme, CN=gw.example', chain: [] })).toBe('certificate C=DE, O=Acme, CN=gw.example');
  });

  it('names a raw public key by the SHA-256 fingerprint of its SubjectPublicKeyInfo', () => {
    const fingerprint = 'f5bb70bc0330e99add8792ffecf570a65728faafe1dc8611c701d1b03714b5ba';
    expect(describePeer({ kind: 'raw-public-key', fingerprint, spki: new Uint8Array(91) })).toBe(`raw public key SHA-256 ${fingerprint}`);
  });

  it('says when the peer proved nothing (a client no certificate was asked of)', () => {
    expect(describePeer({ kind: 'anonymous' })).toBe('an unauthenticated peer');
  });
});


describe('createPrinter', () => {
  it('prints one JSON object per event with an "event" field, the server side naming the remote', () => {
    const lines = printed(true, (p) => {
      p.listening({ address: '127.0.0.1', port: 5684 });
      p.session(complete, remote);
      p.session({ type: 'flight-sent', flight: 1, messages: ['ClientHello'] });
      p.server({ type: 'hello-verify-request', peer: remote, version: '1.2' });
      p.echoed(remote, 6);
    });
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { event: 'listening', host: '127.0.0.1', port: 5684 },
      { event: 'handshake-complete', cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8', peer: { kind: 'psk', identity: 'Client_identity' }, extendedMasterSecret: true, resumed: false, remote },
      { event: 'flight-sent', flight: 1, messages: ['ClientHello'] },
      { event: 'hello-verify-request', version: '1.2', remote },
      { event: 'echo', bytes: 6, remote },
    ]);
  });

  it('puts the error of a closed session in JSON as code, message and alert', () => {
    const [line] = printed(true, (p) => p.session({ type: 'closed', error: new DtlsError('EHANDSHAKE', 'bad finished', alert) }));
    expect(JSON.parse(line)).toEqual({ event: 'closed', error: { code: 'EHANDSHAKE', message: 'bad finished', alert } });
  });

  it('writes key bytes in JSON as hex', () => {
    const [line] = printed(true, (p) =>
      p.session({ ...complete, peer: { kind: 'raw-public-key', spki: new Uint8Array([0x30, 0x0a, 0xff]) } } as SessionEvent),
    );
    expect(JSON.parse(line).peer).toEqual({ kind: 'raw-public-key', spki: '300aff' });
  });

  it('writes each certificate of an X.509 chain in JSON as hex', () => {
    const peer = { kind: 'x509', subject: 'CN=localhost', chain: [new Uint8Array([0x30, 0x82]), new Uint8Array([0x30, 0x01])] } as const;
    const [line] = printed(true, (p) => p.session({ ...complete, peer }));
    expect(JSON.parse(line).peer).toEqual({ kind: 'x509', subject: 'CN=localhost', chain: ['3082', '3001'] });
  });

  it('prints lines for people, prefixed by the remote on the server side', () => {
    const lines = printed(false, (p) => {
      p.listening({ address: '127.0.0.1', port: 5684 });
      p.session(complete, remote);
      p.server({ type: 'hello-verify-request', peer: remote, version: '1.2' });
      p.server({ type: 'hello-verify-request', peer: remote, version: '1.3' });
      p.server({ type: 'session-start', peer: remote });
      p.error(new DtlsError('ETIMEDOUT', 'too slow'));
    });
    expect(lines).toEqual([
      'listening on 127.0.0.1:5684',
      '[127.0.0.1:40000] handshake complete: TLS_PSK_WITH_AES_128_CCM_8 with psk identity Client_identity',
      '[127.0.0.1:40000] flight 2 sent: HelloVerifyRequest with a cookie',
      '[127.0.0.1:40000] flight 2 sent: HelloRetryRequest with a cookie',
      'error: ETIMEDOUT too slow',
    ]);
  });
});

describe('errorSummary', () => {
  it('takes the code of a Node system error', () => {
    const err = Object.assign(new Error('bind EADDRINUSE 127.0.0.1:5684'), { code: 'EADDRINUSE' });
    expect(errorSummary(err)).toEqual({ code: 'EADDRINUSE', message: 'bind EADDRINUSE 127.0.0.1:5684' });
  });

  it('calls anything else ERROR', () => {
    expect(errorSummary(new Error('odd'))).toEqual({ code: 'ERROR', message: 'odd' });
    expect(errorSummary('text')).toEqual({ code: 'ERROR', message: 'text' });
  });
});

describe('addressText', () => {
  it('brackets IPv6 addresses', () => {
    expect(addressText({ address: '::1', port: 5684 })).toBe('[::1]:5684');
    expect(addressText(remote)).toBe('127.0.0.1:40000');
  });
});
