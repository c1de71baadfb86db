/* cgroup v1: cpuset initialisation and freezer.state. Everything else in v1
 * is plain writes to the controllers' own hierarchies. */
#include "cgroup-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FREEZE_TIMEOUT_MS 2000

static bool has_file(const char *dir, const char *file) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path) return false;
  return access(path, F_OK) == 0;
}

static int copy_from_parent(const char *dir, const char *parent, const char *file, ts_error *err) {
  __cleanup_free char *mine = NULL;
  __cleanup_free char *theirs = NULL;
  if (cgroup_read(dir, file, &mine, err) < 0) return -1;
  if (mine[0] != '\0') return 0;
  if (cgroup_read(parent, file, &theirs, err) < 0) return -1;
  return cgroup_write(dir, file, theirs, err);
}

/* A new cpuset cgroup starts with empty cpus and mems (unless clone_children),
 * and a process cannot join it until both are set; fill them from the parent,
 * top level first, since a level can only take what its parent already has. */
static int cpuset_init(const char *dir, ts_error *err) {
  __cleanup_free char *parent = strdup(dir);
  if (parent == NULL) return ts_fail(err, ENOMEM, "cgroup: init cpuset `%s`", dir);
  char *slash = strrchr(parent, '/');
  if (slash == NULL || slash == parent) return 0;
  *slash = '\0';
  if (!has_file(parent, "cpuset.cpus")) return 0;
  if (cpuset_init(parent, err) < 0) return -1;
  if (copy_from_parent(dir, parent, "cpuset.cpus", err) < 0) return -1;
  return copy_from_parent(dir, parent, "cpuset.mems", err);
}

static int v1_init_dirs(const struct plan_cgroup *cg, ts_error *err) {
  for (size_t i = 0; i < cg->n_dirs; i++)
    if (cpuset_init(cg->dirs[i], err) < 0) return -1;
  return 0;
}

static int state_is(const char *dir, bool frozen, ts_error *err) {
  __cleanup_free char *state = NULL;
  if (cgroup_read(dir, "freezer.state", &state, err) < 0) return -1;
  return strcmp(state, frozen ? "FROZEN" : "THAWED") == 0;
}

/* FROZEN is only reached once every task has stopped (FREEZING until then). */
static int v1_freeze(const char *dir, bool frozen, ts_error *err) {
  if (cgroup_write(dir, "freezer.state", frozen ? "FROZEN" : "THAWED", err) < 0) return -1;
  int r = cgroup_wait(dir, state_is, frozen, FREEZE_TIMEOUT_MS, err);
  if (r != 0) return r < 0 ? -1 : 0;
  if (frozen) {
    /* half-frozen is the worst state to leave a container in */
    ts_error ignored = { 0 };
    cgroup_write(dir, "freezer.state", "THAWED", &ignored);
  }
  return ts_fail(err, ETIMEDOUT, "cgroup: %s `%s`: not %s after %d ms", frozen ? "freeze" : "thaw", dir,
                 frozen ? "FROZEN" : "THAWED", FREEZE_TIMEOUT_MS);
}

static int v1_is_frozen(const char *dir, ts_error *err) {
  return state_is(dir, true, err);
}

const struct cgroup_ops cgroup_v1_ops = {
  .init_dirs = v1_init_dirs,
  .freeze = v1_freeze,
  .is_frozen = v1_is_frozen,
};
