#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "hooks.h"
#include "memfd-exec.h"
#include "monitor-internal.h"
#include "ns.h"
#include "plan.h"
#include "rootfs.h"
#include "shim-proto.h"
#include "stage-args.h"
#include "sync.h"
#include "util.h"
#include "trace.h"

struct create_args {
  int front_sync;      /* the front end's sync fd */
  int console_fd;      /* connected --console-socket, -1 if none */
  int preserve_fds;
  pid_t stage1;        /* until it has exited */
};

int monitor_write_state(struct monitor *m, const char *status, ts_error *err) {
  m->state.status = (char *)status;
  return state_write(m->state_dir, &m->state, err);
}

static char *annotations_json(const struct plan *p) {
  json_object *o = json_object_new_object();
  for (size_t i = 0; i < p->n_annotations; i++)
    json_object_object_add(o, p->annotations[i].key, json_object_new_string(p->annotations[i].value));
  char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
  json_object_put(o);
  return s;
}

static int init_state(struct monitor *m, const struct plan *p, ts_error *err) {
  struct ts_state *s = &m->state;
  s->oci_version = strdup(p->oci_version);
  s->id = strdup(p->id);
  s->bundle = strdup(p->bundle);
  s->rootfs = strdup(p->rootfs);
  s->owner = strdup("");
  s->created = malloc(48);
  s->annotations_json = annotations_json(p);
  s->monitor_pid = getpid();
  if (!s->oci_version || !s->id || !s->bundle || !s->rootfs || !s->owner || !s->created || !s->annotations_json)
    return ts_fail(err, ENOMEM, "monitor state");
  return 0;
}

/* The forked child: becomes stage 1 by exec'ing the sealed copy of this binary. */
static void exec_stage1(struct monitor *m, int init_end, const struct create_args *a) {
  ts_error err = {0};
  char sync_s[16], console_s[16], preserve_s[16];
  snprintf(sync_s, sizeof sync_s, "%d", init_end);
  snprintf(console_s, sizeof console_s, "%d", a->console_fd);
  snprintf(preserve_s, sizeof preserve_s, "%d", a->preserve_fds);
  char *argv[] = {"tsrun", "__init", "--state-dir", (char *)m->state_dir, "--sync-fd", sync_s,
                  "--preserve-fds", preserve_s, "--console-fd", console_s, NULL};
  if (a->console_fd < 0) argv[8] = NULL;
  if (fcntl(init_end, F_SETFD, 0) < 0 || (a->console_fd >= 0 && fcntl(a->console_fd, F_SETFD, 0) < 0))
    ts_fail(&err, errno, "clear close-on-exec for the init");
  else if (m->io && monitor_io_child_stdio(m->io) < 0)
    ts_fail(&err, errno, "set up the container's stdio");
  else
    memfd_exec_self(argv, &err);
  sync_send_error(init_end, &err);
  _exit(1);
}

/* The container's stdio, preserved fds and whatever else the caller left open
 * belong to the init: holding them would keep the caller's pipes open for as
 * long as the container lives. Keeps only the fds in keep (sorted here): the
 * two sync fds and, in daemon mode, the log and our ends of the container's stdio. */
static void drop_inherited_fds(int *keep, size_t n) {
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd < 3 && null >= 0; fd++) dup2(null, fd);
  if (null > 2) close(null);
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  int next = 3;
  for (size_t i = 0; i < n; i++) {
    if (keep[i] < next) continue;
    if (keep[i] > next) close_range((unsigned)next, (unsigned)keep[i] - 1, 0);
    next = keep[i] + 1;
  }
  close_range((unsigned)next, ~0U, 0);
}

static int run_create_hooks(struct monitor *m, const struct plan *p, ts_error *err) {
  now_rfc3339(m->state.created, 48);
  if (monitor_write_state(m, "creating", err) < 0) return -1;
  __cleanup_free char *json = state_to_oci_json(&m->state, "creating");
  if (json == NULL) return ts_fail(err, ENOMEM, "state JSON");
  if (hooks_run(&p->hooks, TS_HOOK_PRESTART, json, err) < 0) return -1;
  if (hooks_run(&p->hooks, TS_HOOK_CREATE_RUNTIME, json, err) < 0) return -1;
  return sync_sendf(m->init_sync, err, "hooks %s", json);
}

