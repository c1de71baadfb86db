/* recvtty SOCKET: the other end of `tsrun create --console-socket SOCKET`, for
 * tests. Listens on SOCKET, receives the pty master (SCM_RIGHTS) and copies
 * what the container writes to its terminal to stdout until the pty closes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int receive_fd(int conn) {
  char byte;
  struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
  union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } u;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  if (recvmsg(conn, &msg, 0) < 0) return -1;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (c == NULL || c->cmsg_type != SCM_RIGHTS) { errno = EPROTO; return -1; }
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: recvtty SOCKET\n"); return 2; }
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen(argv[1]) >= sizeof addr.sun_path) { fprintf(stderr, "recvtty: socket path too long\n"); return 2; }
  strcpy(addr.sun_path, argv[1]);
  int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink(argv[1]);
  if (srv < 0 || bind(srv, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(srv, 1) < 0) {
    perror("recvtty: listen"); return 1;
  }
  printf("ready\n");
  fflush(stdout);
  int conn = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
  int master = conn < 0 ? -1 : receive_fd(conn);
  if (master < 0) { perror("recvtty: receive the pty master"); return 1; }
  char buf[4096];
  for (;;) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; /* EIO once the container side of the pty is closed */
    if (write(STDOUT_FILENO, buf, (size_t)n) < 0) return 1;
  }
  return 0;
}
