#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int read_file(const char *path, char **out, size_t *len, ts_error *err) {
  __cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ts_fail(err, errno, "open `%s`", path);
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  if (buf == NULL) return ts_fail(err, ENOMEM, "read `%s`", path);
  for (;;) {
    if (n + 1 >= cap) {
      char *nb = realloc(buf, cap *= 2);
      if (nb == NULL) { free(buf); return ts_fail(err, ENOMEM, "read `%s`", path); }
      buf = nb;
    }
    ssize_t r = read(fd, buf + n, cap - n - 1);
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno; free(buf);
      return ts_fail(err, e, "read `%s`", path);
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  buf[n] = '\0';
  *out = buf;
  if (len) *len = n;
  return 0;
}

static int write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, data, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    data += w;
    len -= (size_t)w;
  }
  return 0;
}

int write_file(const char *path, const char *data, size_t len, ts_error *err) {
  __cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC | O_TRUNC);
  if (fd < 0) return ts_fail(err, errno, "open `%s`", path);
  if (write_all(fd, data, len) < 0) return ts_fail(err, errno, "write `%.*s` to `%s`", (int)(len > 64 ? 64 : len), data, path);
  return 0;
}

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode, ts_error *err) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp-%d", path, (int)getpid()) >= (int)sizeof tmp)
    return ts_fail(err, ENAMETOOLONG, "write `%s`", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ts_fail(err, errno, "create `%s`", tmp);
  /* no fsync: these are runtime state files (state.json, the pid file) under the state
   * root, /run by default: a process crash cannot tear a rename, and after a power loss
   * every container they describe is gone anyway. An fsync cost 0.5-6 ms per write here. */
  if (write_all(fd, data, len) < 0) {
    int e = errno;
    close(fd);
    unlink(tmp);
    return ts_fail(err, e, "write `%s`", tmp);
  }
  close(fd);
  if (rename(tmp, path) < 0) {
    int e = errno;
    unlink(tmp);
    return ts_fail(err, e, "rename `%s` to `%s`", tmp, path);
  }
  return 0;
}

int mkdir_p(const char *path, mode_t mode, ts_error *err) {
  char buf[4096];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof buf) return ts_fail(err, ENAMETOOLONG, "mkdir `%s`", path);
  memcpy(buf, path, n + 1);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, mode) < 0 && errno != EEXIST) return ts_fail(err, errno, "mkdir `%s`", buf);
    *p = '/';
  }
  if (mkdir(buf, mode) < 0 && errno != EEXIST) return ts_fail(err, errno, "mkdir `%s`", buf);
  return 0;
}

unsigned long long proc_start_time(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t r = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (r <= 0) return 0;
  buf[r] = '\0';
  /* comm may hold spaces and parentheses: fields start after the last ')' */
  char *p = strrchr(buf, ')');
  if (p == NULL) return 0;
  p += 2; /* field 3, the state */
  if (*p == 'Z' || *p == 'X') return 0;
  for (int field = 3; field < 22 && *p; p++)
    if (*p == ' ') field++;
  return strtoull(p, NULL, 10);
}

void now_rfc3339(char *buf, size_t size) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, size - n, ".%09ldZ", ts.tv_nsec);
}
