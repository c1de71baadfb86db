/* After pivot_root every path is the container's own, so plain paths are safe here. */
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

static int write_sysctl(const struct plan_kv *kv, ts_error *err) {
  char path[PATH_MAX];
  int n = snprintf(path, sizeof path, "/proc/sys/%s", kv->key);
  if (n < 0 || (size_t)n >= sizeof path) return ts_fail(err, ENAMETOOLONG, "sysctl `%s`", kv->key);
  /* '.' never survives, so a key cannot climb out of /proc/sys with ".." */
  for (char *c = path + strlen("/proc/sys/"); *c; c++)
    if (*c == '.') *c = '/';
  if (write_file(path, kv->value, strlen(kv->value), err) < 0) return ts_wrap(err, "sysctl `%s`", kv->key);
  return 0;
}

/* Bind onto itself, then remount read-only, keeping the flags it has (some may be locked). */
static int make_readonly(const char *path, bool bind_first, ts_error *err) {
  if (bind_first && mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
    if (errno == ENOENT) return 0;
    return ts_fail(err, errno, "bind `%s` onto itself", path);
  }
  __cleanup_close int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0) return ts_fail(err, errno, "open `%s`", path);
  if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | mount_flags_of(fd), NULL) < 0)
    return ts_fail(err, errno, "remount `%s` read-only", path);
  return 0;
}

/* A directory gets a read-only empty tmpfs, anything else /dev/null. */
static int mask_path(const char *path, ts_error *err) {
  struct stat st;
  if (stat(path, &st) < 0) {
    if (errno == ENOENT) return 0;
    return ts_fail(err, errno, "mask `%s`: stat", path);
  }
  if (S_ISDIR(st.st_mode)) {
    if (mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) < 0) return ts_fail(err, errno, "mask `%s` with a tmpfs", path);
  } else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
    return ts_fail(err, errno, "mask `%s` with `/dev/null`", path);
  }
  return 0;
}

static int set_names(const struct plan *p, ts_error *err) {
  /* without a UTS namespace these would rename the host */
  bool uts = plan_find_ns(p, TS_NS_UTS) != NULL;
  if (p->hostname != NULL) {
    if (!uts) return ts_fail(err, EINVAL, "set the hostname `%s` without a UTS namespace", p->hostname);
    if (sethostname(p->hostname, strlen(p->hostname)) < 0) return ts_fail(err, errno, "set the hostname `%s`", p->hostname);
  }
  if (p->domainname != NULL) {
    if (!uts) return ts_fail(err, EINVAL, "set the domainname `%s` without a UTS namespace", p->domainname);
    if (setdomainname(p->domainname, strlen(p->domainname)) < 0)
      return ts_fail(err, errno, "set the domainname `%s`", p->domainname);
  }
  return 0;
}

int rootfs_finalize(const struct plan *p, ts_error *err) {
  /* sysctls first: /proc/sys is usually among the read-only paths */
  for (size_t i = 0; i < p->n_sysctl; i++)
    if (write_sysctl(&p->sysctl[i], err) < 0) return -1;
  if (set_names(p, err) < 0) return -1;
  for (size_t i = 0; i < p->n_readonly_paths; i++)
    if (make_readonly(p->readonly_paths[i], true, err) < 0) return ts_wrap(err, "readonly path");
  for (size_t i = 0; i < p->n_masked_paths; i++)
    if (mask_path(p->masked_paths[i], err) < 0) return -1;
  if (p->rootfs_readonly && make_readonly("/", false, err) < 0) return ts_wrap(err, "read-only root");
  return 0;
}
