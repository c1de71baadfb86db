/* The v2 device eBPF program, against the host's real (controller-less) cgroup2 mount. */
#include "cgroup-fixture.h"


/* The child waits on the pipe until it is in the cgroup, then reports its opens
 * as bits of its exit code: 1 for each expectation met. */
struct open_check { const char *path; int flags; int want_errno; };

static pid_t spawn_checker(int *release, const struct open_check *checks, size_t n) {
  int p[2];
  assert_int_equal(pipe2(p, O_CLOEXEC), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    char c;
    close(p[1]);
    if (read(p[0], &c, 1) != 1) _exit(255);
    int code = 0;
    for (size_t i = 0; i < n; i++) {
      int fd = open(checks[i].path, checks[i].flags | O_CLOEXEC);
      int e = fd < 0 ? errno : 0;
      if (fd >= 0) close(fd);
      if (e == checks[i].want_errno) code |= 1 << i;
    }
    _exit(code);
  }
  close(p[0]);
  *release = p[1];
  return pid;
}

static int run_checker(int release) {
  int status;
  assert_int_equal(write(release, "x", 1), 1);
  close(release);
  assert_int_equal(waitpid(child, &status, 0), child);
  child = -1;
  assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

static void test_v2_devices_real(void **state) {
  struct statfs sf;
  if (statfs("/sys/fs/cgroup/unified", &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) skip();
  char dir[128];
  snprintf(dir, sizeof dir, "/sys/fs/cgroup/unified/tsrun-test-%d", (int)getpid());
  cleanup_dirs[n_cleanup_dirs++] = strdup(dir);
  char *dirp = dir;
  struct plan_cgroup_device rules[] = {
    { .allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm" },
    { .allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rw" },
  };
  struct plan_cgroup_write writes[] = { { dir, "cgroup.max.descendants", "5" } };
  struct plan_cgroup cg = { .version = 2, .dirs = &dirp, .n_dirs = 1, .freezer = dir, .writes = writes, .n_writes = 1,
                            .has_devices = true, .devices = rules, .n_devices = 2 };
  ts_error err = { 0 };
  if (cgroup_create(&cg, &err) < 0) fail_msg("%s", err.msg);
  char path[256];
  snprintf(path, sizeof path, "%s/cgroup.max.descendants", dir);
  assert_string_equal(get(path), "5");

  static const struct open_check checks[] = {
    { "/dev/null", O_RDWR, 0 }, { "/dev/zero", O_RDONLY, EPERM },
  };
  int release;
  child = spawn_checker(&release, checks, 2);
  if (cgroup_enter(&cg, child, &err) < 0) fail_msg("%s", err.msg);
  assert_true(cgroup_line(child, "", dir + strlen("/sys/fs/cgroup/unified")));

  /* the real cgroup2 freezer, while the child waits */
  snprintf(thaw_file, sizeof thaw_file, "%s/cgroup.freeze", dir);
  thaw_value = "0";
  if (cgroup_freeze(&cg, true, &err) < 0) fail_msg("%s", err.msg);
  assert_int_equal(cgroup_is_frozen(&cg, &err), 1);
  if (cgroup_freeze(&cg, false, &err) < 0) fail_msg("%s", err.msg);
  assert_int_equal(cgroup_is_frozen(&cg, &err), 0);
  thaw_file[0] = '\0';

  assert_int_equal(run_checker(release), 3);
  if (cgroup_destroy(&cg, &err) < 0) fail_msg("%s", err.msg);
  assert_false(exists(dir));
}

/* Last match wins, allow needs every access requested, deny refuses any of them. */
static void test_v2_devices_rule_order(void **state) {
  struct statfs sf;
  if (statfs("/sys/fs/cgroup/unified", &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) skip();
  char dir[128];
  snprintf(dir, sizeof dir, "/sys/fs/cgroup/unified/tsrun-test-%d-rules", (int)getpid());
  cleanup_dirs[n_cleanup_dirs++] = strdup(dir);
  char *dirp = dir;
  struct plan_cgroup_device rules[] = {
    { .allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm" },
    { .allow = true, .type = 'c', .major = 1, .minor = -1, .access = "rwm" },   /* all of mem/null/zero/... */
    { .allow = false, .type = 'c', .major = 1, .minor = 7, .access = "w" },     /* /dev/full: no writes */
    { .allow = false, .type = 'c', .major = 1, .minor = 5, .access = "rwm" },   /* /dev/zero: nothing */
    { .allow = true, .type = 'b', .major = 1, .minor = 5, .access = "r" },      /* a block rule must not match c 1:5 */
  };
  struct plan_cgroup cg = { .version = 2, .dirs = &dirp, .n_dirs = 1, .has_devices = true, .devices = rules, .n_devices = 5 };
  ts_error err = { 0 };
  if (cgroup_create(&cg, &err) < 0) fail_msg("%s", err.msg);
  static const struct open_check checks[] = {
    { "/dev/null", O_RDONLY, 0 }, { "/dev/full", O_RDONLY, 0 }, { "/dev/full", O_WRONLY, EPERM },
    { "/dev/full", O_RDWR, EPERM }, { "/dev/zero", O_RDONLY, EPERM }, { "/dev/tty", O_RDONLY | O_NOCTTY, EPERM },
  };
  int release;
  child = spawn_checker(&release, checks, 6);
  if (cgroup_enter(&cg, child, &err) < 0) fail_msg("%s", err.msg);
  assert_int_equal(run_checker(release), 0x3f);
  if (cgroup_destroy(&cg, &err) < 0) fail_msg("%s", err.msg);
  assert_false(exists(dir));
}


int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(test_v2_devices_real, teardown),
    cmocka_unit_test_teardown(test_v2_devices_rule_order, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
