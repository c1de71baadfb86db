#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "hooks.h"
#include "log.h"
#include "rootfs.h"
#include "shim-proto.h"
#include "util.h"

#define KILL_WAIT_MS 10000

/* runc's rule: ^[\w+-\.]+$ (the class is really "\w" and the range '+'..'.',
 * so ',' passes too) and the id must be a clean single path component. */
int container_validate_id(const char *id, ts_error *err) {
  if (id == NULL || *id == '\0') return ts_fail(err, 0, "container id cannot be empty");
  for (const char *p = id; *p; p++) {
    bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              (*p >= '+' && *p <= '.');
    if (!ok) return ts_fail(err, 0, "invalid container ID format");
  }
  if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0) return ts_fail(err, 0, "invalid container ID format");
  return 0;
}

int container_load(const struct cli_globals *g, const char *id, struct container **out, ts_error *err) {
  if (container_validate_id(id, err) < 0) return -1;
  struct container *c = calloc(1, sizeof *c);
  if (c == NULL || asprintf(&c->dir, "%s/%s", g->root, id) < 0) {
    free(c);
    return ts_fail(err, ENOMEM, "load container `%s`", id);
  }
  if (state_read(c->dir, &c->state, err) < 0) {
    bool missing = err->errnum == ENOENT;
    container_free(c);
    if (missing) return ts_fail(err, 0, "container does not exist");
    return ts_wrap(err, "load container `%s`", id);
  }
  char plan_path[4096];
  snprintf(plan_path, sizeof plan_path, "%s/%s", c->dir, TS_PLAN_FILE);
  ts_error perr = { 0 };
  if (plan_load(plan_path, &c->plan, &perr) < 0) {
    log_debug("container `%s` without a usable plan: %s", id, perr.msg);
    c->plan = NULL;
  }
  c->status = state_live_status(c->state, c->plan ? c->plan->cgroup : NULL);
  *out = c;
  return 0;
}

void container_free(struct container *c) {
  if (c == NULL) return;
  free(c->dir);
  state_free(c->state);
  if (c->plan) plan_free(c->plan);
  free(c);
}

int rm_rf(const char *path, ts_error *err) {
  struct stat st;
  if (lstat(path, &st) < 0) return errno == ENOENT ? 0 : ts_fail(err, errno, "stat `%s`", path);
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (d == NULL) return ts_fail(err, errno, "open directory `%s`", path);
    struct dirent *e;
    int r = 0;
    while (r == 0 && (e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char child[4096];
      snprintf(child, sizeof child, "%s/%s", path, e->d_name);
      r = rm_rf(child, err);
    }
    closedir(d);
    if (r < 0) return r;
    if (rmdir(path) < 0 && errno != ENOENT) return ts_fail(err, errno, "remove directory `%s`", path);
    return 0;
  }
  if (unlink(path) < 0 && errno != ENOENT) return ts_fail(err, errno, "remove `%s`", path);
  return 0;
}

int wait_pid_gone(pid_t pid, int timeout_ms) {
  if (pid <= 0) return 0;
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) return errno == ESRCH ? 0 : -1;
  struct pollfd p = { .fd = fd, .events = POLLIN };
  int r;
  while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {}
  close(fd);
  return r > 0 ? 0 : r == 0 ? 1 : -1;
}

static bool has_own_pid_ns(const struct plan *p) {
  const struct plan_namespace *ns = p ? plan_find_ns(p, TS_NS_PID) : NULL;
  return ns != NULL && ns->path == NULL;
}

int container_kill_wait(struct container *c, ts_error *err) {
  const struct plan_cgroup *cg = c->plan ? c->plan->cgroup : NULL;
  /* pid 0 (no init yet) must never reach kill(): it would mean our own process group */
  if (c->state->pid > 0 && strcmp(c->status, "stopped") != 0 && kill(c->state->pid, SIGKILL) < 0 && errno != ESRCH)
    return ts_fail(err, errno, "kill the container's init (pid %d)", (int)c->state->pid);
  /* Without its own pid namespace the init's death does not take the others along. */
  if (cg != NULL && !has_own_pid_ns(c->plan)) {
    ts_error kerr = { 0 };
    if (cgroup_kill_all(cg, SIGKILL, &kerr) < 0) log_warn("%s", kerr.msg);
  }
  /* a frozen (v1) task only dies once thawed */
  if (cg != NULL && strcmp(c->status, "paused") == 0) {
    ts_error ferr = { 0 };
    if (cgroup_freeze(cg, false, &ferr) < 0) log_warn("%s", ferr.msg);
  }
  /* The monitor records the exit and leaves; if it died itself, the init's end is enough. */
  pid_t waited = c->state->monitor_pid > 0 && kill(c->state->monitor_pid, 0) == 0 ? c->state->monitor_pid : c->state->pid;
  int r = wait_pid_gone(waited, KILL_WAIT_MS);
  if (r == 1) return ts_fail(err, 0, "container init still running");
  if (waited != c->state->pid && wait_pid_gone(c->state->pid, KILL_WAIT_MS) == 1)
    return ts_fail(err, 0, "container init still running");
  return 0;
}

static void warn_hook(void *ctx, const char *msg) {
  (void)ctx;
  log_warn("%s", msg);
}

int container_destroy(struct container *c, ts_error *err) {
  struct plan *p = c->plan;
  if (p != NULL && p->hooks.n[TS_HOOK_POSTSTOP] > 0) {
    __cleanup_free char *json = state_to_oci_json(c->state, "stopped");
    hooks_run_all(&p->hooks, TS_HOOK_POSTSTOP, json, warn_hook, NULL);
  }
  if (p != NULL && p->cgroup != NULL) {
    if (!has_own_pid_ns(p)) {
      ts_error kerr = { 0 };
      if (cgroup_kill_all(p->cgroup, SIGKILL, &kerr) < 0) log_debug("%s", kerr.msg);
    }
    if (cgroup_destroy(p->cgroup, err) < 0) return ts_wrap(err, "delete container `%s`", c->state->id);
  }
  if (p != NULL && rootfs_in_host_mount_ns(p) && rootfs_unmount_all(p->rootfs, err) < 0)
    return ts_wrap(err, "delete container `%s`", c->state->id);
  return rm_rf(c->dir, err);
}
