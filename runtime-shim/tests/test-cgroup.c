/* cgroup.h: v2 against a scratch tree shaped like cgroup2 (the host has no pure
 * v2 layout), v1 against the host's real hierarchies, and the v2 device eBPF
 * program against the host's real (controller-less) cgroup2 mount. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

/* what the teardowns undo, whatever point a test failed at */
static char scratch[256];
static pid_t child = -1;
static char *cleanup_dirs[8];
static size_t n_cleanup_dirs;
static char thaw_file[256];
static const char *thaw_value;

static void put(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
}

static const char *get(const char *path) {
  static char buf[4096];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n < 0 ? 0 : n] = '\0';
  while (n > 0 && buf[n - 1] == '\n') buf[--n] = '\0';
  return buf;
}

static char *join(const char *a, const char *b) {
  char *s = NULL;
  assert_true(asprintf(&s, "%s/%s", a, b) > 0);
  return s;
}

static bool exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  return remove(path);
}

static void kill_child(void) {
  if (child <= 0) return;
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  child = -1;
}

static int teardown(void **state) {
  if (thaw_file[0]) {
    int fd = open(thaw_file, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) { (void)!write(fd, thaw_value, strlen(thaw_value)); close(fd); }
    thaw_file[0] = '\0';
  }
  kill_child();
  struct plan_cgroup cg = { .version = 1, .dirs = cleanup_dirs, .n_dirs = n_cleanup_dirs };
  ts_error err = { 0 };
  if (n_cleanup_dirs > 0 && cgroup_destroy(&cg, &err) < 0) fprintf(stderr, "teardown: %s\n", err.msg);
  for (size_t i = 0; i < n_cleanup_dirs; i++) free(cleanup_dirs[i]);
  n_cleanup_dirs = 0;
  if (scratch[0]) nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  scratch[0] = '\0';
  return 0;
}

static void make_scratch(void) {
  strcpy(scratch, "/tmp/tsrun-cgroup-XXXXXX");
  assert_non_null(mkdtemp(scratch));
}

/* The kernel drops a cgroup's control files with it; plain files would make rmdir fail. */
static int rm_file(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  return flag == FTW_F ? unlink(path) : 0;
}

static void test_v2_scratch_create_mkdir_p(void **state) {
  make_scratch();
  char *dir = join(scratch, "a/b/c");
  struct plan_cgroup cg = { .version = 2, .dirs = &dir, .n_dirs = 1 };
  ts_error err = { 0 };
  assert_int_equal(cgroup_create(&cg, &err), 0);
  assert_true(exists(dir));
  assert_int_equal(cgroup_destroy(&cg, &err), 0);
  assert_false(exists(dir));
  assert_int_equal(cgroup_destroy(&cg, &err), 0);   /* ENOENT is fine */
  free(dir);
}

