/* Who the container process is: groups, uid/gid, capability sets, no_new_privs.
 * Order matters: the bounding set needs CAP_SETPCAP, so it shrinks while still
 * root; PR_SET_KEEPCAPS keeps the permitted set across setresuid so that capset
 * can then pick the configured sets from it. */
#include "process.h"
#include "process.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

static int cap_last_cap(ts_error *err) {
  __cleanup_free char *buf = NULL;
  if (read_file("/proc/sys/kernel/cap_last_cap", &buf, NULL, err) < 0) return -1;
  return atoi(buf);
}

static uint64_t known_caps(uint64_t mask, int last) {
  return last >= 63 ? mask : mask & ((UINT64_C(1) << (last + 1)) - 1);
}

static int drop_bounding(uint64_t keep, int last, ts_error *err) {
  for (int cap = 0; cap <= last; cap++) {
    if (keep & (UINT64_C(1) << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
      return ts_fail(err, errno, "process.capabilities.bounding: drop capability %d from the bounding set", cap);
  }
  return 0;
}

static int set_groups(const struct plan_process *proc, ts_error *err) {
  __cleanup_free char *policy = NULL;
  /* a user namespace whose gid map was written unprivileged forbids setgroups */
  if (read_file("/proc/self/setgroups", &policy, NULL, err) == 0 && strncmp(policy, "deny", 4) == 0) {
    if (proc->n_additional_gids == 0) return 0;
    return ts_fail(err, 0, "process.additionalGids: cannot set %zu additional groups: setgroups is denied in this user namespace",
                   proc->n_additional_gids);
  }
  if (setgroups(proc->n_additional_gids, proc->additional_gids) < 0)
    return ts_fail(err, errno, "process.additionalGids: setgroups (%zu groups)", proc->n_additional_gids);
  return 0;
}

static int set_caps(const struct plan_caps *caps, int last, ts_error *err) {
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  uint64_t eff = known_caps(caps->effective, last), perm = known_caps(caps->permitted, last);
  uint64_t inh = known_caps(caps->inheritable, last);
  struct __user_cap_data_struct data[2] = {
    { .effective = (uint32_t)eff, .permitted = (uint32_t)perm, .inheritable = (uint32_t)inh },
    { .effective = (uint32_t)(eff >> 32), .permitted = (uint32_t)(perm >> 32), .inheritable = (uint32_t)(inh >> 32) },
  };
  if (syscall(SYS_capset, &hdr, data) < 0)
    return ts_fail(err, errno, "process.capabilities: set effective %#llx, permitted %#llx, inheritable %#llx",
                   (unsigned long long)eff, (unsigned long long)perm, (unsigned long long)inh);
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    return ts_fail(err, errno, "process.capabilities.ambient: clear the ambient set");
  uint64_t amb = known_caps(caps->ambient, last);
  for (int cap = 0; cap <= last; cap++) {
    if (!(amb & (UINT64_C(1) << cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      return ts_fail(err, errno, "process.capabilities.ambient: raise capability %d (it must be permitted and inheritable)", cap);
  }
  return 0;
}

int process_set_user(const struct plan_process *proc, ts_error *err) {
  int last = 0;
  if (proc->has_caps) {
    if ((last = cap_last_cap(err)) < 0) return -1;
    if (drop_bounding(known_caps(proc->caps.bounding, last), last, err) < 0) return -1;
  }
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return ts_fail(err, errno, "prctl(PR_SET_KEEPCAPS)");
  if (set_groups(proc, err) < 0) return -1;
  if (setresgid(proc->gid, proc->gid, proc->gid) < 0) return ts_fail(err, errno, "process.user: setresgid to %u", (unsigned)proc->gid);
  if (setresuid(proc->uid, proc->uid, proc->uid) < 0) return ts_fail(err, errno, "process.user: setresuid to %u", (unsigned)proc->uid);
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return ts_fail(err, errno, "prctl(PR_SET_KEEPCAPS)");
  if (proc->has_caps && set_caps(&proc->caps, last, err) < 0) return -1;
  if (proc->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return ts_fail(err, errno, "process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS)");
  return 0;
}

int process_finalize(const struct plan_process *proc, bool new_keyring, ts_error *err) {
  if (process_set_limits(proc, new_keyring, err) < 0) return -1;
  return process_set_user(proc, err);
}
