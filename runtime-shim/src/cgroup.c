/* The cgroup facade: what v1 and v2 share (dirs, writes, cgroup.procs, rmdir),
 * dispatching the rest to the version's ops (cgroup-v1.c, cgroup-v2.c). */
#include "cgroup.h"
#include "cgroup-internal.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DESTROY_TIMEOUT_MS 1000

static const struct cgroup_ops *ops_for(const struct plan_cgroup *cg) {
  return cg->version == 2 ? &cgroup_v2_ops : &cgroup_v1_ops;
}

static void sleep_ms(int ms) {
  struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
}

int cgroup_write(const char *dir, const char *file, const char *value, ts_error *err) {
  __cleanup_free char *path = NULL;
  if (asprintf(&path, "%s/%s", dir, file) < 0) return ts_fail(err, ENOMEM, "cgroup: write `%s`", file);
  if (write_file(path, value, strlen(value), err) < 0)
    return ts_fail(err, err->errnum, "cgroup: write `%s` to `%s`", value, path);
  return 0;
}

int cgroup_read(const char *dir, const char *file, char **out, ts_error *err) {
  __cleanup_free char *path = NULL;
  if (asprintf(&path, "%s/%s", dir, file) < 0) return ts_fail(err, ENOMEM, "cgroup: read `%s`", file);
  size_t len;
  if (read_file(path, out, &len, err) < 0) return ts_fail(err, err->errnum, "cgroup: read `%s`", path);
  while (len > 0 && (*out)[len - 1] == '\n') (*out)[--len] = '\0';
  return 0;
}

int cgroup_wait(const char *dir, int (*done)(const char *dir, bool want, ts_error *err), bool want,
                int timeout_ms, ts_error *err) {
  int waited = 0, step = 1;
  for (;;) {
    int r = done(dir, want, err);
    if (r != 0) return r;
    if (waited >= timeout_ms) return 0;
    sleep_ms(step);
    waited += step;
    if (step < 16) step *= 2;
  }
}

int cgroup_apply_writes(const struct plan_cgroup *cg, ts_error *err) {
  const struct cgroup_ops *ops = ops_for(cg);
  if (ops->enable_controllers && ops->enable_controllers(cg, err) < 0) return -1;
  for (size_t i = 0; i < cg->n_writes; i++)
    if (cgroup_write(cg->writes[i].dir, cg->writes[i].file, cg->writes[i].value, err) < 0) return -1;
  return 0;
}

int cgroup_create(const struct plan_cgroup *cg, ts_error *err) {
  const struct cgroup_ops *ops = ops_for(cg);
  for (size_t i = 0; i < cg->n_dirs; i++)
    if (mkdir_p(cg->dirs[i], 0755, err) < 0) return ts_wrap(err, "cgroup");
  if (ops->init_dirs && ops->init_dirs(cg, err) < 0) return -1;
  if (cgroup_apply_writes(cg, err) < 0) return -1;
  if (ops->set_devices && ops->set_devices(cg, err) < 0) return -1;
  return 0;
}

int cgroup_enter(const struct plan_cgroup *cg, pid_t pid, ts_error *err) {
  char value[32];
  snprintf(value, sizeof value, "%d", (int)pid);
  for (size_t i = 0; i < cg->n_dirs; i++)
    if (cgroup_write(cg->dirs[i], "cgroup.procs", value, err) < 0) return -1;
  return 0;
}

int cgroup_enter_self(const struct plan_cgroup *cg, ts_error *err) {
  const char *file = cg->version == 1 ? "tasks" : "cgroup.procs";
  for (size_t i = 0; i < cg->n_dirs; i++)
    if (cgroup_write(cg->dirs[i], file, "0", err) < 0) return -1;
  return 0;
}

int cgroup_freeze(const struct plan_cgroup *cg, bool frozen, ts_error *err) {
  if (cg->freezer == NULL) return ts_fail(err, ENOTSUP, "cgroup: %s: the container has no freezer", frozen ? "freeze" : "thaw");
  return ops_for(cg)->freeze(cg->freezer, frozen, err);
}

int cgroup_is_frozen(const struct plan_cgroup *cg, ts_error *err) {
  if (cg->freezer == NULL) return 0;
  return ops_for(cg)->is_frozen(cg->freezer, err);
}

struct pid_list { pid_t *v; size_t n, cap; };

static int append_procs(const char *dir, struct pid_list *l, ts_error *err) {
  __cleanup_free char *text = NULL;
  if (cgroup_read(dir, "cgroup.procs", &text, err) < 0) return -1;
  for (char *p = text, *end; *p; p = end) {
    long v = strtol(p, &end, 10);
    if (end == p) break;
    if (l->n == l->cap) {
      size_t cap = l->cap ? l->cap * 2 : 16;
      pid_t *nv = realloc(l->v, cap * sizeof *nv);
      if (nv == NULL) return ts_fail(err, ENOMEM, "cgroup: list the processes of `%s`", dir);
      l->v = nv;
      l->cap = cap;
    }
    l->v[l->n++] = (pid_t)v;
  }
  return 0;
}

