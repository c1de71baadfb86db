/* The "cgroup" plan mount. With a cgroup namespace the hierarchies are mounted
 * afresh (the kernel roots them at the namespace's cgroup); without one the
 * container's own cgroup directories are bound, so it never sees its siblings. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "mount-target.h"
#include "plan.h"
#include "util.h"

/* One line of /proc/self/cgroup and where its hierarchy is mounted on the host. */
struct hierarchy {
  char *controllers;   /* "cpu,cpuacct", "name=systemd", "" for cgroup2 */
  char *path;          /* the container's cgroup in it */
  char mountpoint[PATH_MAX];
  char root[PATH_MAX]; /* the mount's root inside the hierarchy */
};

static bool has_option(const char *opts, const char *want, size_t len) {
  for (const char *o = opts; o != NULL; o = strchr(o, ',') ? strchr(o, ',') + 1 : NULL)
    if (strncmp(o, want, len) == 0 && (o[len] == ',' || o[len] == '\0')) return true;
  return false;
}

/* Does a mountinfo entry (fstype, super options) mount hierarchy h? */
static bool mounts_hierarchy(const char *fstype, const char *super, const struct hierarchy *h) {
  if (*h->controllers == '\0') return strcmp(fstype, "cgroup2") == 0;
  if (strcmp(fstype, "cgroup") != 0) return false;
  for (const char *c = h->controllers; *c;) {
    size_t len = strcspn(c, ",");
    if (!has_option(super, c, len)) return false;
    c += len + (c[len] == ',');
  }
  return true;
}

/* false if the host does not mount that hierarchy */
static bool find_mount(const char *mountinfo, struct hierarchy *h) {
  const char *line = mountinfo;
  while (*line) {
    char root[PATH_MAX], mountpoint[PATH_MAX], fstype[64], super[1024];
    const char *sep = strstr(line, " - ");
    const char *eol = strchrnul(line, '\n');
    if (sep != NULL && sep < eol &&
        sscanf(line, "%*s %*s %*s %4095s %4095s", root, mountpoint) == 2 &&
        sscanf(sep + 3, "%63s %*s %1023s", fstype, super) == 2 &&
        mounts_hierarchy(fstype, super, h)) {
      strcpy(h->mountpoint, mountpoint);
      strcpy(h->root, root);
      return true;
    }
    line = *eol ? eol + 1 : eol;
  }
  return false;
}

/* The container's own directory in the hierarchy mounted at mountpoint, from the
 * plan; NULL when the plan makes none there. The monitor moves the init into its
 * cgroup while the init sets up its rootfs, so /proc/self/cgroup may still name
 * the parent's. */
static const char *plan_dir_in(const struct plan *p, const char *mountpoint) {
  if (p->cgroup == NULL) return NULL;
  size_t n = strlen(mountpoint);
  for (size_t i = 0; i < p->cgroup->n_dirs; i++) {
    const char *d = p->cgroup->dirs[i];
    if (strncmp(d, mountpoint, n) == 0 && d[n] == '/') return d;
  }
  return NULL;
}

/* Mount (cgroupns) or bind (no cgroupns) hierarchy h at dest/<name>; remount with flags. */
static int mount_hierarchy(int rootfd, const struct plan *p, const char *dest, const char *name, const struct hierarchy *h,
                           bool cgroupns, unsigned long flags, ts_error *err) {
  char sub[PATH_MAX], host[PATH_MAX * 2];
  snprintf(sub, sizeof sub, "%s/%s", dest, name);
  __attribute__((cleanup(mount_target_close))) struct mount_target t = { .parent = -1, .fd = -1 };
  if (mount_target_open(rootfd, sub, true, true, &t, err) < 0) return -1;
  char buf[TS_FD_PATH_MAX];
  const char *target = fd_path(t.fd, buf);
  bool v2 = *h->controllers == '\0';
  if (cgroupns) {
    if (mount("cgroup", target, v2 ? "cgroup2" : "cgroup", flags, v2 ? NULL : h->controllers) < 0)
      return ts_fail(err, errno, "mount the cgroup hierarchy `%s` on `%s`", h->controllers, sub);
    return 0;
  }
  const char *own = plan_dir_in(p, h->mountpoint);
  if (own != NULL) {
    snprintf(host, sizeof host, "%s", own);
  } else {
    /* the mount's root may itself be a subdirectory of the hierarchy (nested containers) */
    const char *rel = h->path;
    size_t rl = strlen(h->root);
    if (strcmp(h->root, "/") != 0 && strncmp(rel, h->root, rl) == 0 && (rel[rl] == '/' || rel[rl] == '\0')) rel += rl;
    snprintf(host, sizeof host, "%s%s", h->mountpoint, rel);
  }
  if (mount(host, target, NULL, MS_BIND, NULL) < 0) return ts_fail(err, errno, "bind `%s` onto `%s`", host, sub);
  if (flags == 0) return 0;
  __cleanup_close int mntfd = -1;
  if (mount_target_reopen(&t, sub, &mntfd, err) < 0) return -1;
  if (mount(NULL, fd_path(mntfd, buf), NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0)
    return ts_fail(err, errno, "remount `%s` with flags %#lx", sub, flags);
  return 0;
}

/* "cpu,cpuacct" is also reachable as "cpu" and "cpuacct", as on the host. */
static int link_controllers(int dirfd, const char *name, ts_error *err) {
  if (strchr(name, ',') == NULL) return 0;
  __cleanup_free char *copy = strdup(name);
  if (copy == NULL) return ts_fail(err, ENOMEM, "link `%s`", name);
  char *save = NULL;
  for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save))
    if (symlinkat(name, dirfd, c) < 0 && errno != EEXIST) return ts_fail(err, errno, "symlink `%s` to `%s`", c, name);
  return 0;
}

