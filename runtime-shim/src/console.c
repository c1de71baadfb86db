#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

/* runc's --console-socket protocol: the master fd as SCM_RIGHTS, the pty's name as the payload. */
static int send_master(int sock, int master, const char *name, ts_error *err) {
  struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
  union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
  memset(&control, 0, sizeof control);
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &master, sizeof master);
  ssize_t r;
  do r = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0) return ts_fail(err, errno, "send the console `%s` over the console socket", name);
  return 0;
}

/* /dev/console is the pty's slave, bound over an empty file. */
static int bind_console(const char *name, ts_error *err) {
  /* O_EXCL: an existing node is never opened (it could be the host's console) */
  int fd = open("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST) return ts_fail(err, errno, "create `/dev/console`");
  if (fd >= 0) close(fd);
  if (mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0) return ts_fail(err, errno, "bind `%s` onto `/dev/console`", name);
  return 0;
}

/* The caller has already called setsid(): the slave becomes the controlling
 * terminal of that new session here (TIOCSCTTY). */
static int open_console(const struct plan *p, int console_sock, bool bind_dev_console, ts_error *err) {
  if (!p->process.terminal) return 0;
  __cleanup_close int sock = console_sock;
  if (sock < 0) return ts_fail(err, EINVAL, "process.terminal needs a console socket");

  __cleanup_close int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 && errno == ENOENT) master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return ts_fail(err, errno, "open `/dev/pts/ptmx`");
  int unlock = 0;
  unsigned int n;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0) return ts_fail(err, errno, "unlock the pty");
  if (ioctl(master, TIOCGPTN, &n) < 0) return ts_fail(err, errno, "get the pty number");
  char name[32];
  snprintf(name, sizeof name, "/dev/pts/%u", n);

  /* TIOCGPTPEER opens the slave without a path lookup in a devpts the container could swap */
  int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0) return ts_fail(err, errno, "open the slave of `%s`", name);
  int r = -1;
  if (p->process.has_console_size) {
    struct winsize ws = { .ws_row = p->process.console_height, .ws_col = p->process.console_width };
    if (ioctl(slave, TIOCSWINSZ, &ws) < 0) { ts_fail(err, errno, "set the size of `%s`", name); goto out; }
  }
  if (bind_dev_console && bind_console(name, err) < 0) goto out;
  if (ioctl(slave, TIOCSCTTY, 0) < 0) { ts_fail(err, errno, "make `%s` the controlling terminal", name); goto out; }
  for (int fd = 0; fd <= 2; fd++)
    if (slave != fd && dup2(slave, fd) < 0) { ts_fail(err, errno, "dup `%s` onto fd %d", name, fd); goto out; }
  r = send_master(sock, master, name, err);
out:
  if (slave > 2) close(slave);
  return r;
}

int console_setup(const struct plan *p, int console_sock, ts_error *err) {
  return open_console(p, console_sock, true, err);
}

int console_setup_exec(const struct plan *p, int console_sock, ts_error *err) {
  return open_console(p, console_sock, false, err);
}