static void test_v2_scratch(void **state) {
  make_scratch();
  char root[300], mid[300], c1[300], sub[300], path[400];
  snprintf(root, sizeof root, "%s/cg", scratch);
  snprintf(mid, sizeof mid, "%s/mid", root);
  snprintf(c1, sizeof c1, "%s/c1", mid);
  snprintf(sub, sizeof sub, "%s/sub", c1);
  assert_int_equal(mkdir(root, 0755) | mkdir(mid, 0755) | mkdir(c1, 0755) | mkdir(sub, 0755), 0);
  /* root offers no pids; cpu is already enabled there; mid offers what root would hand down */
  static const char *files[][2] = {
    { "cg/cgroup.controllers", "cpu io memory\n" }, { "cg/cgroup.subtree_control", "cpu\n" },
    { "cg/mid/cgroup.controllers", "cpu memory\n" }, { "cg/mid/cgroup.subtree_control", "" },
    { "cg/mid/c1/cgroup.controllers", "cpu memory\n" }, { "cg/mid/c1/cgroup.subtree_control", "" },
    { "cg/mid/c1/cgroup.procs", "" }, { "cg/mid/c1/memory.max", "max\n" }, { "cg/mid/c1/cpu.max", "max 100000\n" },
    { "cg/mid/c1/pids.max", "max\n" }, { "cg/mid/c1/cgroup.max.depth", "max\n" },
    { "cg/mid/c1/cgroup.freeze", "0\n" }, { "cg/mid/c1/cgroup.events", "populated 1\nfrozen 0\n" },
    { "cg/mid/c1/sub/cgroup.procs", "4242\n4243\n" },
  };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", scratch, files[i][0]);
    put(path, files[i][1]);
  }
  char *dir = c1;
  struct plan_cgroup_write writes[] = {
    { c1, "memory.max", "67108864" }, { c1, "cpu.max", "50000 100000" },
    { c1, "pids.max", "100" }, { c1, "cgroup.max.depth", "3" },
  };
  struct plan_cgroup cg = { .version = 2, .dirs = &dir, .n_dirs = 1, .freezer = c1, .writes = writes, .n_writes = 4 };
  ts_error err = { 0 };
  assert_int_equal(cgroup_create(&cg, &err), 0);

  snprintf(path, sizeof path, "%s/cgroup.subtree_control", root);
  assert_string_equal(get(path), "+memory");
  snprintf(path, sizeof path, "%s/cgroup.subtree_control", mid);
  assert_string_equal(get(path), "+memory +cpu");
  snprintf(path, sizeof path, "%s/cgroup.subtree_control", c1);
  assert_string_equal(get(path), "");
  snprintf(path, sizeof path, "%s/memory.max", c1);
  assert_string_equal(get(path), "67108864");
  snprintf(path, sizeof path, "%s/cpu.max", c1);
  assert_string_equal(get(path), "50000 100000");
  snprintf(path, sizeof path, "%s/pids.max", c1);
  assert_string_equal(get(path), "100");
  snprintf(path, sizeof path, "%s/cgroup.max.depth", c1);
  assert_string_equal(get(path), "3");

  /* errors name the value and the file */
  struct plan_cgroup_write bad = { c1, "nope.max", "7" };
  struct plan_cgroup bad_cg = { .version = 2, .dirs = &dir, .n_dirs = 1, .writes = &bad, .n_writes = 1 };
  assert_int_equal(cgroup_apply_writes(&bad_cg, &err), -1);
  char want[600];
  snprintf(want, sizeof want, "cgroup: write `7` to `%s/nope.max`: No such file or directory", c1);
  assert_string_equal(err.msg, want);
  assert_int_equal(err.errnum, ENOENT);

  assert_int_equal(cgroup_enter(&cg, 1234, &err), 0);
  snprintf(path, sizeof path, "%s/cgroup.procs", c1);
  assert_string_equal(get(path), "1234");

  pid_t *pids = NULL;
  size_t n = 0;
  assert_int_equal(cgroup_pids(&cg, &pids, &n, &err), 0);
  assert_int_equal(n, 3);
  assert_int_equal(pids[0], 1234);
  assert_int_equal(pids[1], 4242);
  assert_int_equal(pids[2], 4243);
  free(pids);

  /* freeze: the "kernel" (this test) reports frozen in cgroup.events */
  snprintf(path, sizeof path, "%s/cgroup.events", c1);
  put(path, "populated 1\nfrozen 1\n");
  assert_int_equal(cgroup_freeze(&cg, true, &err), 0);
  snprintf(path, sizeof path, "%s/cgroup.freeze", c1);
  assert_string_equal(get(path), "1");
  assert_int_equal(cgroup_is_frozen(&cg, &err), 1);
  snprintf(path, sizeof path, "%s/cgroup.events", c1);
  put(path, "populated 1\nfrozen 0\n");
  assert_int_equal(cgroup_freeze(&cg, false, &err), 0);
  snprintf(path, sizeof path, "%s/cgroup.freeze", c1);
  assert_string_equal(get(path), "0");
  assert_int_equal(cgroup_is_frozen(&cg, &err), 0);

  /* a freeze that never settles is undone and reported */
  assert_int_equal(cgroup_freeze(&cg, true, &err), -1);
  assert_int_equal(err.errnum, ETIMEDOUT);
  assert_string_equal(get(path), "0");

  nftw(c1, rm_file, 16, FTW_PHYS);
  assert_int_equal(cgroup_destroy(&cg, &err), 0);
  assert_false(exists(sub));
  assert_false(exists(c1));
  assert_true(exists(mid));   /* not in the plan: not ours to remove */
}

static const char *v1_ctrls[] = { "memory", "cpu", "pids", "cpuset", "freezer", "devices" };
#define N_V1 (sizeof v1_ctrls / sizeof v1_ctrls[0])

static bool cgroup_line(pid_t pid, const char *ctrl, const char *path) {
  char file[64], line[512], want[512];
  snprintf(file, sizeof file, "/proc/%d/cgroup", (int)pid);
  snprintf(want, sizeof want, ":%s:%s\n", ctrl, path);
  FILE *f = fopen(file, "r");
  if (f == NULL) return false;
  bool found = false;
  while (!found && fgets(line, sizeof line, f)) {
    char *p = strchr(line, ':');
    found = p && strcmp(p, want) == 0;
  }
  fclose(f);
  return found;
}

