/* What differs between cgroup v1 and v2, behind one ops table per version;
 * cgroup.c holds what both share and dispatches on plan_cgroup.version. */
#ifndef TS_CGROUP_INTERNAL_H
#define TS_CGROUP_INTERNAL_H
#include <stdbool.h>
#include "plan.h"

struct cgroup_ops {
  /* After the dirs exist, before anything joins them (v1: cpuset init). NULL: nothing to do. */
  int (*init_dirs)(const struct plan_cgroup *cg, ts_error *err);
  /* Before the writes, on create and on update (v2: subtree_control). NULL: nothing to do. */
  int (*enable_controllers)(const struct plan_cgroup *cg, ts_error *err);
  /* After the writes, on create (v2: the device eBPF program). NULL: nothing to do. */
  int (*set_devices)(const struct plan_cgroup *cg, ts_error *err);
  /* dir is plan_cgroup.freezer. */
  int (*freeze)(const char *dir, bool frozen, ts_error *err);
  int (*is_frozen)(const char *dir, ts_error *err);
};

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

/* Write value to dir/file; the error names both ("cgroup: write `1` to `/a/b`: ..."). */
int cgroup_write(const char *dir, const char *file, const char *value, ts_error *err);
/* Read dir/file, trailing newlines stripped. *out malloc'ed. */
int cgroup_read(const char *dir, const char *file, char **out, ts_error *err);
/* Poll until done(dir) is 1, for at most timeout_ms; returns 1 when done, 0 on
 * timeout, <0 when done() failed. Sleeps grow from 1 ms so fast transitions cost little. */
int cgroup_wait(const char *dir, int (*done)(const char *dir, bool want, ts_error *err), bool want,
                int timeout_ms, ts_error *err);

/* v2 devices: load the eBPF program built from the rules and attach it to dir. */
int cgroup_bpf_attach_devices(const char *dir, const struct plan_cgroup_device *rules, size_t n, ts_error *err);

#endif
