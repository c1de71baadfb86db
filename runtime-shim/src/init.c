#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cgroup.h"
#include "hooks.h"
#include "ns.h"
#include "plan.h"
#include "process.h"
#include "rootfs.h"
#include "shim-proto.h"
#include "stage-args.h"
#include "sync.h"
#include "trace.h"

struct init_ctx {
  struct plan *plan;
  int sync_fd;
  int console_fd;   /* -1 without --console-socket */
  int preserve_fds;
};

/* Stage 2 from rootfs to exec. Exits 127 when the exec itself fails. */
static int stage2(struct init_ctx *c, ts_error *err) {
  struct plan *p = c->plan;
  __cleanup_free char *path = NULL;
  __cleanup_free char *creating_json = NULL;
  __cleanup_free char *created_json = NULL;

  if (ns_protect_process(p, err) < 0) return -1;
  if (sync_expect(c->sync_fd, "pid-ok", NULL, err) < 0) return ts_wrap(err, "init");
  /* console_setup makes the pty our controlling terminal, which needs a new session */
  if (p->process.terminal && setsid() < 0) return ts_fail(err, errno, "setsid");

  ts_trace("stage2: rootfs start");
  if (rootfs_setup(p, err) < 0) return -1;
  ts_trace("stage2: rootfs done");
  if (sync_send(c->sync_fd, "ready", err) < 0) return -1;
  if (sync_expect(c->sync_fd, "hooks", &creating_json, err) < 0) return ts_wrap(err, "init: wait for the createRuntime hooks");
  if (hooks_run(&p->hooks, TS_HOOK_CREATE_CONTAINER, creating_json ? creating_json : "{}", err) < 0) return -1;
  if (rootfs_pivot(p, err) < 0) return -1;
  if (rootfs_finalize(p, err) < 0) return -1;
  ts_trace("stage2: pivot+finalize done");
  if (p->process.terminal) {
    int fd = c->console_fd;
    c->console_fd = -1;
    if (console_setup(p, fd, err) < 0) return -1;
  }
  if (process_prepare_exec(&p->process, &path, err) < 0) return -1;
  if (process_set_limits(&p->process, p->new_keyring, err) < 0) return -1;
  if (process_mark_cloexec(c->preserve_fds, err) < 0) return -1;
  /* without no_new_privs a filter needs CAP_SYS_ADMIN: load it while we still have it */
  if (p->seccomp && !p->process.no_new_privileges && seccomp_apply(p->seccomp, err) < 0) return -1;
  if (process_set_user(&p->process, err) < 0) return -1;

  ts_trace("stage2: created");
  if (sync_send(c->sync_fd, "created", err) < 0) return -1;
  if (sync_expect(c->sync_fd, "start", &created_json, err) < 0) return ts_wrap(err, "init: wait for start");
  if (hooks_run(&p->hooks, TS_HOOK_START_CONTAINER, created_json ? created_json : "{}", err) < 0) return -1;
  /* as late as possible, so that the filter sees only the exec */
  if (p->seccomp && p->process.no_new_privileges && seccomp_apply(p->seccomp, err) < 0) return -1;
  process_exec(&p->process, path, c->preserve_fds, err);
  err->exit_code = 127;
  return -1;
}

static int enter_user_ns(struct init_ctx *c, int fds[TS_NS_COUNT], ts_error *err) {
  const struct plan_namespace *user = plan_find_ns(c->plan, TS_NS_USER);
  if (user == NULL) return 0;
  if (user->path == NULL) {
    if (unshare(CLONE_NEWUSER) < 0) return ts_fail(err, errno, "unshare the user namespace");
    /* only a process outside the new namespace may write our maps */
    if (sync_send(c->sync_fd, "idmap", err) < 0) return -1;
    if (sync_expect(c->sync_fd, "mapped", NULL, err) < 0) return ts_wrap(err, "init: wait for the uid/gid maps");
  } else if (ns_join(c->plan, fds, true, err) < 0) {
    return -1;
  }
  if (ns_become_root(err) < 0) return -1;
  /* the uid change cleared it, leaving /proc/self owned by the host's root,
   * out of our reach for timens_offsets (see ns_protect_process) */
  if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0) return ts_fail(err, errno, "prctl PR_SET_DUMPABLE");
  return 0;
}