static int mount_v1(int rootfd, const struct plan *p, const struct plan_mount *m, bool cgroupns, ts_error *err) {
  __cleanup_free char *cgroups = NULL, *mountinfo = NULL;
  if (read_file("/proc/self/cgroup", &cgroups, NULL, err) < 0 || read_file("/proc/self/mountinfo", &mountinfo, NULL, err) < 0)
    return -1;

  __attribute__((cleanup(mount_target_close))) struct mount_target t = { .parent = -1, .fd = -1 };
  if (mount_target_open(rootfd, m->destination, true, true, &t, err) < 0) return -1;
  char buf[TS_FD_PATH_MAX];
  unsigned long tmpfs_flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if (mount("tmpfs", fd_path(t.fd, buf), "tmpfs", tmpfs_flags, "mode=755") < 0)
    return ts_fail(err, errno, "mount a tmpfs on `%s`", m->destination);
  __cleanup_close int dirfd = -1;
  if (mount_target_reopen(&t, m->destination, &dirfd, err) < 0) return -1;

  char *save = NULL;
  for (char *line = strtok_r(cgroups, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    struct hierarchy h;
    char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c2 == NULL) continue;
    *c2 = '\0';
    h.controllers = c1 + 1;
    h.path = c2 + 1;
    if (!find_mount(mountinfo, &h)) continue;
    const char *name = strrchr(h.mountpoint, '/') + 1;
    if (mount_hierarchy(rootfd, p, m->destination, name, &h, cgroupns, m->flags, err) < 0) return -1;
    if (link_controllers(dirfd, name, err) < 0) return ts_wrap(err, "in `%s`", m->destination);
  }
  if ((m->flags & MS_RDONLY) && mount(NULL, fd_path(dirfd, buf), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | tmpfs_flags, NULL) < 0)
    return ts_fail(err, errno, "remount the tmpfs on `%s` read-only", m->destination);
  return mount_apply_attrs(dirfd, m, err);
}

static int mount_v2(int rootfd, const struct plan *p, const struct plan_mount *m, bool cgroupns, ts_error *err) {
  __cleanup_free char *cgroups = NULL;
  if (read_file("/proc/self/cgroup", &cgroups, NULL, err) < 0) return -1;
  const char *path = strstr(cgroups, "0::");
  if (path == NULL) return ts_fail(err, ENOENT, "find the cgroup2 path in /proc/self/cgroup");
  struct hierarchy h = { .controllers = "", .path = (char *)path + 3, .mountpoint = "/sys/fs/cgroup", .root = "/" };
  h.path[strcspn(h.path, "\n")] = '\0';

  /* mount_hierarchy works on dest/<name>: split the destination accordingly */
  char dest[PATH_MAX];
  snprintf(dest, sizeof dest, "%s", m->destination);
  char *slash = strrchr(dest, '/');
  if (slash == NULL || slash[1] == '\0') return ts_fail(err, EINVAL, "cgroup mount destination `%s`", m->destination);
  *slash = '\0';
  if (mount_hierarchy(rootfd, p, dest, slash + 1, &h, cgroupns, m->flags, err) < 0) return -1;

  __attribute__((cleanup(mount_target_close))) struct mount_target t = { .parent = -1, .fd = -1 };
  if (mount_target_open(rootfd, m->destination, true, false, &t, err) < 0) return -1;
  return mount_apply_attrs(t.fd, m, err);
}

int mount_cgroup(int rootfd, const struct plan *p, const struct plan_mount *m, ts_error *err) {
  struct statfs sf;
  if (statfs("/sys/fs/cgroup", &sf) < 0) return ts_fail(err, errno, "statfs `/sys/fs/cgroup`");
  bool cgroupns = plan_find_ns(p, TS_NS_CGROUP) != NULL;
  if (sf.f_type == CGROUP2_SUPER_MAGIC) return mount_v2(rootfd, p, m, cgroupns, err);
  return mount_v1(rootfd, p, m, cgroupns, err);
}
