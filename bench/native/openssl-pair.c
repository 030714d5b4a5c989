/*
 * The OpenSSL pair for bench/: DTLS 1.2 clients and servers on libssl itself, so the
 * reference figures are OpenSSL's and not those of process start-up (openssl s_client is
 * one process per connection) or of pipes (s_server echoes through its stdin/stdout).
 *
 *   openssl-pair handshakes <psk|ecdsa> <clients> <seconds> <cert.pem> <key.pem>
 *   openssl-pair resumptions <psk|ecdsa> <clients> <seconds> <cert.pem> <key.pem>
 *   openssl-pair echo <psk|ecdsa> <record-size> <in-flight> <seconds> <cert.pem> <key.pem>
 *
 * Like s_server, each server process serves one client at a time, with a stateless cookie
 * exchange (DTLSv1_listen); "clients" client processes each talk to their own server.
 * Prints one JSON line. Built by bench/peers/openssl-pair.ts with cc ... -lssl -lcrypto.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64
static const char *PSK_IDENTITY = "Client_identity";
static const unsigned char PSK_KEY[] = "secretPSK";
static unsigned char cookie_secret[32];
/* "resumptions": the server caches sessions and issues tickets; each client resumes its first session. */
static int resuming;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "openssl-pair: %s\n", what);
  ERR_print_errors_fp(stderr);
  exit(2);
}

static unsigned int psk_client(SSL *ssl, const char *hint, char *identity, unsigned int max_identity, unsigned char *psk, unsigned int max_psk) {
  (void)ssl;
  (void)hint;
  snprintf(identity, max_identity, "%s", PSK_IDENTITY);
  if (max_psk < sizeof PSK_KEY - 1) return 0;
  memcpy(psk, PSK_KEY, sizeof PSK_KEY - 1);
  return sizeof PSK_KEY - 1;
}

static unsigned int psk_server(SSL *ssl, const char *identity, unsigned char *psk, unsigned int max_psk) {
  (void)ssl;
  if (strcmp(identity, PSK_IDENTITY) != 0 || max_psk < sizeof PSK_KEY - 1) return 0;
  memcpy(psk, PSK_KEY, sizeof PSK_KEY - 1);
  return sizeof PSK_KEY - 1;
}

/* RFC 6347 §4.2.1: a cookie the server can check without state, here HMAC(secret, client address). */
static int cookie_of(SSL *ssl, unsigned char *out, unsigned int *len) {
  BIO_ADDR *peer = BIO_ADDR_new();
  unsigned char addr[64];
  size_t addr_len = 0;
  unsigned short port;
  BIO_dgram_get_peer(SSL_get_rbio(ssl), peer);
  BIO_ADDR_rawaddress(peer, addr, &addr_len);
  port = BIO_ADDR_rawport(peer);
  memcpy(addr + addr_len, &port, sizeof port);
  BIO_ADDR_free(peer);
  return HMAC(EVP_sha256(), cookie_secret, sizeof cookie_secret, addr, addr_len + sizeof port, out, len) != NULL;
}

static int cookie_generate(SSL *ssl, unsigned char *cookie, unsigned int *len) { return cookie_of(ssl, cookie, len); }

static int cookie_verify(SSL *ssl, const unsigned char *cookie, unsigned int len) {
  unsigned char expected[EVP_MAX_MD_SIZE];
  unsigned int expected_len;
  return cookie_of(ssl, expected, &expected_len) && expected_len == len && CRYPTO_memcmp(expected, cookie, len) == 0;
}

