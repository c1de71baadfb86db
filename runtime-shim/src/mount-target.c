#include "mount-target.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_SYMLINK_HOPS 40

const char *fd_path(int fd, char buf[TS_FD_PATH_MAX]) {
  snprintf(buf, TS_FD_PATH_MAX, "/proc/self/fd/%d", fd);
  return buf;
}

/* RESOLVE_IN_ROOT makes ".." and absolute symlinks stop at rootfd; magic links
 * (/proc/self/root of a proc mounted earlier) would jump out, so they are refused. */
static int open_in_root(int rootfd, const char *path) {
  struct open_how how = {
    .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd;
  do fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  return fd;
}

static void replace_fd(int *slot, int fd) {
  if (*slot >= 0) close(*slot);
  *slot = fd;
}

/* Replace path[keep..end) by a symlink's target: relative targets stay after the
 * directory that holds the link, absolute ones restart at the (container) root. */
static int follow_link(char *path, size_t keep, const char *target, size_t rest_at, const char *dest, ts_error *err) {
  char buf[PATH_MAX];
  int n = snprintf(buf, sizeof buf, "%.*s%s%s", target[0] == '/' ? 0 : (int)keep, path, target, path + rest_at);
  if (n < 0 || (size_t)n >= sizeof buf) return ts_fail(err, ENAMETOOLONG, "resolve `%s` in the rootfs", dest);
  memcpy(path, buf, (size_t)n + 1);
  return 0;
}

/* Open the directory part of path (everything before the last '/') inside the root,
 * creating missing directories when create. Returns 1 when a dangling symlink was
 * met and path was rewritten through it: the caller starts over. */
static int walk_dirs(int rootfd, char *path, size_t dir_end, bool create, int *out, const char *dest, ts_error *err) {
  __cleanup_close int parent = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (parent < 0) return ts_fail(err, errno, "open the rootfs");
  size_t pos = 0;
  while (pos < dir_end) {
    while (pos < dir_end && path[pos] == '/') pos++;
    if (pos >= dir_end) break;
    size_t start = pos;
    while (pos < dir_end && path[pos] != '/') pos++;
    char saved = path[pos];
    path[pos] = '\0';   /* path is now the prefix up to this component, for lookups and messages */
    int fd = open_in_root(rootfd, path);
    if (fd < 0) {
      if (errno != ENOENT) return ts_fail(err, errno, "resolve `%s` in the rootfs", path);
      const char *comp = path + start;
      char target[PATH_MAX];
      ssize_t tl = readlinkat(parent, comp, target, sizeof target - 1);
      if (tl >= 0) {
        target[tl] = '\0';
        path[pos] = saved;
        return follow_link(path, start, target, pos, dest, err) < 0 ? -1 : 1;
      }
      if (!create) return ts_fail(err, ENOENT, "resolve `%s` in the rootfs", path);
      if (mkdirat(parent, comp, 0755) < 0 && errno != EEXIST) return ts_fail(err, errno, "mkdir `%s` in the rootfs", path);
      fd = openat(parent, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return ts_fail(err, errno, "open `%s` in the rootfs", path);
    }
    path[pos] = saved;
    replace_fd(&parent, fd);
  }
  *out = parent;
  parent = -1;
  return 0;
}

/* Split path into its directory part and last component; trailing slashes go. */
static int split_last(char *path, size_t *dir_end, char name[NAME_MAX + 1], const char *dest, ts_error *err) {
  size_t len = strlen(path);
  while (len > 0 && path[len - 1] == '/') path[--len] = '\0';
  char *slash = strrchr(path, '/');
  const char *last = slash ? slash + 1 : path;
  *dir_end = slash ? (size_t)(slash - path) : 0;
  if (*last == '\0' || strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
    return ts_fail(err, EINVAL, "destination `%s` does not name a file or directory below the root", dest);
  if (strlen(last) > NAME_MAX) return ts_fail(err, ENAMETOOLONG, "destination `%s`", dest);
  strcpy(name, last);
  return 0;
}

static int copy_dest(char path[PATH_MAX], const char *dest, ts_error *err) {
  if (strlen(dest) >= PATH_MAX) return ts_fail(err, ENAMETOOLONG, "destination `%s`", dest);
  strcpy(path, dest);
  return 0;
}

int mount_target_parent(int rootfd, const char *dest, bool create, int *parent, char name[NAME_MAX + 1], ts_error *err) {
  char path[PATH_MAX];
  if (copy_dest(path, dest, err) < 0) return -1;
  for (int hops = 0; hops <= MAX_SYMLINK_HOPS; hops++) {
    size_t dir_end;
    if (split_last(path, &dir_end, name, dest, err) < 0) return -1;
    int r = walk_dirs(rootfd, path, dir_end, create, parent, dest, err);
    if (r <= 0) return r;
  }
  return ts_fail(err, ELOOP, "resolve `%s` in the rootfs", dest);
}

/* Create the missing last component: a directory or an empty file. */
static int create_last(int parent, const char *name, bool dir, const char *dest, ts_error *err) {
  if (dir) {
    if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) return ts_fail(err, errno, "mkdir `%s` in the rootfs", dest);
    return 0;
  }
  int fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST) return ts_fail(err, errno, "create `%s` in the rootfs", dest);
  if (fd >= 0) close(fd);
  return 0;
}

static int open_target(int rootfd, const char *dest, bool dir, bool create, struct mount_target *t, ts_error *err) {
  char path[PATH_MAX];
  if (copy_dest(path, dest, err) < 0) return -1;
  for (int hops = 0; hops <= MAX_SYMLINK_HOPS; hops++) {
    size_t dir_end;
    if (split_last(path, &dir_end, t->name, dest, err) < 0) return -1;
    int parent;
    int r = walk_dirs(rootfd, path, dir_end, create, &parent, dest, err);
    if (r < 0) return -1;
    if (r > 0) continue;
    replace_fd(&t->parent, parent);

    int fd = openat(parent, t->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno != ENOENT || !create) return ts_fail(err, errno, "open `%s` in the rootfs", dest);
      if (create_last(parent, t->name, dir, dest, err) < 0) return -1;
      continue;   /* open what was created (or what won a race) on the next round */
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
      int e = errno;
      close(fd);
      return ts_fail(err, e, "stat `%s` in the rootfs", dest);
    }
    if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      ssize_t tl = readlinkat(parent, t->name, target, sizeof target - 1);
      close(fd);
      if (tl < 0) return ts_fail(err, errno, "readlink `%s` in the rootfs", dest);
      target[tl] = '\0';
      if (follow_link(path, dir_end + 1, target, strlen(path), dest, err) < 0) return -1;
      continue;
    }
    if (dir != !!S_ISDIR(st.st_mode)) {
      close(fd);
      return ts_fail(err, dir ? ENOTDIR : EISDIR, "mount destination `%s`", dest);
    }
    t->fd = fd;
    return 0;
  }
  return ts_fail(err, ELOOP, "resolve `%s` in the rootfs", dest);
}

