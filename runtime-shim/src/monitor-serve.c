/* The monitor's life after create: one poll loop over the control socket, a
 * SIGCHLD signalfd and, in daemon mode, the container's stdio and the attach
 * clients (monitor-io.h). Requests are served one at a time; the monitor keeps
 * no plan in memory (it reloads it for the poststart hooks) so that it stays
 * small for the container's whole life. */
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks.h"
#include "monitor-internal.h"
#include "plan.h"
#include "shim-proto.h"
#include "sync.h"
#include "util.h"

/* A client that connects and says nothing must not wedge the monitor. */
#define TS_REQUEST_TIMEOUT_S 10

int monitor_listen(struct monitor *m, ts_error *err) {
  /* relative to the state dir, so long state dirs still fit sun_path */
  if (chdir(m->state_dir) < 0) return ts_fail(err, errno, "chdir to `%s`", m->state_dir);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, TS_SHIM_SOCK);
  m->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (m->listen_fd < 0) return ts_fail(err, errno, "control socket: socket");
  unlink(TS_SHIM_SOCK);
  if (bind(m->listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(m->listen_fd, 16) < 0)
    return ts_fail(err, errno, "listen on `%s/%s`", m->state_dir, TS_SHIM_SOCK);
  if (m->io && monitor_io_listen(m->io, err) < 0) return ts_wrap(err, "state dir `%s`", m->state_dir);
  return 0;
}

/* from the default linker script: the ELF headers and the text */
extern char __executable_start[], etext[];

void monitor_shrink(void) {
  malloc_trim(0);
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  uintptr_t start = (uintptr_t)__executable_start & ~(page - 1);
  uintptr_t end = ((uintptr_t)etext + page - 1) & ~(page - 1);
  madvise((void *)start, end - start, MADV_DONTNEED);
}

struct warnings { char text[TS_ERR_MSG_MAX]; size_t len; };

static void add_warning(void *ctx, const char *msg) {
  struct warnings *w = ctx;
  int n = snprintf(w->text + w->len, sizeof w->text - w->len, "%s%s", w->len ? "; " : "", msg);
  if (n > 0) w->len = w->len + (size_t)n < sizeof w->text ? w->len + (size_t)n : sizeof w->text - 1;
}

/* Poststart hook failures are warnings (runtime-spec), never a failed start:
 * every hook runs, and the failures go back to `start` to print. */
static void run_poststart(struct monitor *m, struct warnings *w) {
  if (!m->poststart_hooks) return;
  ts_error err = {0};
  struct plan *p = NULL;
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", m->state_dir, TS_PLAN_FILE);
  if (plan_load(path, &p, &err) == 0 && p->hooks.n[TS_HOOK_POSTSTART] > 0) {
    __cleanup_free char *json = state_to_oci_json(&m->state, "running");
    /* hooks fork and wait: they must see SIGCHLD's default behaviour */
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_UNBLOCK, &chld, &old);
    if (json) hooks_run_all(&p->hooks, TS_HOOK_POSTSTART, json, add_warning, w);
    sigprocmask(SIG_SETMASK, &old, NULL);
  }
  plan_free(p);
}

static int start_container(struct monitor *m, struct warnings *w, ts_error *err) {
  if (m->init_sync < 0 || strcmp(m->state.status, "created") != 0)
    return ts_fail(err, 0, "cannot start a container that is %s", m->state.status);
  __cleanup_free char *json = state_to_oci_json(&m->state, "created");
  if (json == NULL) return ts_fail(err, ENOMEM, "state JSON");
  int r = sync_sendf(m->init_sync, err, "start %s", json);
  __cleanup_free char *msg = NULL;
  if (r == 0) r = sync_recv(m->init_sync, &msg, err);
  /* the init's end is close-on-exec: EOF means the container process runs */
  close(m->init_sync);
  m->init_sync = -1;
  if (r < 0) return ts_wrap(err, "start");
  if (r > 0) return ts_fail(err, EPROTO, "start: unexpected `%.64s` from the init", msg);
  if (m->handoff) m->state.monitor_pid = 0;
  if (monitor_write_state(m, "running", err) < 0) return -1;
  run_poststart(m, w);
  return 0;
}