/* Walks the init through the sync protocol (sync.h) up to "created". */
static int create_container(struct monitor *m, const struct plan *p, struct create_args *a, ts_error *err) {
  int sv[2];
  if (sync_socketpair(sv, err) < 0) return -1;
  m->init_sync = sv[0];
  pid_t pid = fork();
  if (pid < 0) return ts_fail(err, errno, "fork the container init");
  if (pid == 0) exec_stage1(m, sv[1], a);
  a->stage1 = pid;
  close(sv[1]);
  if (a->console_fd >= 0) close(a->console_fd);
  a->console_fd = -1;
  int keep[2 + MONITOR_IO_MAX_KEEP] = {a->front_sync, m->init_sync};
  size_t n_keep = 2 + (m->io ? monitor_io_after_fork(m->io, keep + 2) : 0);
  drop_inherited_fds(keep, n_keep);

  /* stage 1 moves itself into the cgroup (cgroup_enter_self), which the monitor made */
  if (sync_expect(m->init_sync, "init", NULL, err) < 0) return ts_wrap(err, "start the container init");
  if (sync_send(m->init_sync, "go", err) < 0) return -1;

  __cleanup_free char *msg = NULL;
  int r = sync_recv(m->init_sync, &msg, err);
  if (r > 0 && strcmp(msg, "idmap") == 0) {
    if (ns_write_id_maps(pid, p, err) < 0 || sync_send(m->init_sync, "mapped", err) < 0) return -1;
    free(msg);
    r = sync_recv(m->init_sync, &msg, err);
  }
  if (r < 0) return -1;
  int init_pid = 0;
  if (r == 0 || sscanf(msg, "pid %d", &init_pid) != 1 || init_pid <= 0)
    return ts_fail(err, EPROTO, "the container init did not report its pid (got `%.64s`)", r ? msg : "EOF");
  m->state.pid = init_pid;
  waitpid(pid, NULL, 0);
  a->stage1 = 0;
  if (sync_send(m->init_sync, "pid-ok", err) < 0) return -1;

  if (sync_expect(m->init_sync, "ready", NULL, err) < 0) return -1;
  if (run_create_hooks(m, p, err) < 0) return -1;
  if (sync_expect(m->init_sync, "created", NULL, err) < 0) return -1;
  ts_trace("monitor: created");
  if (m->io && monitor_io_take_console(m->io, err) < 0) return -1;
  m->state.init_start_time = proc_start_time(init_pid);
  return monitor_write_state(m, "created", err);
}

static void abort_create(struct monitor *m, const struct plan *p, struct create_args *a) {
  ts_error ignored = {0};
  if (a->stage1 > 0) kill(a->stage1, SIGKILL);
  if (m->state.pid > 0) kill(m->state.pid, SIGKILL);
  if (p->cgroup) cgroup_kill_all(p->cgroup, SIGKILL, &ignored);
  if (a->stage1 > 0) waitpid(a->stage1, NULL, 0);
  if (m->state.pid > 0 && !m->handoff) waitpid(m->state.pid, NULL, 0);
  if (p->cgroup) cgroup_destroy(p->cgroup, &ignored);
  if (rootfs_in_host_mount_ns(p)) rootfs_unmount_all(p->rootfs, &ignored);
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", m->state_dir, TS_STATE_FILE);
  unlink(path);
}

/* The front end double-forks us and exits in between; an orphan goes to its
 * nearest subreaper ancestor. We were adopted by the caller of `tsrun create`
 * exactly when that caller is a subreaper: a container manager that reaps the
 * init itself (--caller-pid), as containerd's shim and conmon do with runc. */
static int detect_handoff(int argc, char **argv, bool *handoff, ts_error *err) {
  int caller = 0, forker = 0;
  if (stage_arg_int(argc, argv, "caller-pid", 0, &caller, err) < 0 ||
      stage_arg_int(argc, argv, "forker-pid", 0, &forker, err) < 0)
    return -1;
  for (int i = 0; forker > 0 && getppid() == forker && i < 2000; i++) usleep(500);
  if (forker > 0 && getppid() == forker) return ts_fail(err, ETIMEDOUT, "wait for the front end's fork to exit");
  *handoff = caller > 1 && getppid() == caller;
  return 0;
}

