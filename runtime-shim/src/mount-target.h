/* The rootfs module's internal pieces. Everything before pivot_root reaches
 * into the rootfs through fds resolved with RESOLVE_IN_ROOT and mounts onto
 * "/proc/self/fd/N", never onto a host path string, so that a symlink planted
 * in the rootfs (or swapped in by another container sharing a volume,
 * CVE-2021-30465) cannot redirect a mount or a mknod onto the host. */
#ifndef TS_MOUNT_TARGET_H
#define TS_MOUNT_TARGET_H
#include <limits.h>
#include <stdbool.h>
#include "plan.h"

/* A mount destination inside the rootfs: the directory that holds it, its last
 * component (never a symlink, "." or ".."), and an O_PATH fd on the object. */
struct mount_target {
  int parent;
  int fd;
  char name[NAME_MAX + 1];
};

/* Resolve dest inside rootfd (symlinks are followed, but stay inside). With
 * create, missing directories are made, and the last component as a directory
 * (dir) or an empty file. The object found must be of that kind. */
int mount_target_open(int rootfd, const char *dest, bool dir, bool create, struct mount_target *t, ts_error *err);

/* Only the directory that holds dest's last component (created when create);
 * *parent is an O_PATH fd and name the last component, not resolved. */
int mount_target_parent(int rootfd, const char *dest, bool create, int *parent, char name[NAME_MAX + 1], ts_error *err);

/* After a mount onto t->fd: an O_PATH fd on the root of the new mount (t->fd
 * still points at the covered directory). Fails if nothing was mounted there. */
int mount_target_reopen(const struct mount_target *t, const char *dest, int *out, ts_error *err);

void mount_target_close(struct mount_target *t);

/* "/proc/self/fd/<fd>" into buf. */
#define TS_FD_PATH_MAX 32
const char *fd_path(int fd, char buf[TS_FD_PATH_MAX]);

/* The MS_* per-mount flags (ro, nosuid, nodev, noexec, atime) the mount under fd has now:
 * a bind remount must repeat the ones locked by a user namespace. */
unsigned long mount_flags_of(int fd);

/* mount_setattr(attr_set, attr_clr) recursively, then each propagation change. */
int mount_apply_attrs(int mntfd, const struct plan_mount *m, ts_error *err);

/* A "cgroup" plan mount (cgroup v1 hierarchies under a tmpfs, or cgroup2). */
int mount_cgroup(int rootfd, const struct plan *p, const struct plan_mount *m, ts_error *err);

/* The plan's devices under rootfs/dev and the /dev symlinks, unless /dev is a bind mount. */
int devices_setup(int rootfd, const struct plan *p, ts_error *err);

/* The last plan mount whose destination is path (ignoring repeated and trailing slashes), or NULL. */
const struct plan_mount *plan_mount_at(const struct plan *p, const char *path);
#endif
