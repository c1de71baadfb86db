/* Namespaces of the container init (stage 1) and the exec helper. */
#ifndef TS_NS_H
#define TS_NS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "plan.h"

/* Open every namespace the plan joins (a path), before joining any of them, so
 * that the paths are resolved in the caller's mount namespace. fds[type] = -1
 * where there is no path. */
int ns_open_paths(const struct plan *p, int fds[TS_NS_COUNT], ts_error *err);
void ns_close_fds(int fds[TS_NS_COUNT]);

/* setns into the opened namespaces: the user namespace only (user = true; first,
 * so that the others' owners grant the capabilities), or every other one. Each
 * fd is closed once joined. */
int ns_join(const struct plan *p, int fds[TS_NS_COUNT], bool user, ts_error *err);

/* unshare(2) every namespace the plan creates, except the user namespace, in one call. */
int ns_unshare_new(const struct plan *p, ts_error *err);

/* Become uid/gid 0 of the user namespace just joined or created. */
int ns_become_root(ts_error *err);

/* PR_SET_DUMPABLE 0, so that container processes can neither ptrace us nor open
 * our /proc files before the exec; except with a user namespace, where it would
 * make /proc/self owned by the host's root, out of our own reach
 * (oom_score_adj, ...). There the sealed memfd exe is the protection. */
int ns_protect_process(const struct plan *p, ts_error *err);

/* "containerID hostID size\n" lines; returns the length needed (like snprintf). */
size_t ns_format_id_map(const struct plan_idmap *m, size_t n, char *buf, size_t size);

/* From the parent's side: write /proc/<pid>/uid_map and gid_map of a process
 * that unshared its user namespace. setgroups is denied first only when the
 * writer is unprivileged (then the kernel requires it for gid_map). */
int ns_write_id_maps(pid_t pid, const struct plan *p, ts_error *err);

/* /proc/self/timens_offsets for the time namespace unshared for the children. */
int ns_write_time_offsets(const struct plan *p, ts_error *err);
#endif