static bool is_subdir(DIR *d, const struct dirent *de) {
  if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) return false;
  if (de->d_type != DT_UNKNOWN) return de->d_type == DT_DIR;
  struct stat st;
  return fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* Sub-cgroups are listed too: the container may have made its own (cgroup namespace). */
static int collect_pids(const char *dir, struct pid_list *l, ts_error *err) {
  if (append_procs(dir, l, err) < 0) return -1;
  DIR *d = opendir(dir);
  if (d == NULL) return errno == ENOENT ? 0 : ts_fail(err, errno, "cgroup: open `%s`", dir);
  int ret = 0;
  struct dirent *de;
  while (ret == 0 && (de = readdir(d)) != NULL) {
    if (!is_subdir(d, de)) continue;
    char *sub = NULL;
    if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0) { ret = ts_fail(err, ENOMEM, "cgroup: open `%s`", dir); break; }
    ret = collect_pids(sub, l, err);
    /* a sub-cgroup that vanished while we walked held no process we could signal */
    if (ret < 0 && err->errnum == ENOENT) ret = 0;
    free(sub);
  }
  closedir(d);
  return ret;
}

int cgroup_pids(const struct plan_cgroup *cg, pid_t **pids, size_t *n, ts_error *err) {
  struct pid_list l = { 0 };
  *pids = NULL;
  *n = 0;
  if (cg->n_dirs == 0) return 0;
  if (collect_pids(cg->dirs[0], &l, err) < 0) {
    free(l.v);
    if (err->errnum != ENOENT) return -1;
    /* a cgroup that is already gone holds no process */
    ts_error_clear(err);
    return 0;
  }
  *pids = l.v;
  *n = l.n;
  return 0;
}

int cgroup_kill_all(const struct plan_cgroup *cg, int sig, ts_error *err) {
  bool frozen = false;
  if (cg->freezer != NULL) {
    if (cgroup_freeze(cg, true, err) < 0) return ts_wrap(err, "cgroup: kill all");
    frozen = true;
  }
  __cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  int ret = cgroup_pids(cg, &pids, &n, err);
  for (size_t i = 0; ret == 0 && i < n; i++)
    if (kill(pids[i], sig) < 0 && errno != ESRCH) ret = ts_fail(err, errno, "cgroup: kill %d with signal %d", (int)pids[i], sig);
  if (frozen) {
    ts_error thaw_err = { 0 };
    if (cgroup_freeze(cg, false, ret < 0 ? &thaw_err : err) < 0 && ret == 0) ret = -1;
  }
  return ret < 0 ? ts_wrap(err, "cgroup: kill all") : 0;
}

/* rmdir with retries: EBUSY while exiting processes still leave the cgroup. */
static int rmdir_retry(const char *path, int *waited_ms, ts_error *err) {
  for (;;) {
    if (rmdir(path) == 0 || errno == ENOENT) return 0;
    if (errno != EBUSY || *waited_ms >= DESTROY_TIMEOUT_MS) return ts_fail(err, errno, "cgroup: remove `%s`", path);
    sleep_ms(10);
    *waited_ms += 10;
  }
}

static int remove_tree(const char *path, int *waited_ms, ts_error *err) {
  DIR *d = opendir(path);
  if (d == NULL) return errno == ENOENT ? 0 : ts_fail(err, errno, "cgroup: open `%s`", path);
  int ret = 0;
  struct dirent *de;
  while (ret == 0 && (de = readdir(d)) != NULL) {
    if (!is_subdir(d, de)) continue;
    char *sub = NULL;
    if (asprintf(&sub, "%s/%s", path, de->d_name) < 0) { ret = ts_fail(err, ENOMEM, "cgroup: remove `%s`", path); break; }
    ret = remove_tree(sub, waited_ms, err);
    free(sub);
  }
  closedir(d);
  return ret < 0 ? ret : rmdir_retry(path, waited_ms, err);
}

/* Every dir is tried even when one fails, so that one stuck hierarchy does not leak the others;
 * the first error is reported. */
int cgroup_destroy(const struct plan_cgroup *cg, ts_error *err) {
  int ret = 0, waited_ms = 0;
  for (size_t i = 0; i < cg->n_dirs; i++) {
    ts_error e = { 0 };
    if (remove_tree(cg->dirs[i], &waited_ms, ret < 0 ? &e : err) < 0) ret = -1;
  }
  return ret;
}
