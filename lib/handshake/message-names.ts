import { HandshakeType } from '../wire/constants.js';
import type { Flight } from './flight.js';

const NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries({
    ClientHello: HandshakeType.client_hello,
    ServerHello: HandshakeType.server_hello,
    HelloVerifyRequest: HandshakeType.hello_verify_request,
    NewSessionTicket: HandshakeType.new_session_ticket,
    Certificate: HandshakeType.certificate,
    ServerKeyExchange: HandshakeType.server_key_exchange,
    CertificateRequest: HandshakeType.certificate_request,
    ServerHelloDone: HandshakeType.server_hello_done,
    CertificateVerify: HandshakeType.certificate_verify,
    ClientKeyExchange: HandshakeType.client_key_exchange,
    Finished: HandshakeType.finished,
    EncryptedExtensions: HandshakeType.encrypted_extensions,
    KeyUpdate: HandshakeType.key_update,
  }).map(([name, type]) => [type, name]),
);

/** The messages of a flight by their RFC 5246 names, in order, e.g. ["ClientKeyExchange", "ChangeCipherSpec", "Finished"]. */
export function flightMessageNames(flight: Flight): string[] {
  return flight.entries.map((e) => (e.kind === 'change_cipher_spec' ? 'ChangeCipherSpec' : (NAMES[e.message.msgType] ?? `handshake(${e.message.msgType})`)));
}
