/* The plan: docs/plan-format.md, parsed from <stateDir>/plan.json.
 * The TypeScript planner has validated and pre-digested it; the shim only
 * executes it. All strings are owned by the plan and freed by plan_free(). */
#ifndef TS_PLAN_H
#define TS_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum ts_ns_type { TS_NS_PID, TS_NS_NET, TS_NS_IPC, TS_NS_UTS, TS_NS_MOUNT, TS_NS_USER, TS_NS_CGROUP, TS_NS_TIME, TS_NS_COUNT };

struct plan_namespace {
  enum ts_ns_type type;
  char *path;               /* NULL: create a new one; else join this one */
};

struct plan_idmap { uint32_t container_id, host_id, size; };

struct plan_mount {
  char *destination;
  char *source;
  char *type;               /* "" for bind */
  bool bind, recursive;
  unsigned long flags, clear_flags;
  unsigned long *propagation; size_t n_propagation;
  uint64_t attr_set, attr_clr;
  char *data;
  bool create_dir;
};

struct plan_device {
  char *path;
  char type;                /* 'c', 'b', 'u', 'p' */
  int64_t major, minor;
  uint32_t file_mode;
  uint32_t uid, gid;
};

struct plan_kv { char *key, *value; };

struct plan_rlimit { int resource; int64_t soft, hard; /* -1 = infinity */ };

struct plan_caps { uint64_t bounding, effective, inheritable, permitted, ambient; };

struct plan_process {
  bool terminal;
  bool has_console_size; unsigned short console_height, console_width;
  char **args; size_t n_args;         /* NULL-terminated as well */
  char **env; size_t n_env;           /* NULL-terminated as well */
  char *cwd;
  uid_t uid; gid_t gid;
  bool has_umask; mode_t umask;
  gid_t *additional_gids; size_t n_additional_gids;
  bool has_caps; struct plan_caps caps;
  bool no_new_privileges;
  struct plan_rlimit *rlimits; size_t n_rlimits;
  bool has_oom_score_adj; int oom_score_adj;
  bool has_io_priority; int io_priority_class, io_priority_level;
};

struct plan_seccomp_arg { unsigned index; uint64_t value, value_two; char *op; };
struct plan_seccomp_rule {
  char **names; size_t n_names;
  char *action; bool has_errno_ret; int errno_ret;
  struct plan_seccomp_arg *args; size_t n_args;
};
struct plan_seccomp {
  char *default_action; bool has_default_errno_ret; int default_errno_ret;
  char **architectures; size_t n_architectures;
  char **flags; size_t n_flags;
  struct plan_seccomp_rule *syscalls; size_t n_syscalls;
};

struct plan_cgroup_write { char *dir, *file, *value; };
struct plan_cgroup_device { bool allow; char type; int64_t major, minor; char access[4]; };
struct plan_cgroup {
  int version;                        /* 1 or 2 */
  char **dirs; size_t n_dirs;
  char *freezer;                      /* may be NULL */
  struct plan_cgroup_write *writes; size_t n_writes;
  bool has_devices; struct plan_cgroup_device *devices; size_t n_devices;   /* v2 only */
};

struct plan_hook { char *path; char **args; size_t n_args; char **env; size_t n_env; int timeout; /* 0 = none */ };
enum ts_hook_kind { TS_HOOK_PRESTART, TS_HOOK_CREATE_RUNTIME, TS_HOOK_CREATE_CONTAINER, TS_HOOK_START_CONTAINER, TS_HOOK_POSTSTART, TS_HOOK_POSTSTOP, TS_HOOK_COUNT };
struct plan_hooks { struct plan_hook *list[TS_HOOK_COUNT]; size_t n[TS_HOOK_COUNT]; };

struct plan {
  int plan_version;
  char *id, *oci_version, *bundle, *state_dir, *rootfs;
  bool rootfs_readonly;
  unsigned long rootfs_propagation;
  bool no_pivot, new_keyring;
  struct plan_kv *annotations; size_t n_annotations;
  struct plan_namespace *namespaces; size_t n_namespaces;
  struct plan_idmap *uid_mappings; size_t n_uid_mappings;
  struct plan_idmap *gid_mappings; size_t n_gid_mappings;
  bool has_time_offsets; int64_t monotonic_secs, monotonic_nsecs, boottime_secs, boottime_nsecs;
  char *hostname, *domainname;        /* NULL: leave unchanged */
  struct plan_mount *mounts; size_t n_mounts;
  struct plan_device *devices; size_t n_devices;
  char **masked_paths; size_t n_masked_paths;
  char **readonly_paths; size_t n_readonly_paths;
  struct plan_kv *sysctl; size_t n_sysctl;
  struct plan_process process;
  struct plan_seccomp *seccomp;       /* NULL: none */
  struct plan_cgroup *cgroup;         /* NULL: none */
  struct plan_hooks hooks;
};

/* Parse a plan from JSON text / from a file. Errors name the JSON path ("plan.json: /mounts/3/flags: expected a number"). */
int plan_parse(const char *json, size_t len, struct plan **out, ts_error *err);
int plan_load(const char *path, struct plan **out, ts_error *err);
void plan_free(struct plan *p);

/* Helpers over the plan. */
const struct plan_namespace *plan_find_ns(const struct plan *p, enum ts_ns_type t);   /* NULL if absent */
const char *ts_ns_name(enum ts_ns_type t);      /* "pid", "net", ... as in /proc/<pid>/ns/ */
int ts_ns_clone_flag(enum ts_ns_type t);        /* CLONE_NEWPID, ... */

#endif