int mount_target_open(int rootfd, const char *dest, bool dir, bool create, struct mount_target *t, ts_error *err) {
  t->parent = t->fd = -1;
  if (open_target(rootfd, dest, dir, create, t, err) == 0) return 0;
  mount_target_close(t);
  return -1;
}

static int mount_id(int fd, uint64_t *id) {
  struct statx sx;
  if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0) return -1;
  *id = sx.stx_mnt_id;
  return 0;
}

int mount_target_reopen(const struct mount_target *t, const char *dest, int *out, ts_error *err) {
  /* A lookup of the name from the fixed parent crosses into the new mount;
   * the magic link to t->fd would not. */
  int fd = openat(t->parent, t->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ts_fail(err, errno, "open the new mount at `%s`", dest);
  uint64_t before, after;
  if (mount_id(t->fd, &before) < 0 || mount_id(fd, &after) < 0) {
    int e = errno;
    close(fd);
    return ts_fail(err, e, "statx the new mount at `%s`", dest);
  }
  if (before == after) {
    close(fd);
    return ts_fail(err, EXDEV, "the mount at `%s` did not appear where it was made", dest);
  }
  *out = fd;
  return 0;
}

void mount_target_close(struct mount_target *t) {
  replace_fd(&t->fd, -1);
  replace_fd(&t->parent, -1);
}

unsigned long mount_flags_of(int fd) {
  static const struct { unsigned long st, ms; } map[] = {
    { ST_RDONLY, MS_RDONLY }, { ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC },
    { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
  };
  struct statvfs sv;
  unsigned long flags = 0;
  if (fstatvfs(fd, &sv) < 0) return 0;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (sv.f_flag & map[i].st) flags |= map[i].ms;
  return flags;
}

int mount_apply_attrs(int mntfd, const struct plan_mount *m, ts_error *err) {
  char buf[TS_FD_PATH_MAX];
  if (m->attr_set != 0 || m->attr_clr != 0) {
    struct mount_attr attr = { .attr_set = m->attr_set, .attr_clr = m->attr_clr };
    if (mount_setattr(mntfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
      return ts_fail(err, errno, "mount_setattr on `%s`", m->destination);
  }
  for (size_t i = 0; i < m->n_propagation; i++)
    if (mount(NULL, fd_path(mntfd, buf), NULL, m->propagation[i], NULL) < 0)
      return ts_fail(err, errno, "change the propagation of `%s` (%#lx)", m->destination, m->propagation[i]);
  return 0;
}