/* The container's stdio: the caller's, with --console-socket for a terminal;
 * in daemon mode ours (monitor-io.h), the pty included. */
static int setup_stdio(int argc, char **argv, struct monitor *m, struct create_args *a, const struct plan *p, ts_error *err) {
  struct monitor_io_opts o;
  if (monitor_io_args(argc, argv, &o, err) < 0) return -1;
  const char *console = stage_arg(argc, argv, "console-socket");
  if (o.log_path == NULL) {
    if (p->process.terminal && console == NULL)
      return ts_fail(err, 0, "process.terminal is set but no console socket was given");
    if (console && (a->console_fd = unix_connect(console, SOCK_STREAM, err)) < 0) return ts_wrap(err, "console socket");
    return 0;
  }
  if (console) return ts_fail(err, 0, "a console socket cannot be used with --log-path: the monitor holds the terminal");
  o.terminal = p->process.terminal;
  return monitor_io_open(&m->io, &o, &a->console_fd, err);
}

static int setup_monitor(int argc, char **argv, struct monitor *m, struct create_args *a, struct plan **p, ts_error *err) {
  m->state_dir = stage_arg(argc, argv, "state-dir");
  if (m->state_dir == NULL) return ts_fail(err, 0, "__monitor: missing --state-dir");
  if (stage_arg_int(argc, argv, "preserve-fds", 0, &a->preserve_fds, err) < 0) return -1;
  /* already forked by the front end, so not a group leader; EPERM means we already lead */
  if (setsid() < 0 && errno != EPERM) return ts_fail(err, errno, "setsid");
  if (detect_handoff(argc, argv, &m->handoff, err) < 0) return -1;
  /* the monitor must stay to relay the stdio it holds */
  if (stage_arg(argc, argv, "log-path")) m->handoff = false;
  if (!m->handoff && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) return ts_fail(err, errno, "prctl PR_SET_CHILD_SUBREAPER");
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return ts_fail(err, errno, "prctl PR_SET_DUMPABLE");

  char path[4096];
  snprintf(path, sizeof path, "%s/%s", m->state_dir, TS_PLAN_FILE);
  if (plan_load(path, p, err) < 0) return -1;
  if (init_state(m, *p, err) < 0) return -1;
  if (setup_stdio(argc, argv, m, a, *p, err) < 0) return -1;
  if ((*p)->cgroup && cgroup_create((*p)->cgroup, err) < 0) return -1;
  ts_trace("monitor: cgroup created");
  return 0;
}

int cmd_monitor(int argc, char **argv) {
  ts_error err = {0};
  struct monitor m = {.init_sync = -1, .listen_fd = -1};
  struct create_args a = {.front_sync = -1, .console_fd = -1};
  struct plan *p = NULL;
  if (stage_arg_int(argc, argv, "sync-fd", -1, &a.front_sync, &err) < 0 || a.front_sync < 0) {
    fprintf(stderr, "tsrun __monitor: %s\n", err.msg[0] ? err.msg : "missing --sync-fd");
    return 1;
  }
  /* hooks and the init must not hold the front end's pipe open */
  fcntl(a.front_sync, F_SETFD, FD_CLOEXEC);
  /* nor the server's sealed copy: stage 1 is exec'd from it, and
   * drop_inherited_fds closes it once stage 1 is forked */
  memfd_shared_exe();
  stage_reset_signals();

  ts_trace("monitor: start");
  if (setup_monitor(argc, argv, &m, &a, &p, &err) < 0 || create_container(&m, p, &a, &err) < 0 ||
      monitor_listen(&m, &err) < 0) {
    if (p) abort_create(&m, p, &a);
    if (m.listen_fd >= 0) unlink(TS_SHIM_SOCK);
    if (a.console_fd >= 0) close(a.console_fd);
    monitor_io_close(m.io);
    ts_error ignored = {0};
    sync_write_line(a.front_sync, &ignored, "error %s\n", err.msg);
    return 1;
  }
  m.poststart_hooks = p->hooks.n[TS_HOOK_POSTSTART] > 0;
  plan_free(p);
  ts_error ignored = {0};
  sync_write_line(a.front_sync, &ignored, "ok %d\n", (int)m.state.pid);
  close(a.front_sync);
  monitor_shrink();
  return monitor_serve(&m, &err) < 0 ? 1 : 0;
}
