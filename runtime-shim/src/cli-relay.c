#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
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
  while (r->wait_fd >= 0) {
    struct pollfd p[4] = {
      { .fd = r->sigfd, .events = POLLIN },
      { .fd = r->wait_fd, .events = POLLIN },
      { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
      { .fd = master_open ? r->master : -1, .events = POLLIN },
    };
    if (poll(p, 4, -1) < 0) {
      if (errno == EINTR) continue;
      if (raw) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
      return ts_fail(err, errno, "wait for the container's process");
    }
    if (p[0].revents) handle_signals(r);
    if (p[2].revents && !copy_once(STDIN_FILENO, r->master)) stdin_open = false;
    if (p[3].revents && !copy_once(r->master, STDOUT_FILENO)) master_open = false;
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