static int enter_namespaces(struct init_ctx *c, ts_error *err) {
  struct plan *p = c->plan;
  int fds[TS_NS_COUNT];
  if (ns_open_paths(p, fds, err) < 0) return -1;
  const struct plan_namespace *user = plan_find_ns(p, TS_NS_USER);
  bool user_first = user != NULL && user->path != NULL;
  int r = 0;
  if (user_first) r = enter_user_ns(c, fds, err);
  if (r == 0) r = ns_join(p, fds, false, err);
  if (r == 0 && !user_first) r = enter_user_ns(c, fds, err);
  ns_close_fds(fds);
  if (r < 0) return r;
  if (ns_unshare_new(p, err) < 0) return -1;
  const struct plan_namespace *time_ns = plan_find_ns(p, TS_NS_TIME);
  if (time_ns != NULL && time_ns->path == NULL && ns_write_time_offsets(p, err) < 0) return -1;
  return 0;
}

static int stage1(struct init_ctx *c, ts_error *err) {
  ts_trace("stage1: plan loaded");
  if (sync_send(c->sync_fd, "init", err) < 0) return -1;
  if (sync_expect(c->sync_fd, "go", NULL, err) < 0) return ts_wrap(err, "init: wait for the monitor");
  /* before the namespaces: a new cgroup namespace is rooted where we stand, and stage 2 inherits it */
  if (c->plan->cgroup && cgroup_enter_self(c->plan->cgroup, err) < 0) return ts_wrap(err, "init: join the cgroup");
  if (enter_namespaces(c, err) < 0) return -1;

  pid_t pid = fork();
  if (pid < 0) return ts_fail(err, errno, "fork the container init");
  if (pid == 0) {
    ts_error err2 = {0};
    stage2(c, &err2);
    sync_send_error(c->sync_fd, &err2);
    _exit(err2.exit_code ? err2.exit_code : 1);
  }
  /* fork() answered in our pid namespace, which is still the monitor's */
  if (sync_sendf(c->sync_fd, err, "pid %d", (int)pid) < 0) {
    kill(pid, SIGKILL);
    return -1;
  }
  return 0;
}

static int set_cloexec(int fd, const char *what, ts_error *err) {
  if (fd >= 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) return ts_fail(err, errno, "set close-on-exec on the %s fd %d", what, fd);
  return 0;
}

int cmd_init(int argc, char **argv) {
  ts_error err = {0};
  struct init_ctx c = {.sync_fd = -1, .console_fd = -1};
  const char *dir = stage_arg(argc, argv, "state-dir");
  if (stage_arg_int(argc, argv, "sync-fd", -1, &c.sync_fd, &err) < 0 ||
      stage_arg_int(argc, argv, "console-fd", -1, &c.console_fd, &err) < 0 ||
      stage_arg_int(argc, argv, "preserve-fds", 0, &c.preserve_fds, &err) < 0 || c.sync_fd < 0 || dir == NULL) {
    fprintf(stderr, "tsrun __init: %s\n", err.msg[0] ? err.msg : "usage: __init --state-dir DIR --sync-fd N");
    return 1;
  }
  /* neither may reach the container process or the hooks */
  if (set_cloexec(c.sync_fd, "sync", &err) < 0 || set_cloexec(c.console_fd, "console socket", &err) < 0) goto fail;
  __cleanup_free char *plan_path = NULL;
  if (asprintf(&plan_path, "%s/%s", dir, TS_PLAN_FILE) < 0) {
    ts_fail(&err, ENOMEM, "init");
    goto fail;
  }
  if (plan_load(plan_path, &c.plan, &err) < 0) goto fail;
  if (stage1(&c, &err) < 0) goto fail;
  return 0;
fail:
  sync_send_error(c.sync_fd, &err);
  return 1;
}
