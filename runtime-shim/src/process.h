/* The container process's own attributes, applied by the init process (stage 2)
 * or by the exec helper, last thing before execve. */
#ifndef TS_PROCESS_H
#define TS_PROCESS_H
#include "plan.h"

/* rlimits, oom_score_adj, io priority, umask, session keyring (when new_keyring),
 * then the user switch (setgroups, setresgid, setresuid keeping capabilities),
 * the five capability sets, and no_new_privs. */
int process_finalize(const struct plan_process *proc, bool new_keyring, ts_error *err);

/* The two halves of process_finalize, for callers that load a seccomp filter
 * between them: without no_new_privs the filter needs CAP_SYS_ADMIN (so it goes
 * before the user switch), and a profile may deny keyctl (so after the keyring). */
int process_set_limits(const struct plan_process *proc, bool new_keyring, ts_error *err);
int process_set_user(const struct plan_process *proc, ts_error *err);

/* Load the seccomp filter (libseccomp). */
int seccomp_apply(const struct plan_seccomp *s, ts_error *err);

/* chdir to proc->cwd (and check that the cwd is inside the root, CVE-2024-21626),
 * and resolve args[0] through PATH from proc->env, as it will be exec'd.
 * *path is malloc'ed. Called before waiting for start, so that a missing
 * executable fails create, as in runc. */
int process_prepare_exec(const struct plan_process *proc, char **path, ts_error *err);

/* Mark every fd >= 3 + preserve_fds close-on-exec (CVE-2024-21626). Called
 * before the seccomp filter is loaded: a profile need not allow close_range. */
int process_mark_cloexec(int preserve_fds, ts_error *err);

/* Mark the fds again (for any opened since; a filter that refuses close_range
 * leaves the first pass standing), then execve. Returns only on failure. */
int process_exec(const struct plan_process *proc, const char *path, int preserve_fds, ts_error *err);
#endif
