/* The container's filesystem, run by the init process (stage 2) inside its new mount namespace. */
#ifndef TS_ROOTFS_H
#define TS_ROOTFS_H
#include "plan.h"

/* Before pivot_root: set "/" propagation, bind the rootfs onto itself, make every
 * plan mount (targets resolved inside the rootfs through fds, CVE-2021-30465),
 * create /dev devices (mknod, or a bind of the host node in a user namespace)
 * and the /dev symlinks. */
int rootfs_setup(const struct plan *p, ts_error *err);

/* pivot_root into the rootfs (or MS_MOVE + chroot when plan->no_pivot; chroot
 * alone without a mount namespace of its own). Leaves cwd at "/". */
int rootfs_pivot(const struct plan *p, ts_error *err);

/* A container without a mount namespace of its own (the runtime-spec allows it)
 * makes its mounts in the host's: all of them on a private bind of its rootfs,
 * so nothing propagates, and nothing outside the rootfs is touched. */
bool rootfs_in_host_mount_ns(const struct plan *p);

/* Unmount every mount at or below the rootfs in this mount namespace, deepest
 * first (delete of a container that had no mount namespace). */
int rootfs_unmount_all(const char *rootfs, ts_error *err);

/* After pivot_root: maskedPaths, readonlyPaths, sysctls, hostname and domainname,
 * then the read-only root. */
int rootfs_finalize(const struct plan *p, ts_error *err);

/* With process.terminal: open a pty in the container's devpts, make the slave
 * stdin/stdout/stderr and /dev/console, set the console size, and send the master
 * over console_sock (SCM_RIGHTS, as runc's --console-socket). Then close console_sock. */
int console_setup(const struct plan *p, int console_sock, ts_error *err);

/* The same for a process exec'd into a running container, but without /dev/console:
 * that is the container's, bound by its init, and another bind would stack on it. */
int console_setup_exec(const struct plan *p, int console_sock, ts_error *err);
#endif
