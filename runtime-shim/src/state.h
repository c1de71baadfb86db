/* <stateDir>/state.json: docs/plan-format.md "The state directory". Written by
 * the monitor at each transition (atomically), read by every front-end command. */
#ifndef TS_STATE_H
#define TS_STATE_H
#include <stdbool.h>
#include <sys/types.h>
#include "error.h"
#include "plan.h"

struct ts_state {
  char *oci_version, *id, *bundle, *rootfs, *created, *owner;
  char *status;                       /* as written: creating, created, running, stopped */
  pid_t pid;                          /* container init, host pid namespace; 0 before it exists */
  unsigned long long init_start_time; /* field 22 of /proc/<pid>/stat when created */
  pid_t monitor_pid;
  bool has_exit; int exit_code; int exit_signal; char *finished_at;
  char *annotations_json;             /* the annotations object as JSON text, "{}" if none */
};

int state_read(const char *state_dir, struct ts_state **out, ts_error *err);
int state_write(const char *state_dir, const struct ts_state *s, ts_error *err);
void state_free(struct ts_state *s);

/* The status a reader reports: "stopped" when pid is gone or reused (start time
 * differs), "paused" when the cgroup freezer says frozen, else the written one. */
const char *state_live_status(const struct ts_state *s, const struct plan_cgroup *cg);

/* runc's `state` output (pretty JSON, 2-space indent) with the given status. malloc'ed. */
char *state_to_oci_json(const struct ts_state *s, const char *status);
#endif