static void serve_request(struct monitor *m, int conn) {
  struct timeval tv = {.tv_sec = TS_REQUEST_TIMEOUT_S};
  setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char req[64];
  ssize_t n = recv(conn, req, sizeof req - 1, 0);
  if (n <= 0) return;
  req[n] = '\0';
  ts_error err = {0};
  struct warnings w = {0};
  int r;
  if (strcmp(req, "start") == 0)
    r = start_container(m, &w, &err);
  else
    r = ts_fail(&err, 0, "unknown request `%s`", req);
  if (r == 0 && w.len > 0)
    sync_sendf(conn, &err, "ok %s", w.text);
  else if (r == 0)
    sync_send(conn, "ok", &err);
  else
    sync_sendf(conn, &err, "error %s", err.msg);
  /* after the answer: `start` need not wait for it */
  if (r == 0) monitor_shrink();
}

/* Reap every child (we are a subreaper); true once the init is gone. */
static bool reap_children(struct monitor *m) {
  bool init_gone = false;
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid != m->state.pid) continue;
    init_gone = true;
    m->state.has_exit = true;
    if (WIFSIGNALED(status)) {
      m->state.exit_signal = WTERMSIG(status);
      m->state.exit_code = 128 + WTERMSIG(status);
    } else {
      m->state.exit_code = WEXITSTATUS(status);
    }
  }
  return init_gone;
}

static int record_exit(struct monitor *m, ts_error *err) {
  char finished[48];
  now_rfc3339(finished, sizeof finished);
  m->state.finished_at = finished;
  int r = monitor_write_state(m, "stopped", err);
  m->state.finished_at = NULL;
  return r;
}

/* Handoff mode: the init is the caller's child, not ours. Serve until it has
 * started; if it dies first, its end of the sync socket says so. Its exit
 * status is the caller's to reap: state.json keeps none, and readers see
 * "stopped" from the pid being gone. */
static int serve_handoff(struct monitor *m, ts_error *err) {
  __cleanup_close int lfd = m->listen_fd;
  while (m->init_sync >= 0) {
    struct pollfd fds[2] = {{.fd = m->init_sync, .events = POLLIN}, {.fd = lfd, .events = POLLIN}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return ts_fail(err, errno, "poll");
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      close(m->init_sync);
      m->init_sync = -1;
      m->state.monitor_pid = 0;
      if (monitor_write_state(m, "stopped", err) < 0) return -1;
      break;
    }
    if (fds[1].revents & POLLIN) {
      int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
      if (conn >= 0) {
        serve_request(m, conn);
        close(conn);
      }
    }
  }
  unlink(TS_SHIM_SOCK);
  return 0;
}

int monitor_serve(struct monitor *m, ts_error *err) {
  if (m->handoff) return serve_handoff(m, err);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  __cleanup_close int sfd = signalfd(-1, &chld, SFD_CLOEXEC);
  if (sfd < 0) return ts_fail(err, errno, "signalfd");
  __cleanup_close int lfd = m->listen_fd;

  /* the init may have died before SIGCHLD was blocked */
  bool done = reap_children(m);
  while (!done) {
    struct pollfd fds[2 + MONITOR_IO_MAX_POLLFDS] = {{.fd = sfd, .events = POLLIN}, {.fd = lfd, .events = POLLIN}};
    size_t n = 2 + (m->io ? monitor_io_pollfds(m->io, fds + 2) : 0);
    if (poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      return ts_fail(err, errno, "poll");
    }
    if (fds[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) < 0 && errno == EINTR) {}
    }
    if (m->io) monitor_io_handle(m->io, fds + 2, n - 2);
    if (fds[1].revents & POLLIN) {
      int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
      if (conn >= 0) {
        serve_request(m, conn);
        close(conn);
      }
    }
    done = reap_children(m);
  }
  if (m->io) monitor_io_drain(m->io);
  int r = record_exit(m, err);
  unlink(TS_SHIM_SOCK);
  /* after state.json: a client that sees EOF finds the exit status there */
  monitor_io_close(m->io);
  m->io = NULL;
  return r;
}
