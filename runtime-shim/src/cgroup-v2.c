/* cgroup v2: controllers enabled top-down in the parents' cgroup.subtree_control,
 * cgroup.freeze / cgroup.events, and the device eBPF program (cgroup-bpf.c). */
#include "cgroup-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FREEZE_TIMEOUT_MS 2000
#define MAX_CONTROLLERS 16

struct controllers { char name[MAX_CONTROLLERS][32]; size_t n; };

static bool has_word(const char *list, const char *word) {
  size_t len = strlen(word);
  for (const char *p = list; (p = strstr(p, word)) != NULL; p += len)
    if ((p == list || p[-1] == ' ' || p[-1] == '\n') && (p[len] == '\0' || p[len] == ' ' || p[len] == '\n')) return true;
  return false;
}

/* "memory.max" needs "memory", "hugetlb.2MB.max" needs "hugetlb"; "cgroup.*" are core files. */
static void add_controller(struct controllers *c, const char *file) {
  size_t len = strcspn(file, ".");
  if (file[len] == '\0' || len == 0 || len >= sizeof c->name[0] || strncmp(file, "cgroup", len) == 0) return;
  for (size_t i = 0; i < c->n; i++)
    if (strlen(c->name[i]) == len && strncmp(c->name[i], file, len) == 0) return;
  if (c->n == MAX_CONTROLLERS) return;
  memcpy(c->name[c->n], file, len);
  c->name[c->n++][len] = '\0';
}

static bool in_cgroup2(const char *dir) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/cgroup.controllers", dir) >= (int)sizeof path) return false;
  return access(path, F_OK) == 0;
}

/* A controller shows up in a cgroup's cgroup.controllers only once its parent
 * enabled it, so make sure the grandparent did before asking the parent. */
static int enable_for(const char *dir, const struct controllers *want, ts_error *err) {
  __cleanup_free char *parent = strdup(dir);
  if (parent == NULL) return ts_fail(err, ENOMEM, "cgroup: enable controllers for `%s`", dir);
  char *slash = strrchr(parent, '/');
  if (slash == NULL || slash == parent) return 0;
  *slash = '\0';
  if (!in_cgroup2(parent)) return 0;
  if (enable_for(parent, want, err) < 0) return -1;

  __cleanup_free char *available = NULL;
  __cleanup_free char *enabled = NULL;
  if (cgroup_read(parent, "cgroup.controllers", &available, err) < 0) return -1;
  if (cgroup_read(parent, "cgroup.subtree_control", &enabled, err) < 0) return -1;
  char change[MAX_CONTROLLERS * 34] = "";
  size_t off = 0;
  for (size_t i = 0; i < want->n; i++)
    if (has_word(available, want->name[i]) && !has_word(enabled, want->name[i]))
      off += (size_t)snprintf(change + off, sizeof change - off, "%s+%s", off ? " " : "", want->name[i]);
  return off == 0 ? 0 : cgroup_write(parent, "cgroup.subtree_control", change, err);
}

static int v2_enable_controllers(const struct plan_cgroup *cg, ts_error *err) {
  for (size_t i = 0; i < cg->n_writes; i++) {
    const char *dir = cg->writes[i].dir;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++) seen = strcmp(cg->writes[j].dir, dir) == 0;
    if (seen) continue;
    struct controllers want = { .n = 0 };
    for (size_t j = i; j < cg->n_writes; j++)
      if (strcmp(cg->writes[j].dir, dir) == 0) add_controller(&want, cg->writes[j].file);
    if (want.n > 0 && enable_for(dir, &want, err) < 0) return -1;
  }
  return 0;
}

static int v2_set_devices(const struct plan_cgroup *cg, ts_error *err) {
  if (!cg->has_devices) return 0;
  for (size_t i = 0; i < cg->n_dirs; i++)
    if (cgroup_bpf_attach_devices(cg->dirs[i], cg->devices, cg->n_devices, err) < 0) return -1;
  return 0;
}

/* cgroup.freeze is the request; "frozen 1" in cgroup.events says every task stopped. */
static int events_frozen(const char *dir, bool want, ts_error *err) {
  __cleanup_free char *events = NULL;
  if (cgroup_read(dir, "cgroup.events", &events, err) < 0) return -1;
  const char *f = strncmp(events, "frozen ", 7) == 0 ? events : strstr(events, "\nfrozen ");
  if (f == NULL) return ts_fail(err, ENOTSUP, "cgroup: `%s/cgroup.events` has no `frozen` field", dir);
  if (*f == '\n') f++;
  return (f[7] == '1') == want;
}

static int v2_freeze(const char *dir, bool frozen, ts_error *err) {
  if (cgroup_write(dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0) return -1;
  int r = cgroup_wait(dir, events_frozen, frozen, FREEZE_TIMEOUT_MS, err);
  if (r != 0) return r < 0 ? -1 : 0;
  if (frozen) {
    /* half-frozen is the worst state to leave a container in */
    ts_error ignored = { 0 };
    cgroup_write(dir, "cgroup.freeze", "0", &ignored);
  }
  return ts_fail(err, ETIMEDOUT, "cgroup: %s `%s`: cgroup.events did not say `frozen %d` after %d ms",
                 frozen ? "freeze" : "thaw", dir, frozen, FREEZE_TIMEOUT_MS);
}

static int v2_is_frozen(const char *dir, ts_error *err) {
  return events_frozen(dir, true, err);
}

const struct cgroup_ops cgroup_v2_ops = {
  .enable_controllers = v2_enable_controllers,
  .set_devices = v2_set_devices,
  .freeze = v2_freeze,
  .is_frozen = v2_is_frozen,
};