static SSL_CTX *context(int server, int ecdsa, const char *cert, const char *key) {
  SSL_CTX *ctx = SSL_CTX_new(server ? DTLS_server_method() : DTLS_client_method());
  if (!ctx) die("SSL_CTX_new");
  SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION);
  if (resuming) {
    /* RFC 5077 tickets (libssl's default) and its server-side cache; the client keeps its session by hand. */
    SSL_CTX_set_session_cache_mode(ctx, server ? SSL_SESS_CACHE_SERVER : SSL_SESS_CACHE_OFF);
  } else {
    /* A full handshake every time: no session ticket, no resumption. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  }
  if (!SSL_CTX_set_cipher_list(ctx, ecdsa ? "ECDHE-ECDSA-AES128-GCM-SHA256" : "PSK-AES128-CCM8")) die("cipher list");
  if (ecdsa) {
    if (!SSL_CTX_set1_groups_list(ctx, "P-256")) die("groups");
    if (server) {
      if (SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) != 1 || SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) die("certificate");
    } else {
      if (SSL_CTX_load_verify_locations(ctx, cert, NULL) != 1) die("CA file");
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    }
  } else if (server) {
    SSL_CTX_set_psk_server_callback(ctx, psk_server);
  } else {
    SSL_CTX_set_psk_client_callback(ctx, psk_client);
  }
  if (server) {
    SSL_CTX_set_cookie_generate_cb(ctx, cookie_generate);
    SSL_CTX_set_cookie_verify_cb(ctx, cookie_verify);
  }
  return ctx;
}

static int bound_socket(struct sockaddr_in *addr) {
  socklen_t len = sizeof *addr;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  memset(addr, 0, sizeof *addr);
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof *addr) != 0 || getsockname(fd, (struct sockaddr *)addr, &len) != 0) die("bind");
  return fd;
}

static void receive_timeout(int fd, int ms) {
  struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/* One client at a time, for ever: cookie exchange, handshake, echo until close_notify. */
static void serve(SSL_CTX *ctx, int fd) {
  unsigned char buf[16384];
  for (;;) {
    SSL *ssl = SSL_new(ctx);
    BIO *bio = BIO_new_dgram(fd, BIO_NOCLOSE);
    BIO_ADDR *peer = BIO_ADDR_new();
    receive_timeout(fd, 0);
    SSL_set_bio(ssl, bio, bio);
    SSL_set_options(ssl, SSL_OP_COOKIE_EXCHANGE);
    while (DTLSv1_listen(ssl, peer) <= 0) ERR_clear_error();
    /* The socket stays unconnected (sendto the peer), so a next client can reach it. */
    BIO_dgram_set_peer(bio, peer);
    /* A client that vanishes must not hold the server for ever. */
    receive_timeout(fd, 2000);
    if (SSL_accept(ssl) == 1) {
      int n;
      while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) SSL_write(ssl, buf, n);
      if (SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN) SSL_shutdown(ssl);
    }
    ERR_clear_error();
    SSL_free(ssl);
    BIO_ADDR_free(peer);
  }
}

static SSL *connect_to(SSL_CTX *ctx, const struct sockaddr_in *server, SSL_SESSION *session) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  BIO_ADDR *peer = BIO_ADDR_new();
  SSL *ssl = SSL_new(ctx);
  BIO *bio;
  if (session) SSL_set_session(ssl, session);
  if (fd < 0 || connect(fd, (const struct sockaddr *)server, sizeof *server) != 0) die("connect");
  bio = BIO_new_dgram(fd, BIO_CLOSE);
  BIO_ADDR_rawmake(peer, AF_INET, &server->sin_addr, sizeof server->sin_addr, server->sin_port);
  BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, peer);
  BIO_ADDR_free(peer);
  SSL_set_bio(ssl, bio, bio);
  if (SSL_connect(ssl) != 1) {
    ERR_clear_error();
    SSL_free(ssl);
    return NULL;
  }
  return ssl;
}

static void finish(SSL *ssl) {
  SSL_shutdown(ssl);
  SSL_free(ssl);
}

/*
 * Handshakes one after another for `seconds`; writes the count to `out`. Resuming, a full
 * handshake first (not counted), then abbreviated ones offering its session: a handshake
 * the server did not resume counts as failed.
 */
static void handshake_client(SSL_CTX *ctx, const struct sockaddr_in *server, double seconds, int out) {
  double end;
  long count = 0, failed = 0;
  SSL_SESSION *session = NULL;
  if (resuming) {
    SSL *first = connect_to(ctx, server, NULL);
    if (!first) die("first handshake");
    session = SSL_get1_session(first);
    finish(first);
  }
  end = now() + seconds;
  while (now() < end) {
    SSL *ssl = connect_to(ctx, server, session);
    if (ssl && (!resuming || SSL_session_reused(ssl))) {
      count++;
    } else {
      failed++;
    }
    if (ssl) finish(ssl);
  }
  SSL_SESSION_free(session);
  dprintf(out, "%ld %ld\n", count, failed);
}

/* Echo with `in_flight` records outstanding; writes echoed bytes, elapsed seconds and stalls. */
static void echo_client(SSL_CTX *ctx, const struct sockaddr_in *server, int size, int in_flight, double seconds, int out) {
  unsigned char payload[16384], buf[16384];
  SSL *ssl = connect_to(ctx, server, NULL);
  long bytes = 0, stalls = 0;
  int outstanding = 0;
  double start, end;
  if (!ssl) die("echo handshake");
  memset(payload, 'a', sizeof payload);
  receive_timeout(SSL_get_fd(ssl), 250);
  start = now();
  end = start + seconds;
  while (now() < end) {
    while (outstanding < in_flight) {
      SSL_write(ssl, payload, size);
      outstanding++;
    }
    int n = SSL_read(ssl, buf, sizeof buf);
    if (n > 0) {
      bytes += n;
      outstanding--;
    } else {
      /* A lost record: its slot is freed, as the Node meter does. */
      ERR_clear_error();
      stalls++;
      outstanding = 0;
    }
  }
  dprintf(out, "%ld %.6f %ld\n", bytes, now() - start, stalls);
  finish(ssl);
}

