#include "attach-server.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

/* Room for bursts, so that a client that is busy for a moment (a Node event
 * loop in a GC pause) is not dropped; the kernel's default is ~200 kB. */
#define ATTACH_SNDBUF (1 << 20)
/* What a client sent and nobody read, taken in before closing it. */
#define ATTACH_CLOSE_DRAIN (4 << 20)
/* Reads per client and poll round, so that one busy client cannot starve the relay. */
#define ATTACH_READS_PER_ROUND 64

void attach_frame_header(uint8_t header[ATTACH_HEADER_SIZE], enum attach_frame stream, uint32_t size) {
  header[0] = (uint8_t)stream;
  header[1] = header[2] = header[3] = 0;
  header[4] = (uint8_t)(size >> 24);
  header[5] = (uint8_t)(size >> 16);
  header[6] = (uint8_t)(size >> 8);
  header[7] = (uint8_t)size;
}

int attach_server_listen(struct attach_server *s, ts_error *err) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, TS_ATTACH_SOCK);
  s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s->listen_fd < 0) return ts_fail(err, errno, "attach socket: socket");
  unlink(TS_ATTACH_SOCK);
  /* the mode comes from the umask at bind: no moment with a wider one */
  mode_t old = umask(0177);
  int r = bind(s->listen_fd, (struct sockaddr *)&addr, sizeof addr);
  umask(old);
  if (r < 0 || listen(s->listen_fd, ATTACH_MAX_CLIENTS) < 0) return ts_fail(err, errno, "listen on `%s`", TS_ATTACH_SOCK);
  return 0;
}

static bool stdin_blocked(const struct attach_server *s) {
  return s->stdin_len > 0;
}

size_t attach_server_pollfds(const struct attach_server *s, struct pollfd *fds) {
  fds[0] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
  for (size_t i = 0; i < s->n_clients; i++) {
    const struct attach_client *c = &s->clients[i];
    bool want_input = !c->input_done && !stdin_blocked(s);
    fds[1 + i] = (struct pollfd){.fd = c->fd, .events = want_input ? POLLIN : 0};
  }
  return 1 + s->n_clients;
}

static void drop_client(struct attach_server *s, size_t i) {
  close(s->clients[i].fd);
  s->clients[i] = s->clients[--s->n_clients];
}

