import { DEFAULT_CLIENT_TIMEOUT, DEFAULT_HOST, DEFAULT_LINGER, DEFAULT_SERVER_PORT } from './args.js';
import { PSK_SUITE_NAMES } from './psk-suites.js';

export const USAGE = `Usage: rx-dtls <command> [options]

DTLS 1.2 with pre-shared keys over UDP, from rx-dtls.

Commands:
  demo     a server and a client in one process over loopback UDP: prints the
           handshake flights, the cipher suite agreed and an echo (npm start)
  server   serves DTLS and echoes every record back to its sender
  client   connects, sends standard input line by line, prints what comes back
  help     prints this text

rx-dtls server [--host ${DEFAULT_HOST}] [--port ${DEFAULT_SERVER_PORT}] --psk IDENTITY:KEY ... [options]
  Prints "listening on HOST:PORT" on standard error (--port 0 picks a free port)
  and serves until SIGINT or SIGTERM, then closes every session with close_notify.
  --psk may be given once per client identity.

rx-dtls client [--host ${DEFAULT_HOST}] --port PORT --psk IDENTITY:KEY [options]
  After the handshake, sends each line of standard input as one record, its
  trailing newline included (as openssl s_client does), and writes each record
  received to standard output as it is. At the end of input, waits until no
  record has arrived for --linger ms, sends close_notify and exits.
  Exits 0 when the session ends with close_notify from either side; 1 when the
  handshake fails or times out, with the error code and message on standard error.

rx-dtls demo [--cipher NAME,...]

Options:
  --psk IDENTITY:KEY  a pre-shared key: KEY is UTF-8 text, or hex digits after "hex:"
                      (Client_identity:secretPSK is Client_identity:hex:73656372657450534b);
                      the identity ends at the first colon
  --cipher NAME,...   cipher suites in order of preference, by IANA name;
                      by default all of these, in this order:
${PSK_SUITE_NAMES.map((name) => `                        ${name}`).join('\n')}
  --mtu N             largest datagram to send, 64 to 65507 (default 1200)
  --timeout MS        client: give up on a handshake after MS ms (default ${DEFAULT_CLIENT_TIMEOUT})
  --linger MS         client: after the end of input, close once no record has
                      come for MS ms (default ${DEFAULT_LINGER})
  --keylog FILE       append the session secrets to FILE in NSS key log format, for
                      Wireshark (the SSLKEYLOGFILE environment variable does the same)
  --json              events as JSON lines, one object with an "event" field each
  -h, --help          prints this text

Standard error carries the events (handshake, flights, alerts, errors); standard
output carries only application data. Exit status 2 means a bad command line.
`;
