#include "sync.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int sync_socketpair(int fds[2], ts_error *err) {
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return ts_fail(err, errno, "create the sync socketpair");
  return 0;
}

int sync_send(int fd, const char *msg, ts_error *err) {
  size_t len = strlen(msg);
  ssize_t w;
  do
    w = send(fd, msg, len, MSG_NOSIGNAL);
  while (w < 0 && errno == EINTR);
  if (w < 0) return ts_fail(err, errno, "send `%.32s` on the sync socket", msg);
  return 0;
}

int sync_sendf(int fd, ts_error *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  __cleanup_free char *msg = NULL;
  int n = vasprintf(&msg, fmt, ap);
  va_end(ap);
  if (n < 0) return ts_fail(err, ENOMEM, "format a sync message");
  return sync_send(fd, msg, err);
}

void sync_send_error(int fd, const ts_error *e) {
  ts_error ignored = {0};
  sync_sendf(fd, &ignored, "error %s", e->msg);
}

int sync_recv(int fd, char **msg, ts_error *err) {
  *msg = NULL;
  ssize_t len;
  do
    len = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
  while (len < 0 && errno == EINTR);
  if (len < 0) {
    /* the peer exec'd or died with unread data: as good as EOF */
    if (errno == ECONNRESET) return 0;
    return ts_fail(err, errno, "receive on the sync socket");
  }
  char *buf = malloc((size_t)len + 1);
  if (buf == NULL) return ts_fail(err, ENOMEM, "receive on the sync socket");
  ssize_t r;
  do
    r = recv(fd, buf, (size_t)len, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    int e = errno;
    free(buf);
    return ts_fail(err, e, "receive on the sync socket");
  }
  if (r == 0) {
    free(buf);
    return 0;
  }
  /* lines written with sync_write_line arrive with their newline */
  if (r > 1 && buf[r - 1] == '\n') r--;
  buf[r] = '\0';
  if (strncmp(buf, "error ", 6) == 0) {
    ts_fail(err, 0, "%s", buf + 6);
    free(buf);
    return -1;
  }
  *msg = buf;
  return (int)r;
}

int sync_expect(int fd, const char *want, char **payload, ts_error *err) {
  __cleanup_free char *msg = NULL;
  if (payload) *payload = NULL;
  int r = sync_recv(fd, &msg, err);
  if (r < 0) return r;
  if (r == 0) return ts_fail(err, 0, "the other side exited before sending `%s`", want);
  size_t n = strlen(want);
  if (strncmp(msg, want, n) != 0 || (msg[n] != '\0' && msg[n] != ' '))
    return ts_fail(err, EPROTO, "expected `%s` on the sync socket, got `%.64s`", want, msg);
  if (payload && msg[n] == ' ' && (*payload = strdup(msg + n + 1)) == NULL)
    return ts_fail(err, ENOMEM, "receive `%s`", want);
  return 0;
}

ssize_t write_nosigpipe(int fd, const void *buf, size_t len) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigprocmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t w = write(fd, buf, len);
  int e = errno;
  if (w < 0 && e == EPIPE) {
    /* consume the SIGPIPE raised while blocked, so unblocking does not deliver it */
    struct timespec zero = {0, 0};
    sigtimedwait(&pipe_set, NULL, &zero);
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  errno = e;
  return w;
}

int sync_write_line(int fd, ts_error *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  __cleanup_free char *line = NULL;
  int n = vasprintf(&line, fmt, ap);
  va_end(ap);
  if (n < 0) return ts_fail(err, ENOMEM, "format a sync line");

  ssize_t w;
  do
    w = write_nosigpipe(fd, line, (size_t)n);
  while (w < 0 && errno == EINTR);
  int e = errno;
  if (w < 0) return ts_fail(err, e, "write `%.*s` to the sync fd %d", n > 0 ? n - 1 : 0, line, fd);
  if (w != n) return ts_fail(err, EIO, "short write to the sync fd %d", fd);
  return 0;
}

int unix_connect(const char *path, int type, ts_error *err) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return ts_fail(err, ENAMETOOLONG, "connect to `%s`", path);
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return ts_fail(err, errno, "connect to `%s`: socket", path);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int e = errno;
    close(fd);
    return ts_fail(err, e, "connect to `%s`", path);
  }
  return fd;
}

int unix_recv_fd(int sock, ts_error *err) {
  char byte;
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } ctl;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
  ssize_t n;
  while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {}
  if (n < 0) return ts_fail(err, errno, "receive the console's master fd");
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
    return ts_fail(err, 0, "receive the console's master fd: no fd in the message");
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}