static void test_v1_real(void **state) {
  for (size_t i = 0; i < N_V1; i++) {
    char probe[64];
    snprintf(probe, sizeof probe, "/sys/fs/cgroup/%s/cgroup.procs", v1_ctrls[i]);
    if (!exists(probe)) skip();
  }
  char *dirs[N_V1], rel[64], *memdir = NULL, *cpusetdir = NULL, *freezerdir = NULL, *pidsdir = NULL;
  snprintf(rel, sizeof rel, "/tsrun-test-%d/ctr", (int)getpid());
  for (size_t i = 0; i < N_V1; i++) {
    char top[128];
    snprintf(top, sizeof top, "/sys/fs/cgroup/%s/tsrun-test-%d", v1_ctrls[i], (int)getpid());
    cleanup_dirs[n_cleanup_dirs++] = strdup(top);
    dirs[i] = join(top, "ctr");
  }
  memdir = dirs[0]; pidsdir = dirs[2]; cpusetdir = dirs[3]; freezerdir = dirs[4];
  struct plan_cgroup_write writes[] = {
    { memdir, "memory.limit_in_bytes", "67108864" }, { pidsdir, "pids.max", "50" }, { dirs[1], "cpu.shares", "512" },
  };
  struct plan_cgroup cg = { .version = 1, .dirs = dirs, .n_dirs = N_V1, .freezer = freezerdir, .writes = writes, .n_writes = 3 };
  ts_error err = { 0 };
  if (cgroup_create(&cg, &err) < 0) fail_msg("%s", err.msg);

  char path[256], host_cpus[64];
  snprintf(host_cpus, sizeof host_cpus, "%s", get("/sys/fs/cgroup/cpuset/cpuset.cpus"));
  snprintf(path, sizeof path, "%s/cpuset.cpus", cpusetdir);
  assert_string_equal(get(path), host_cpus);
  snprintf(path, sizeof path, "%s/../cpuset.mems", cpusetdir);
  assert_string_equal(get(path), get("/sys/fs/cgroup/cpuset/cpuset.mems"));
  snprintf(path, sizeof path, "%s/memory.limit_in_bytes", memdir);
  assert_string_equal(get(path), "67108864");
  snprintf(path, sizeof path, "%s/pids.max", pidsdir);
  assert_string_equal(get(path), "50");

  struct plan_cgroup_write bad = { memdir, "memory.limit_in_bytes", "lots" };
  struct plan_cgroup bad_cg = { .version = 1, .dirs = dirs, .n_dirs = N_V1, .writes = &bad, .n_writes = 1 };
  assert_int_equal(cgroup_apply_writes(&bad_cg, &err), -1);
  char want[400];
  snprintf(want, sizeof want, "cgroup: write `lots` to `%s/memory.limit_in_bytes`: Invalid argument", memdir);
  assert_string_equal(err.msg, want);

  child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    execlp("sleep", "sleep", "100", (char *)NULL);
    _exit(127);
  }
  if (cgroup_enter(&cg, child, &err) < 0) fail_msg("%s", err.msg);
  for (size_t i = 0; i < N_V1; i++) assert_true(cgroup_line(child, v1_ctrls[i], rel));

  pid_t *pids = NULL;
  size_t n = 0;
  assert_int_equal(cgroup_pids(&cg, &pids, &n, &err), 0);
  assert_int_equal(n, 1);
  assert_int_equal(pids[0], child);
  free(pids);

  snprintf(thaw_file, sizeof thaw_file, "%s/freezer.state", freezerdir);
  thaw_value = "THAWED";
  if (cgroup_freeze(&cg, true, &err) < 0) fail_msg("%s", err.msg);
  snprintf(path, sizeof path, "%s/freezer.state", freezerdir);
  assert_string_equal(get(path), "FROZEN");
  assert_int_equal(cgroup_is_frozen(&cg, &err), 1);
  if (cgroup_freeze(&cg, false, &err) < 0) fail_msg("%s", err.msg);
  assert_string_equal(get(path), "THAWED");
  assert_int_equal(cgroup_is_frozen(&cg, &err), 0);
  thaw_file[0] = '\0';

  if (cgroup_kill_all(&cg, SIGKILL, &err) < 0) fail_msg("%s", err.msg);
  int status;
  assert_int_equal(waitpid(child, &status, 0), child);
  child = -1;
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  assert_string_equal(get(path), "THAWED");

  char *deeper = join(memdir, "sub");
  assert_int_equal(mkdir(deeper, 0755), 0);
  if (cgroup_destroy(&cg, &err) < 0) fail_msg("%s", err.msg);
  assert_false(exists(deeper));
  for (size_t i = 0; i < N_V1; i++) assert_false(exists(dirs[i]));
  free(deeper);
  for (size_t i = 0; i < N_V1; i++) free(dirs[i]);
}

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
    cmocka_unit_test_teardown(test_v2_scratch_create_mkdir_p, teardown),
    cmocka_unit_test_teardown(test_v2_scratch, teardown),
    cmocka_unit_test_teardown(test_v1_real, teardown),
    cmocka_unit_test_teardown(test_v2_devices_real, teardown),
    cmocka_unit_test_teardown(test_v2_devices_rule_order, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