int main(int argc, char **argv) {
  int echo = argc == 8 && strcmp(argv[1], "echo") == 0;
  int handshakes = argc == 7 && (strcmp(argv[1], "handshakes") == 0 || strcmp(argv[1], "resumptions") == 0);
  resuming = handshakes && strcmp(argv[1], "resumptions") == 0;
  if (!echo && !handshakes) {
    fprintf(stderr, "usage: openssl-pair handshakes|resumptions <psk|ecdsa> <clients> <seconds> <cert> <key>\n"
                    "       openssl-pair echo <psk|ecdsa> <size> <in-flight> <seconds> <cert> <key>\n");
    return 2;
  }
  int ecdsa = strcmp(argv[2], "ecdsa") == 0;
  int clients = echo ? 1 : atoi(argv[3]);
  int size = echo ? atoi(argv[3]) : 0, in_flight = echo ? atoi(argv[4]) : 0;
  double seconds = atof(argv[echo ? 5 : 4]);
  const char *cert = argv[echo ? 6 : 5], *key = argv[echo ? 7 : 6];
  if (clients < 1 || clients > MAX_CLIENTS || seconds <= 0 || (echo && (size < 1 || size > 16384 || in_flight < 1))) die("bad arguments");
  if (RAND_bytes(cookie_secret, sizeof cookie_secret) != 1) die("RAND_bytes");
  signal(SIGPIPE, SIG_IGN);

  pid_t servers[MAX_CLIENTS], children[MAX_CLIENTS];
  struct sockaddr_in addrs[MAX_CLIENTS];
  int pipes[MAX_CLIENTS][2];
  SSL_CTX *sctx = context(1, ecdsa, cert, key), *cctx = context(0, ecdsa, cert, key);
  for (int i = 0; i < clients; i++) {
    int fd = bound_socket(&addrs[i]);
    if ((servers[i] = fork()) == 0) serve(sctx, fd);
    close(fd);
  }
  for (int i = 0; i < clients; i++) {
    if (pipe(pipes[i]) != 0) die("pipe");
    if ((children[i] = fork()) == 0) {
      close(pipes[i][0]);
      if (echo) echo_client(cctx, &addrs[i], size, in_flight, seconds, pipes[i][1]);
      else handshake_client(cctx, &addrs[i], seconds, pipes[i][1]);
      _exit(0);
    }
    close(pipes[i][1]);
  }

  long count = 0, failed = 0, bytes = 0, stalls = 0;
  double elapsed = seconds, client_cpu = 0, server_cpu = 0;
  long client_rss = 0, server_rss = 0;
  for (int i = 0; i < clients; i++) {
    char line[128] = {0};
    struct rusage usage;
    ssize_t n = read(pipes[i][0], line, sizeof line - 1);
    if (n > 0 && echo) sscanf(line, "%ld %lf %ld", &bytes, &elapsed, &stalls);
    else if (n > 0) {
      long c = 0, f = 0;
      sscanf(line, "%ld %ld", &c, &f);
      count += c;
      failed += f;
    }
    wait4(children[i], NULL, 0, &usage);
    client_cpu += usage.ru_utime.tv_sec * 1e3 + usage.ru_utime.tv_usec / 1e3 + usage.ru_stime.tv_sec * 1e3 + usage.ru_stime.tv_usec / 1e3;
    if (usage.ru_maxrss > client_rss) client_rss = usage.ru_maxrss;
  }
  for (int i = 0; i < clients; i++) {
    struct rusage usage;
    kill(servers[i], SIGTERM);
    wait4(servers[i], NULL, 0, &usage);
    server_cpu += usage.ru_utime.tv_sec * 1e3 + usage.ru_utime.tv_usec / 1e3 + usage.ru_stime.tv_sec * 1e3 + usage.ru_stime.tv_usec / 1e3;
    if (usage.ru_maxrss > server_rss) server_rss = usage.ru_maxrss;
  }
  printf("{\"count\":%ld,\"failed\":%ld,\"bytes\":%ld,\"stalls\":%ld,\"seconds\":%.6f,\"clientCpuMs\":%.1f,\"serverCpuMs\":%.1f,"
         "\"clientMaxRssKb\":%ld,\"serverMaxRssKb\":%ld}\n",
         count, failed, bytes, stalls, elapsed, client_cpu, server_cpu, client_rss, server_rss);
  return 0;
}
