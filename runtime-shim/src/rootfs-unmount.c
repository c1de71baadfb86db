/* Unmounting what a container without a mount namespace of its own left in the
 * host's: every mount at or below its rootfs, in reverse order of mounting. */
#include "rootfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "util.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape(char *s) {
  char *out = s;
  for (char *in = s; *in; in++) {
    if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' && in[3] >= '0' && in[3] <= '7') {
      *out++ = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
      in += 3;
    } else {
      *out++ = *in;
    }
  }
  *out = '\0';
}

static bool at_or_below(const char *path, const char *root, size_t root_len) {
  return strncmp(path, root, root_len) == 0 && (path[root_len] == '\0' || path[root_len] == '/');
}

int rootfs_unmount_all(const char *rootfs, ts_error *err) {
  __cleanup_free char *info = NULL;
  if (read_file("/proc/self/mountinfo", &info, NULL, err) < 0) return -1;
  size_t root_len = strlen(rootfs);
  size_t n = 0, cap = 16;
  char **points = malloc(cap * sizeof *points);
  if (points == NULL) return ts_fail(err, ENOMEM, "unmount `%s`", rootfs);
  for (char *save = NULL, *line = strtok_r(info, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    /* field 5 is the mount point */
    char *f = line;
    for (int i = 1; i < 5 && f; i++) f = strchr(f, ' ') ? strchr(f, ' ') + 1 : NULL;
    if (f == NULL) continue;
    char *end = strchr(f, ' ');
    if (end) *end = '\0';
    unescape(f);
    if (!at_or_below(f, rootfs, root_len)) continue;
    if (n == cap) {
      char **more = realloc(points, (cap *= 2) * sizeof *points);
      if (more == NULL) { free(points); return ts_fail(err, ENOMEM, "unmount `%s`", rootfs); }
      points = more;
    }
    points[n++] = f;
  }
  int r = 0;
  /* later mounts stack on earlier ones: undo them last-first */
  while (n-- > 0)
    if (umount2(points[n], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT && r == 0)
      r = ts_fail(err, errno, "unmount `%s`", points[n]);
  free(points);
  return r;
}
