#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount-target.h"
#include "util.h"

static bool same_path(const char *a, const char *b) {
  for (;;) {
    while (*a == '/' && a[1] == '/') a++;
    while (*b == '/' && b[1] == '/') b++;
    if ((*a == '\0' || (*a == '/' && a[1] == '\0')) && (*b == '\0' || (*b == '/' && b[1] == '\0'))) return true;
    if (*a != *b) return false;
    a++, b++;
  }
}

const struct plan_mount *plan_mount_at(const struct plan *p, const char *path) {
  for (size_t i = p->n_mounts; i-- > 0;)
    if (same_path(p->mounts[i].destination, path)) return &p->mounts[i];
  return NULL;
}

/* Bind mounts ignore flags on creation: they need a remount. In a user namespace,
 * the flags of a mount that came from a more privileged namespace are locked and
 * the remount must repeat them. */
static int bind_remount(int mntfd, unsigned long flags, const char *dest, ts_error *err) {
  char buf[TS_FD_PATH_MAX];
  const char *target = fd_path(mntfd, buf);
  if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags, NULL) == 0) return 0;
  if (errno == EPERM && mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags | mount_flags_of(mntfd), NULL) == 0) return 0;
  return ts_fail(err, errno, "remount `%s` with flags %#lx", dest, flags);
}

static int mount_one(int rootfd, const struct plan *p, const struct plan_mount *m, ts_error *err) {
  if (strcmp(m->type, "cgroup") == 0) return mount_cgroup(rootfd, p, m, err);

  bool dir = m->create_dir;
  if (m->bind) {
    struct stat st;
    if (stat(m->source, &st) < 0) return ts_fail(err, errno, "bind source `%s`", m->source);
    dir = S_ISDIR(st.st_mode);
  }
  __attribute__((cleanup(mount_target_close))) struct mount_target t = { .parent = -1, .fd = -1 };
  if (mount_target_open(rootfd, m->destination, dir, true, &t, err) < 0) return -1;

  char buf[TS_FD_PATH_MAX];
  const char *target = fd_path(t.fd, buf);
  bool bound = m->bind;
  int r;
  if (m->bind) {
    r = mount(m->source, target, NULL, MS_BIND | (m->recursive ? MS_REC : 0), NULL);
  } else {
    r = mount(m->source, target, m->type, m->flags, m->data && *m->data ? m->data : NULL);
    if (r < 0 && errno == EPERM && strcmp(m->type, "sysfs") == 0 &&
        plan_find_ns(p, TS_NS_USER) != NULL && plan_find_ns(p, TS_NS_NET) == NULL) {
      /* Only the owner of the network namespace may mount sysfs: show the host's, as runc does. */
      r = mount("/sys", target, NULL, MS_BIND | MS_REC, NULL);
      bound = true;
    }
  }
  if (r < 0) return ts_fail(err, errno, "mount `%s` (%s) on `%s`", m->source, m->bind ? "bind" : m->type, m->destination);

  __cleanup_close int mntfd = -1;
  if (mount_target_reopen(&t, m->destination, &mntfd, err) < 0) return -1;
  if (bound && m->flags != 0 && bind_remount(mntfd, m->flags, m->destination, err) < 0) return -1;
  return mount_apply_attrs(mntfd, m, err);
}

/* The mount point of mount id (and its parent's id) from mountinfo. */
static int find_mount(const char *mountinfo, unsigned long long id, unsigned long long *parent, char mountpoint[PATH_MAX]) {
  for (const char *line = mountinfo; *line;) {
    const char *eol = strchrnul(line, '\n');
    unsigned long long mid;
    if (sscanf(line, "%llu %llu %*s %*s %4095s", &mid, parent, mountpoint) == 3 && mid == id) return 0;
    line = *eol ? eol + 1 : eol;
  }
  return -1;
}

/* pivot_root refuses a shared new root or a new root under a shared mount
 * (rootfsPropagation "rshared"): make the mount that holds the rootfs private
 * before the rootfs is bound, so that the bind is private too, as runc does. */
static int make_parent_mount_private(const struct plan *p, ts_error *err) {
  struct statx sx;
  if (statx(AT_FDCWD, p->rootfs, 0, STATX_MNT_ID, &sx) < 0) return ts_fail(err, errno, "statx `%s`", p->rootfs);
  __cleanup_free char *mountinfo = NULL;
  if (read_file("/proc/self/mountinfo", &mountinfo, NULL, err) < 0) return -1;
  unsigned long long parent;
  char mountpoint[PATH_MAX];
  if (find_mount(mountinfo, sx.stx_mnt_id, &parent, mountpoint) < 0)
    return ts_fail(err, ENOENT, "find the mount that holds `%s`", p->rootfs);
  if (mount(NULL, mountpoint, NULL, MS_PRIVATE, NULL) < 0)
    return ts_fail(err, errno, "make `%s`, the mount that holds the rootfs, private", mountpoint);
  return 0;
}

bool rootfs_in_host_mount_ns(const struct plan *p) {
  return plan_find_ns(p, TS_NS_MOUNT) == NULL;
}

int rootfs_setup(const struct plan *p, ts_error *err) {
  bool host_ns = rootfs_in_host_mount_ns(p);
  /* the host's "/" is never ours to change */
  if (!host_ns && mount(NULL, "/", NULL, p->rootfs_propagation, NULL) < 0)
    return ts_fail(err, errno, "set the propagation of `/` to %#lx", p->rootfs_propagation);
  if (!host_ns && (p->rootfs_propagation & MS_SHARED) && make_parent_mount_private(p, err) < 0) return -1;
  /* pivot_root needs the new root to be a mount point. */
  if (mount(p->rootfs, p->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return ts_fail(err, errno, "bind `%s` onto itself", p->rootfs);
  if (host_ns && mount(NULL, p->rootfs, NULL, MS_PRIVATE | MS_REC, NULL) < 0)
    return ts_fail(err, errno, "make `%s` private", p->rootfs);
  /* Opened after the bind, so that lookups from it see the mounts made below. */
  __cleanup_close int rootfd = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) return ts_fail(err, errno, "open `%s`", p->rootfs);

  for (size_t i = 0; i < p->n_mounts; i++)
    if (mount_one(rootfd, p, &p->mounts[i], err) < 0) return ts_wrap(err, "mount %zu", i);
  return devices_setup(rootfd, p, err);
}
