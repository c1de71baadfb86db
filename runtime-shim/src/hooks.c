/* OCI hooks: each one a child process fed the container state on stdin,
 * watched for its exit, its output and its timeout at once (poll on a pidfd). */
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUTPUT_TAIL 4096

const char *hooks_kind_name(enum ts_hook_kind kind) {
  static const char *const names[TS_HOOK_COUNT] = {
    [TS_HOOK_PRESTART] = "prestart", [TS_HOOK_CREATE_RUNTIME] = "createRuntime",
    [TS_HOOK_CREATE_CONTAINER] = "createContainer", [TS_HOOK_START_CONTAINER] = "startContainer",
    [TS_HOOK_POSTSTART] = "poststart", [TS_HOOK_POSTSTOP] = "poststop",
  };
  return (unsigned)kind < TS_HOOK_COUNT ? names[kind] : "?";
}

/* The last OUTPUT_TAIL bytes the hook wrote (stdout and stderr). */
struct tail { char buf[OUTPUT_TAIL]; size_t len; };

static void tail_add(struct tail *t, const char *data, size_t n) {
  if (n >= sizeof t->buf) {
    memcpy(t->buf, data + n - sizeof t->buf, sizeof t->buf);
    t->len = sizeof t->buf;
    return;
  }
  if (t->len + n > sizeof t->buf) {
    size_t drop = t->len + n - sizeof t->buf;
    memmove(t->buf, t->buf + drop, t->len - drop);
    t->len -= drop;
  }
  memcpy(t->buf + t->len, data, n);
  t->len += n;
}

/* Read what is there; true when nothing more will come (EOF or error). */
static bool drain(int fd, struct tail *t) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) tail_add(t, buf, (size_t)n);
    else if (n < 0 && errno == EINTR) continue;
    else return n == 0 || errno != EAGAIN;
  }
}

static __attribute__((noreturn)) void exec_hook(const struct plan_hook *h, int in, int out) {
  char *default_argv[] = { h->path, NULL };
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  signal(SIGPIPE, SIG_DFL);
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) _exit(127);
  close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  execve(h->path, h->n_args ? h->args : default_argv, h->env);
  dprintf(2, "exec `%s`: %s", h->path, strerror(errno));
  _exit(127);
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Feed stdin, collect output, until the hook exits or the deadline passes (-1: none). 1 = exited, 0 = timed out. */
static int watch(int pidfd, int in, int out, const char *input, struct tail *t, long long deadline) {
  size_t sent = 0, len = strlen(input);
  for (;;) {
    struct pollfd fds[3] = { { pidfd, POLLIN, 0 }, { out, POLLIN, 0 }, { in, POLLOUT, 0 } };
    int timeout = deadline < 0 ? -1 : (int)(deadline > now_ms() ? deadline - now_ms() : 0);
    int n = poll(fds, in >= 0 ? 3 : 2, timeout);
    if (n < 0 && errno != EINTR) return -1;
    if (n == 0) return 0;
    if (fds[1].revents && drain(out, t)) out = -1; /* poll ignores negative fds */
    if (in >= 0 && fds[2].revents) {
      ssize_t w = send(in, input + sent, len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      /* a hook that does not read its stdin is fine: stop feeding it */
      if (w < 0 && errno != EAGAIN && errno != EINTR) sent = len;
      else if (w > 0) sent += (size_t)w;
      if (sent == len) {
        shutdown(in, SHUT_WR);
        in = -1;
      }
    }
    if (fds[0].revents) {
      if (out >= 0) drain(out, t);
      return 1;
    }
  }
}

static int run_one(const struct plan_hook *h, const char *what, const char *state_json, ts_error *err) {
  int sv[2], pipefd[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return ts_fail(err, errno, "%s: socketpair", what);
  if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0) {
    int e = errno;
    close(sv[0]), close(sv[1]);
    return ts_fail(err, e, "%s: pipe", what);
  }
  pid_t pid = fork();
  if (pid == 0) exec_hook(h, sv[1], pipefd[1]);
  int fork_errno = errno;
  close(sv[1]);
  close(pipefd[1]);
  __cleanup_close int in = sv[0];
  __cleanup_close int out = pipefd[0];
  __cleanup_close int pidfd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
  if (pid < 0 || pidfd < 0) {
    int e = pid < 0 ? fork_errno : errno;
    if (pid > 0) kill(pid, SIGKILL), waitpid(pid, NULL, 0);
    return ts_fail(err, e, "%s: start", what);
  }
  struct tail *t = calloc(1, sizeof *t);
  long long deadline = h->timeout > 0 ? now_ms() + h->timeout * 1000LL : -1;
  int r = t ? watch(pidfd, in, out, state_json, t, deadline) : -1;
  int watch_errno = t ? errno : ENOMEM;
  if (r <= 0) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (r == 0) r = ts_fail(err, 0, "%s: timed out after %d s", what, h->timeout);
  else if (r < 0) r = ts_fail(err, watch_errno, "%s: wait", what);
  else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) r = 0;
  else {
    while (t->len && (t->buf[t->len - 1] == '\n' || t->buf[t->len - 1] == ' ')) t->len--;
    char cause[64];
    if (WIFSIGNALED(status)) snprintf(cause, sizeof cause, "killed by signal %d", WTERMSIG(status));
    else snprintf(cause, sizeof cause, "exit status %d", WEXITSTATUS(status));
    r = ts_fail(err, 0, "%s: %s%s%.*s", what, cause, t->len ? ": " : "", (int)t->len, t->buf);
  }
  free(t);
  return r;
}

static int run_nth(const struct plan_hooks *hooks, enum ts_hook_kind kind, size_t i, const char *state_json, ts_error *err) {
  const struct plan_hook *h = &hooks->list[kind][i];
  char what[4200];
  snprintf(what, sizeof what, "%s hook %zu (`%s`)", hooks_kind_name(kind), i, h->path);
  return run_one(h, what, state_json, err);
}

int hooks_run(const struct plan_hooks *hooks, enum ts_hook_kind kind, const char *state_json, ts_error *err) {
  for (size_t i = 0; i < hooks->n[kind]; i++)
    if (run_nth(hooks, kind, i, state_json, err) < 0) return -1;
  return 0;
}

size_t hooks_run_all(const struct plan_hooks *hooks, enum ts_hook_kind kind, const char *state_json, hooks_warn_fn *warn, void *ctx) {
  size_t failed = 0;
  for (size_t i = 0; i < hooks->n[kind]; i++) {
    ts_error err = {0};
    if (run_nth(hooks, kind, i, state_json, &err) < 0) {
      failed++;
      warn(ctx, err.msg);
    }
  }
  return failed;
}
