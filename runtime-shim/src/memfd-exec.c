#include "memfd-exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#define TS_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

int memfd_sealed_copy(const char *path, ts_error *err) {
  __cleanup_close int src = open(path, O_RDONLY | O_CLOEXEC);
  if (src < 0) return ts_fail(err, errno, "open `%s`", path);
  struct stat st;
  if (fstat(src, &st) < 0) return ts_fail(err, errno, "stat `%s`", path);
  __cleanup_close int mfd = memfd_create("tsrun", MFD_CLOEXEC | MFD_ALLOW_SEALING);
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

int memfd_exec_self(char *const argv[], ts_error *err) {
  /* close-on-exec is fine for an ELF binary: the kernel holds the file while it runs */
  __cleanup_close int fd = memfd_sealed_copy("/proc/self/exe", err);
  if (fd < 0) return ts_wrap(err, "re-exec from a sealed copy");
  fexecve(fd, argv, environ);
  return ts_fail(err, errno, "re-exec from a sealed copy: fexecve `%s`", argv[0]);
}