static uint32_t frame_size(const uint8_t h[ATTACH_HEADER_SIZE]) {
  return (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
}

static void frame_done(struct attach_server *s, struct attach_client *c) {
  if (c->header[0] == ATTACH_CLOSE_STDIN) s->close_stdin = true;
  if (c->header[0] == ATTACH_RESIZE && c->resize_len == sizeof c->resize) {
    s->rows = (uint16_t)(c->resize[0] << 8 | c->resize[1]);
    s->cols = (uint16_t)(c->resize[2] << 8 | c->resize[3]);
    s->resized = true;
  }
  c->header_len = 0;
  c->resize_len = 0;
}

/* Where the next payload bytes of c's frame go (*fill counts what is kept
 * there, NULL for bytes dropped), and how many to read; 0: none now (stdin_buf is full). */
static size_t payload_dest(struct attach_server *s, struct attach_client *c, char *scratch, size_t scratch_size, char **dest,
                           size_t **fill) {
  size_t want;
  if (c->header[0] == ATTACH_STDIN && s->stdin_open && !s->close_stdin) {
    *dest = s->stdin_buf + s->stdin_len;
    *fill = &s->stdin_len;
    want = sizeof s->stdin_buf - s->stdin_len;
  } else if (c->header[0] == ATTACH_RESIZE && c->resize_len < sizeof c->resize) {
    *dest = (char *)c->resize + c->resize_len;
    *fill = &c->resize_len;
    want = sizeof c->resize - c->resize_len;
  } else {
    *dest = scratch;
    *fill = NULL;
    want = scratch_size;
  }
  return want < c->left ? want : c->left;
}

/* Reads frames while there are bytes and room; false: drop the client. */
static bool read_client(struct attach_server *s, struct attach_client *c) {
  char scratch[1024];
  for (int round = 0; round < ATTACH_READS_PER_ROUND; round++) {
    char *dest;
    size_t want, *fill = &c->header_len;
    bool in_header = c->header_len < ATTACH_HEADER_SIZE;
    if (in_header) {
      dest = (char *)c->header + c->header_len;
      want = ATTACH_HEADER_SIZE - c->header_len;
    } else if ((want = payload_dest(s, c, scratch, sizeof scratch, &dest, &fill)) == 0) {
      return true;
    }
    ssize_t n = recv(c->fd, dest, want, MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    if (n == 0) {
      c->input_done = true;
      return true;
    }
    if (fill) *fill += (size_t)n;
    if (in_header) {
      if (c->header_len < ATTACH_HEADER_SIZE) continue;
      c->left = frame_size(c->header);
    } else {
      c->left -= (uint32_t)n;
    }
    if (c->left == 0) frame_done(s, c);
  }
  return true;
}

static void accept_clients(struct attach_server *s) {
  for (;;) {
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    if (s->n_clients == ATTACH_MAX_CLIENTS) {
      close(fd);
      continue;
    }
    int size = ATTACH_SNDBUF;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    s->clients[s->n_clients++] = (struct attach_client){.fd = fd};
  }
}

void attach_server_handle(struct attach_server *s, const struct pollfd *fds, size_t n) {
  /* backwards: dropping client i moves the last one, already handled, into its place */
  for (size_t i = n > 1 ? n - 1 : 0; i >= 1; i--) {
    struct attach_client *c = &s->clients[i - 1];
    if (i - 1 >= s->n_clients || fds[i].fd != c->fd || fds[i].revents == 0) continue;
    bool keep = !(fds[i].revents & (POLLERR | POLLNVAL));
    if (keep && (fds[i].revents & POLLIN)) keep = read_client(s, c);
    /* peer gone: kept only while its last bytes are being read, which a full stdin_buf may cut short */
    if (keep && (fds[i].revents & POLLHUP) && (c->input_done || !(fds[i].revents & POLLIN))) keep = false;
    if (!keep) drop_client(s, i - 1);
  }
  if (n > 0 && (fds[0].revents & POLLIN)) accept_clients(s);
}

/* A short send means the rest would block: the client is too slow, never the container. */
static bool send_frame(int fd, const uint8_t *header, const char *data, size_t len) {
  struct iovec iov[2] = {{(void *)header, ATTACH_HEADER_SIZE}, {(void *)data, len}};
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
  ssize_t n;
  while ((n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL)) < 0 && errno == EINTR) {}
  return n == (ssize_t)(ATTACH_HEADER_SIZE + len);
}

void attach_server_broadcast(struct attach_server *s, enum attach_frame stream, const char *data, size_t len) {
  uint8_t header[ATTACH_HEADER_SIZE];
  attach_frame_header(header, stream, (uint32_t)len);
  for (size_t i = s->n_clients; i > 0; i--)
    if (!send_frame(s->clients[i - 1].fd, header, data, len)) drop_client(s, i - 1);
}

void attach_server_close(struct attach_server *s) {
  char scratch[4096];
  for (size_t i = 0; i < s->n_clients; i++) {
    int fd = s->clients[i].fd;
    /* With input of its left unread, our close would end the client's stream
     * with ECONNRESET (after the data) instead of EOF. What is queued is at
     * most the client's send buffer; one that goes on sending gets the reset. */
    ssize_t n = 1;
    for (size_t total = 0; n > 0 && total < ATTACH_CLOSE_DRAIN; total += (size_t)n)
      n = recv(fd, scratch, sizeof scratch, MSG_DONTWAIT);
    close(fd);
  }
  s->n_clients = 0;
  if (s->listen_fd >= 0) {
    close(s->listen_fd);
    unlink(TS_ATTACH_SOCK);
  }
  s->listen_fd = -1;
}
