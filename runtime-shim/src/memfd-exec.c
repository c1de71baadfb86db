#include "memfd-exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#define TS_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define TS_MEMFD_NAME "tsrun"

int memfd_sealed_copy(const char *path, ts_error *err) {
  __cleanup_close int src = open(path, O_RDONLY | O_CLOEXEC);
  if (src < 0) return ts_fail(err, errno, "open `%s`", path);
  struct stat st;
  if (fstat(src, &st) < 0) return ts_fail(err, errno, "stat `%s`", path);
  __cleanup_close int mfd = memfd_create(TS_MEMFD_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0) return ts_fail(err, errno, "memfd_create for a copy of `%s`", path);
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = sendfile(mfd, src, NULL, (size_t)left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ts_fail(err, errno, "copy `%s` into a memfd", path);
    if (n == 0) return ts_fail(err, EIO, "copy `%s` into a memfd: file shrank", path);
    left -= n;
  }
  if (fcntl(mfd, F_ADD_SEALS, TS_SEALS) < 0) return ts_fail(err, errno, "seal the memfd copy of `%s`", path);
  int fd = mfd;
  mfd = -1;
  return fd;
}

/* An fd number from the environment is only a hint: it is used when it is a
 * memfd we named, sealed against every change; anything else gets a fresh copy. */
static int shared_exe_fd(void) {
  const char *s = getenv(TS_SEALED_EXE_ENV);
  if (s == NULL || *s == '\0') return -1;
  char *end;
  long fd = strtol(s, &end, 10);
  if (*end != '\0' || fd < 3 || fd > 1 << 20) return -1;
  int seals = fcntl((int)fd, F_GET_SEALS);
  if (seals < 0 || (seals & TS_SEALS) != TS_SEALS) return -1;
  char link[32], target[64];
  snprintf(link, sizeof link, "/proc/self/fd/%ld", fd);
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n < 0) return -1;
  target[n] = '\0';
  static const char prefix[] = "/memfd:" TS_MEMFD_NAME;
  if (strncmp(target, prefix, sizeof prefix - 1) != 0) return -1;
  return (int)fd;
}

int memfd_shared_exe(void) {
  int fd = shared_exe_fd();
  if (fd >= 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) return -1;
  return fd;
}

void memfd_shared_exe_inherit(int min_fd) {
  int fd = shared_exe_fd();
  if (fd >= min_fd && fcntl(fd, F_SETFD, 0) == 0) return;
  unsetenv(TS_SEALED_EXE_ENV);
}

int memfd_exec_self(char *const argv[], ts_error *err) {
  /* close-on-exec is fine for an ELF binary: the kernel holds the file while it runs */
  int shared = memfd_shared_exe();
  unsetenv(TS_SEALED_EXE_ENV);
  __cleanup_close int fd = shared >= 0 ? -1 : memfd_sealed_copy("/proc/self/exe", err);
  if (shared < 0 && fd < 0) return ts_wrap(err, "re-exec from a sealed copy");
  fexecve(shared >= 0 ? shared : fd, argv, environ);
  return ts_fail(err, errno, "re-exec from a sealed copy: fexecve `%s`", argv[0]);
}
