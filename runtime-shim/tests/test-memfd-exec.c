/* memfd-exec.c: which fd named by $TSRUN_SEALED_EXE_FD is taken for the shared
 * sealed copy, and how it passes (or not) to the monitor's exec. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memfd-exec.h"

static void name_fd(int fd) {
  char s[16];
  snprintf(s, sizeof s, "%d", fd);
  setenv(TS_SEALED_EXE_ENV, s, 1);
}

static int sealed_copy(void) {
  ts_error err = { 0 };
  int fd = memfd_sealed_copy("/proc/self/exe", &err);
  assert_true(fd >= 3);
  return fd;
}

static void takes_a_sealed_copy_and_makes_it_cloexec(void **ctx) {
  int fd = sealed_copy();
  fcntl(fd, F_SETFD, 0);
  name_fd(fd);
  assert_int_equal(memfd_shared_exe(), fd);
  assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
  close(fd);
}

static void refuses_what_is_not_a_sealed_tsrun_memfd(void **ctx) {
  unsetenv(TS_SEALED_EXE_ENV);
  assert_int_equal(memfd_shared_exe(), -1);
  setenv(TS_SEALED_EXE_ENV, "3x", 1);
  assert_int_equal(memfd_shared_exe(), -1);
  int file = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  name_fd(file);
  assert_int_equal(memfd_shared_exe(), -1);
  /* ours by name, but writable */
  int unsealed = memfd_create("tsrun", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  name_fd(unsealed);
  assert_int_equal(memfd_shared_exe(), -1);
  fcntl(unsealed, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_WRITE);
  assert_int_equal(memfd_shared_exe(), -1);
  /* sealed, but not named by us */
  int other = memfd_create("other", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  fcntl(other, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
  name_fd(other);
  assert_int_equal(memfd_shared_exe(), -1);
  close(file);
  close(unsealed);
  close(other);
}

static void passes_to_the_monitor_above_the_preserved_fds(void **ctx) {
  int fd = sealed_copy();
  name_fd(fd);
  memfd_shared_exe_inherit(fd);
  assert_int_equal(fcntl(fd, F_GETFD), 0);
  assert_non_null(getenv(TS_SEALED_EXE_ENV));
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  /* on a preserved fd's number it would pass for one: dropped */
  memfd_shared_exe_inherit(fd + 1);
  assert_int_equal(fcntl(fd, F_GETFD), FD_CLOEXEC);
  assert_null(getenv(TS_SEALED_EXE_ENV));
  close(fd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(takes_a_sealed_copy_and_makes_it_cloexec),
    cmocka_unit_test(refuses_what_is_not_a_sealed_tsrun_memfd),
    cmocka_unit_test(passes_to_the_monitor_above_the_preserved_fds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
