#include "rootfs.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

/* For ramfs roots and runc's --no-pivot: move the rootfs over "/" and chroot.
 * The old root stays reachable to a process that can escape a chroot. */
static int move_root(const struct plan *p, ts_error *err) {
  if (mount(".", "/", NULL, MS_MOVE, NULL) < 0) return ts_fail(err, errno, "move `%s` onto `/`", p->rootfs);
  if (chroot(".") < 0) return ts_fail(err, errno, "chroot into `%s`", p->rootfs);
  if (chdir("/") < 0) return ts_fail(err, errno, "chdir to `/` in the container");
  return 0;
}

int rootfs_pivot(const struct plan *p, ts_error *err) {
  if (chdir(p->rootfs) < 0) return ts_fail(err, errno, "chdir to `%s`", p->rootfs);
  if (rootfs_in_host_mount_ns(p)) {
    /* pivot_root or MS_MOVE here would change the host's own root */
    if (chroot(".") < 0) return ts_fail(err, errno, "chroot into `%s`", p->rootfs);
    if (chdir("/") < 0) return ts_fail(err, errno, "chdir to `/` in the container");
    return 0;
  }
  if (p->no_pivot) return move_root(p, err);
  /* pivot_root(".", ".") stacks the old root on top of the new one, so no
   * directory for it is needed inside the rootfs; then it is detached. */
  if (syscall(SYS_pivot_root, ".", ".") < 0) return ts_fail(err, errno, "pivot_root into `%s`", p->rootfs);
  /* keep the detach from propagating to the host's mounts */
  if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) return ts_fail(err, errno, "make the old root a slave");
  if (umount2(".", MNT_DETACH) < 0) return ts_fail(err, errno, "detach the old root");
  if (chdir("/") < 0) return ts_fail(err, errno, "chdir to `/` in the container");
  return 0;
}
