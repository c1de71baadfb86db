#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mount-target.h"

static mode_t node_type(char type) {
  switch (type) {
  case 'b': return S_IFBLK;
  case 'p': return S_IFIFO;
  default: return S_IFCHR;   /* 'c' and 'u' (unbuffered) */
  }
}

/* In a user namespace mknod of a device is not allowed: bind the host's node
 * onto an empty file instead. The host node is never chmod'ed or chown'ed. */
static int bind_host_node(int parent, const char *name, const struct plan_device *d, ts_error *err) {
  int created = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
  if (created < 0 && errno != EEXIST) return ts_fail(err, errno, "create `%s` in the rootfs", d->path);
  if (created >= 0) close(created);
  __cleanup_close int fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) return ts_fail(err, errno, "open `%s` in the rootfs", d->path);
  if (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))
    return ts_fail(err, EEXIST, "`%s` in the rootfs is not a file to bind the device onto", d->path);
  char buf[TS_FD_PATH_MAX];
  if (mount(d->path, fd_path(fd, buf), NULL, MS_BIND, NULL) < 0)
    return ts_fail(err, errno, "bind the host's `%s` into the rootfs", d->path);
  return 0;
}

static int make_node(int parent, const char *name, const struct plan_device *d, ts_error *err) {
  mode_t perm = d->file_mode & 07777;
  if (mknodat(parent, name, node_type(d->type) | perm, makedev(d->major, d->minor)) < 0) {
    if (errno == EEXIST) return 0;   /* the image ships its own node: leave it, as runc does */
    return ts_fail(err, errno, "mknod `%s` (%c %lld:%lld) in the rootfs", d->path, d->type, (long long)d->major, (long long)d->minor);
  }
  __cleanup_close int fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ts_fail(err, errno, "open the new `%s`", d->path);
  if (fchownat(fd, "", d->uid, d->gid, AT_EMPTY_PATH) < 0)
    return ts_fail(err, errno, "chown the new `%s` to %u:%u", d->path, d->uid, d->gid);
  /* the umask trimmed the mknod mode; the magic link reaches the node without opening it */
  char buf[TS_FD_PATH_MAX];
  if (chmod(fd_path(fd, buf), perm) < 0) return ts_fail(err, errno, "chmod the new `%s` to %o", d->path, perm);
  return 0;
}

static int create_device(int rootfd, const struct plan_device *d, bool userns, ts_error *err) {
  __cleanup_close int parent = -1;
  char name[NAME_MAX + 1];
  if (mount_target_parent(rootfd, d->path, true, &parent, name, err) < 0) return -1;
  if (userns && d->type != 'p') return bind_host_node(parent, name, d, err);
  return make_node(parent, name, d, err);
}

static int create_symlinks(int rootfd, bool proc_mounted, ts_error *err) {
  static const struct { const char *name, *target; } links[] = {
    { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" }, { "core", "/proc/kcore" },
  };
  __cleanup_close int dev = -1;
  char name[NAME_MAX + 1];
  if (mount_target_parent(rootfd, "/dev/fd", true, &dev, name, err) < 0) return -1;
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    if (strcmp(links[i].name, "core") == 0 && !proc_mounted) continue;
    if (symlinkat(links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
      return ts_fail(err, errno, "symlink `/dev/%s` to `%s` in the rootfs", links[i].name, links[i].target);
  }
  return 0;
}

int devices_setup(int rootfd, const struct plan *p, ts_error *err) {
  const struct plan_mount *dev = plan_mount_at(p, "/dev");
  if (dev != NULL && dev->bind) return 0;   /* the host's /dev or a volume: never write into it */
  if (p->n_devices == 0 && (dev == NULL || strcmp(dev->type, "tmpfs") != 0)) return 0;

  bool userns = plan_find_ns(p, TS_NS_USER) != NULL;
  for (size_t i = 0; i < p->n_devices; i++)
    if (create_device(rootfd, &p->devices[i], userns, err) < 0) return ts_wrap(err, "device %zu", i);

  const struct plan_mount *proc = plan_mount_at(p, "/proc");
  return create_symlinks(rootfd, proc != NULL && strcmp(proc->type, "proc") == 0, err);
}
