import { CIPHER_SUITES } from '../crypto/cipher-suites.js';
import { DEFAULT_CLIENT_TIMEOUT, DEFAULT_HOST, DEFAULT_LINGER, DEFAULT_SERVER_PORT } from './args.js';
import { GROUP_CHOICES } from './group-list.js';

/** What each key exchange needs, as the --cipher list shows it. */
const NEEDS = { PSK: '--psk', ECDHE_PSK: '--psk', ECDHE_ECDSA: 'certificate or raw key' } as const;
const SUITE_WIDTH = Math.max(...CIPHER_SUITES.map((s) => s.name.length));

export const USAGE = `Usage: rx-dtls <command> [options]

DTLS 1.2 over UDP, from rx-dtls: pre-shared keys (PSK, ECDHE_PSK), X.509
certificates and raw public keys (ECDHE_ECDSA with P-256, RFC 8422 and RFC 7250).

Commands:
  demo     a server and a client in one process over loopback UDP: prints the
           handshake flights, the cipher suite agreed and an echo (npm start)
  server   serves DTLS and echoes every record back to its sender
  client   connects, sends standard input line by line, prints what comes back
  help     prints this text

rx-dtls server [--host ${DEFAULT_HOST}] [--port ${DEFAULT_SERVER_PORT}] CREDENTIALS [options]
  CREDENTIALS: any of --psk IDENTITY:KEY (once per client identity),
  --cert FILE --key FILE, --rpk-key FILE; with --require-client-auth or
  --request-client-auth, also --ca FILE and/or --trust-rpk FILE to check clients.
  Prints "listening on HOST:PORT" on standard error (--port 0 picks a free port)
  and serves until SIGINT or SIGTERM, then closes every session with close_notify.

rx-dtls client [--host ${DEFAULT_HOST}] --port PORT CREDENTIALS [options]
  CREDENTIALS: --psk IDENTITY:KEY, and/or --ca FILE or --trust-rpk FILE to
  authenticate the server (plus --cert FILE --key FILE or --rpk-key FILE, sent
  when the server asks the client for its own).
  After the handshake, sends each line of standard input as one record, its
  trailing newline included (as openssl s_client does), and writes each record
  received to standard output as it is. At the end of input, waits until no
  record has arrived for --linger ms, sends close_notify and exits.
  Exits 0 when the session ends with close_notify from either side; 1 when the
  handshake fails or times out, with the error code and message on standard error.

rx-dtls demo [--cipher NAME,...]     (pre-shared keys only)

Credentials (files are PEM; all credentials share one store, tag 0):
  --psk IDENTITY:KEY    a pre-shared key: KEY is UTF-8 text, or hex digits after "hex:"
                        (Client_identity:secretPSK is Client_identity:hex:73656372657450534b);
                        the identity ends at the first colon
  --cert FILE           our X.509 chain, leaf first; its key must be ECDSA P-256
  --key FILE            the private key of that leaf (PKCS#8 or SEC1)
  --ca FILE             roots trusted to issue the peer's chain (may be repeated;
                        a self-signed peer certificate may be its own root)
  --rpk-key FILE        our raw public key (RFC 7250): a P-256 private key, PKCS#8 or SEC1
  --trust-rpk FILE      peer raw public keys trusted, "BEGIN PUBLIC KEY" blocks
                        (may be repeated; a file may hold several)
  --server-name NAME    client: the name the server's certificate must hold
                        (default: --host)
  --require-client-auth server: clients must authenticate with a certificate or
                        raw public key in ECDHE_ECDSA handshakes
  --request-client-auth server: ask clients for one, admit those that send none
  --sni NAME=CERT,KEY   server: serve host NAME (server_name, RFC 6066) with this
                        X.509 chain and key instead of --cert/--key (may be repeated;
                        names compare without case; --psk keys serve every name)
  --sni-refuse-unknown  server: answer a name no --sni gives with a fatal
                        unrecognized_name alert instead of the default credentials

Options:
  --cipher NAME,...   cipher suites in order of preference, by IANA name; by default
                      every suite the credentials allow, in this order:
${CIPHER_SUITES.map((s) => `                        ${s.name.padEnd(SUITE_WIDTH)}  (${NEEDS[s.keyExchange]})`).join('\n')}
  --groups NAME,...   ECDHE groups in order of preference, by name or number:
                      ${GROUP_CHOICES}; default x25519,secp256r1
  --mtu N             largest datagram to send, 64 to 65507 (default 1200); handshake
                      messages larger than that go out in fragments, which some
                      peers cannot reassemble (tinydtls drops them or answers
                      handshake_failure): raise it if the handshake fails so
  --recv-buffer BYTES the UDP socket's receive buffer to ask for (SO_RCVBUF; server
                      default 4194304, client the kernel's): datagrams that arrive
                      while the process is busy wait there, beyond it they are
                      lost. Linux grants at most net.core.rmem_max and reports
                      twice what it granted; the server prints what it got
  --send-buffer BYTES the send buffer to ask for (SO_SNDBUF; default the kernel's)
  --timeout MS        client: give up on a handshake after MS ms (default ${DEFAULT_CLIENT_TIMEOUT})
  --linger MS         client: after the end of input, close once no record has
                      come for MS ms (default ${DEFAULT_LINGER})
  --dtls VERSION      1.2 (default), 1.3 (RFC 9147, with the same credentials) or any:
                      a server gives a client offering 1.3 that, others 1.2; a
                      client offers both and takes 1.2 from a server without 1.3,
                      refusing one whose answer shows 1.3 was stripped (RFC 8446
                      §4.1.3); a TLS_AES_* suite on the handshake-complete line is 1.3
  --alpn NAME,...     application protocols (ALPN, RFC 7301), most preferred first,
                      e.g. coap; a server answers a client that offers none of them
                      with no_application_protocol
  --record-size-limit N
                      the most plaintext per record the peer may send us (RFC 8449),
                      64 to 16384 (default 16384); the peer's own limit is always
                      honoured, and shown on the handshake-complete line
  --max-fragment-length N
                      client: ask for 512, 1024, 2048 or 4096-byte records both ways
                      (RFC 6066 §4), for servers without record_size_limit
  --cid ARG           Connection IDs (RFC 9146), which keep a session across a NAT
                      rebinding; server: a CID length to issue, 0 to 255 (default 4),
                      "require" (refuse clients without) or "off"; client: "offer"
                      (take none, use the server's), "require", or a length to
                      receive with a CID of our own too (default: not offered)
  --resume            client: after the handshake, close and connect again resuming
                      the session (RFC 5246 §7.3), as openssl s_client -reconnect
                      does once; the second handshake-complete line says "(resumed)"
  --sess-out FILE     client: once established, save the session to FILE (base64)
                      to resume it later with --sess-in; FILE holds the session's
                      master secret and is made readable by its owner only
  --sess-in FILE      client: resume the session saved in FILE (a server that no
                      longer knows it answers with a full handshake)
  --no-tickets        server: issue and accept no RFC 5077 session tickets; sessions
                      resume by session ID from the server's cache only
  --keylog FILE       append the session secrets to FILE in NSS key log format, for
                      Wireshark (the SSLKEYLOGFILE environment variable does the same)
  --json              events as JSON lines, one object with an "event" field each
  -h, --help          prints this text

Standard error carries the events (handshake, flights, alerts, errors); the
handshake-complete line names the peer: its PSK identity, its certificate's
subject, or the SHA-256 fingerprint of its raw public key (of the DER
SubjectPublicKeyInfo, as "openssl pkey -pubin -outform DER | sha256sum" gives).
Standard output carries only application data. Exit status 2 means a bad
command line or a key or certificate file that cannot be used.
`;
