/* cgroups v1 (incl. hybrid) and v2, driven by the plan's pre-translated writes.
 * Paths come from the plan, so tests point them at a scratch tree. */
#ifndef TS_CGROUP_H
#define TS_CGROUP_H
#include <stdbool.h>
#include <sys/types.h>
#include "plan.h"

/* mkdir -p every dir (v1 cpuset: copy cpuset.cpus/mems down from the parent
 * into each new level), do the writes in order, and on v2 attach the device
 * eBPF program built from cg->devices. Errors name the file and the value. */
int cgroup_create(const struct plan_cgroup *cg, ts_error *err);

/* Move pid into every dir (cgroup.procs). */
int cgroup_enter(const struct plan_cgroup *cg, pid_t pid, ts_error *err);

/* Move the calling process, which must have a single thread, into every dir. In
 * v1 it writes 0 to `tasks`: a thread that moves itself takes no global lock,
 * while any write to cgroup.procs waits for an RCU grace period (6-30 ms here),
 * which made it the largest single cost of a container's creation. */
int cgroup_enter_self(const struct plan_cgroup *cg, ts_error *err);

/* Only the writes (for `update`). */
int cgroup_apply_writes(const struct plan_cgroup *cg, ts_error *err);

/* Freezer: v1 freezer.state FROZEN/THAWED (waits until the state settles), v2 cgroup.freeze. */
int cgroup_freeze(const struct plan_cgroup *cg, bool frozen, ts_error *err);
/* 1 frozen, 0 not, <0 error. */
int cgroup_is_frozen(const struct plan_cgroup *cg, ts_error *err);

/* Every pid in the container's cgroup (the first dir's cgroup.procs, recursively). *pids malloc'ed. */
int cgroup_pids(const struct plan_cgroup *cg, pid_t **pids, size_t *n, ts_error *err);

/* Signal every process in the cgroup (freeze, signal, thaw, so none escapes by forking). */
int cgroup_kill_all(const struct plan_cgroup *cg, int sig, ts_error *err);

/* rmdir every dir (leaf first, retrying while processes drain, up to a short timeout). */
int cgroup_destroy(const struct plan_cgroup *cg, ts_error *err);
#endif
