#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

/* What a foreground runc passes on to the container (SIGCHLD and SIGWINCH are ours). */
static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGCONT, SIGTSTP, SIGPWR };

int relay_block_signals(ts_error *err) {
  sigset_t set;
  sigemptyset(&set);
  for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) sigaddset(&set, forwarded[i]);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGWINCH);
  if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) return ts_fail(err, errno, "block signals");
  int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return ts_fail(err, errno, "create a signalfd");
  return fd;
}

static void copy_winsize(int master) {
  struct winsize ws;
  if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
}

/* TSRUN_RESIZE_FD=N: a caller without a terminal of its own (tsd) sends the
 * size as "ROWS COLS\n" lines on fd N instead of SIGWINCH. -1 when unset. */
static int resize_fd(void) {
  const char *v = getenv("TSRUN_RESIZE_FD");
  if (v == NULL || *v == '\0') return -1;
  char *end = NULL;
  long fd = strtol(v, &end, 10);
  if (*end != '\0' || fd < 3 || fd > 1024 || fcntl((int)fd, F_GETFD) < 0) return -1;
  fcntl((int)fd, F_SETFD, FD_CLOEXEC);
  return (int)fd;
}

/* false once the resize channel is closed */
static bool apply_resizes(int fd, int master, char *buf, size_t *len, size_t cap) {
  ssize_t n = read(fd, buf + *len, cap - 1 - *len);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  *len += (size_t)n;
  buf[*len] = '\0';
  char *line = buf, *nl;
  while ((nl = strchr(line, '\n')) != NULL) {
    *nl = '\0';
    unsigned rows = 0, cols = 0;
    if (sscanf(line, "%u %u", &rows, &cols) == 2 && rows <= 0xffff && cols <= 0xffff) {
      struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
      ioctl(master, TIOCSWINSZ, &ws);
    }
    line = nl + 1;
  }
  *len = strlen(line);
  memmove(buf, line, *len);
  if (*len >= cap - 1) *len = 0; /* a line that long is garbage */
  return true;
}

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, buf, len);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) {
      struct pollfd p = { .fd = fd, .events = POLLOUT };
      poll(&p, 1, -1);
      continue;
    }
    if (w < 0) return -1;
    buf += w;
    len -= (size_t)w;
  }
  return 0;
}

/* false once the source is done (EOF or error) */
static bool copy_once(int from, int to) {
  char buf[16384];
  ssize_t n = read(from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  return write_all(to, buf, (size_t)n) == 0;
}

static void handle_signals(struct relay *r) {
  struct signalfd_siginfo si;
  while (read(r->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
    if (si.ssi_signo == SIGCHLD) continue;  /* the wait fd tells */
    if (si.ssi_signo == SIGWINCH) {
      if (r->master >= 0) copy_winsize(r->master);
      continue;
    }
    if (r->signal_target > 0) kill(r->signal_target, (int)si.ssi_signo);
  }
}

int relay_run(struct relay *r, ts_error *err) {
  struct termios saved;
  bool raw = r->master >= 0 && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (raw) {
    struct termios t = saved;
    cfmakeraw(&t);
    tcsetattr(STDIN_FILENO, TCSANOW, &t);
  }
  if (r->master >= 0) {
    copy_winsize(r->master);
    fcntl(r->master, F_SETFL, fcntl(r->master, F_GETFL) | O_NONBLOCK);
  }
  bool stdin_open = r->master >= 0, master_open = r->master >= 0;
  int resize = r->master >= 0 ? resize_fd() : -1;
  char resize_buf[64];
  size_t resize_len = 0;
  while (r->wait_fd >= 0) {
    struct pollfd p[5] = {
      { .fd = r->sigfd, .events = POLLIN },
      { .fd = r->wait_fd, .events = POLLIN },
      { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
      { .fd = master_open ? r->master : -1, .events = POLLIN },
      { .fd = resize, .events = POLLIN },
    };
    if (poll(p, 5, -1) < 0) {
      if (errno == EINTR) continue;
      if (raw) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
      return ts_fail(err, errno, "wait for the container's process");
    }
    if (p[0].revents) handle_signals(r);
    if (p[2].revents && !copy_once(STDIN_FILENO, r->master)) stdin_open = false;
    if (p[3].revents && !copy_once(r->master, STDOUT_FILENO)) master_open = false;
    if (p[4].revents && !apply_resizes(resize, r->master, resize_buf, &resize_len, sizeof resize_buf)) resize = -1;
    if (p[1].revents) break;
  }
  /* what the process wrote just before it exited is still in the pty */
  while (master_open && copy_once(r->master, STDOUT_FILENO)) {
    struct pollfd p = { .fd = r->master, .events = POLLIN };
    if (poll(&p, 1, 0) <= 0) break;
  }
  if (raw) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  return 0;
}
