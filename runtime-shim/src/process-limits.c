/* The process attributes that do not depend on who the process is: resource
 * limits, OOM score, I/O priority, umask and the session keyring. They come
 * before the user switch, which would take away the right to set some of them. */
#include "process.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#define KEYCTL_JOIN_SESSION_KEYRING 1
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13

static const char *rlimit_name(int resource) {
  static const char *const names[] = {
    [RLIMIT_CPU] = "RLIMIT_CPU", [RLIMIT_FSIZE] = "RLIMIT_FSIZE", [RLIMIT_DATA] = "RLIMIT_DATA",
    [RLIMIT_STACK] = "RLIMIT_STACK", [RLIMIT_CORE] = "RLIMIT_CORE", [RLIMIT_RSS] = "RLIMIT_RSS",
    [RLIMIT_NPROC] = "RLIMIT_NPROC", [RLIMIT_NOFILE] = "RLIMIT_NOFILE", [RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",
    [RLIMIT_AS] = "RLIMIT_AS", [RLIMIT_LOCKS] = "RLIMIT_LOCKS", [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
    [RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE", [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",
    [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
  };
  if (resource >= 0 && (size_t)resource < sizeof names / sizeof names[0] && names[resource]) return names[resource];
  return "RLIMIT_?";
}

static const char *limit_str(rlim_t v, char *buf, size_t size) {
  if (v == RLIM_INFINITY) return "unlimited";
  snprintf(buf, size, "%" PRIu64, (uint64_t)v);
  return buf;
}

static int set_rlimit(const struct plan_rlimit *rl, ts_error *err) {
  struct rlimit want = {
    .rlim_cur = rl->soft < 0 ? RLIM_INFINITY : (rlim_t)rl->soft,
    .rlim_max = rl->hard < 0 ? RLIM_INFINITY : (rlim_t)rl->hard,
  };
  const char *name = rlimit_name(rl->resource);
  char a[32], b[32];
  if (setrlimit(rl->resource, &want) == 0) return 0;
  int e = errno;
  struct rlimit cur;
  if (e == EPERM && getrlimit(rl->resource, &cur) == 0 && want.rlim_max > cur.rlim_max)
    return ts_fail(err, 0, "process.rlimits: %s hard limit %s is above this runtime's hard limit %s (raising it needs CAP_SYS_RESOURCE)",
                   name, limit_str(want.rlim_max, a, sizeof a), limit_str(cur.rlim_max, b, sizeof b));
  if (e == EINVAL && want.rlim_cur > want.rlim_max)
    return ts_fail(err, 0, "process.rlimits: %s soft limit %s is above its hard limit %s", name,
                   limit_str(want.rlim_cur, a, sizeof a), limit_str(want.rlim_max, b, sizeof b));
  return ts_fail(err, e, "process.rlimits: set %s to soft %s, hard %s", name, limit_str(want.rlim_cur, a, sizeof a),
                 limit_str(want.rlim_max, b, sizeof b));
}

static int set_oom_score_adj(int value, ts_error *err) {
  char buf[16];
  int n = snprintf(buf, sizeof buf, "%d", value);
  __cleanup_free char *cur = NULL;
  if (read_file("/proc/self/oom_score_adj", &cur, NULL, err) < 0) return ts_wrap(err, "process.oomScoreAdj");
  if (write_file("/proc/self/oom_score_adj", buf, (size_t)n, err) == 0) return 0;
  /* the kernel answers EACCES for lowering below the minimum without CAP_SYS_RESOURCE */
  if ((err->errnum == EACCES || err->errnum == EPERM) && value < atoi(cur))
    return ts_fail(err, err->errnum, "process.oomScoreAdj: cannot set %d, lower than the current %d (lowering it needs CAP_SYS_RESOURCE)",
                   value, atoi(cur));
  return ts_wrap(err, "process.oomScoreAdj");
}

int process_set_limits(const struct plan_process *proc, bool new_keyring, ts_error *err) {
  for (size_t i = 0; i < proc->n_rlimits; i++)
    if (set_rlimit(&proc->rlimits[i], err) < 0) return -1;
  if (proc->has_oom_score_adj && set_oom_score_adj(proc->oom_score_adj, err) < 0) return -1;
  if (proc->has_io_priority) {
    int prio = proc->io_priority_class << IOPRIO_CLASS_SHIFT | proc->io_priority_level;
    if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, prio) < 0)
      return ts_fail(err, errno, "process.ioPriority: set class %d priority %d", proc->io_priority_class, proc->io_priority_level);
  }
  umask(proc->has_umask ? proc->umask : 022);
  /* a fresh session keyring keeps the host's (and other containers') keys out of reach */
  if (new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
    return ts_fail(err, errno, "join a new session keyring");
  return 0;
}
