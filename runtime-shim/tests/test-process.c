#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"
#include "util.h"

#define CHECK(cond, code)                                      \
  do {                                                         \
    if (!(cond)) {                                             \
      fprintf(stderr, "child: %s failed\n", #cond);            \
      return code;                                             \
    }                                                          \
  } while (0)

static int in_child(int (*fn)(void *), void *arg) {
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) _exit(fn(arg));
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

/* "CapEff:\t0000000000000401" from /proc/self/status */
static unsigned long long status_field(const char *name) {
  char *buf = NULL;
  ts_error err = { 0 };
  if (read_file("/proc/self/status", &buf, NULL, &err) < 0) return ~0ULL;
  char *p = strstr(buf, name);
  unsigned long long v = p ? strtoull(p + strlen(name) + 2, NULL, 16) : ~0ULL;
  if (p && strcmp(name, "NoNewPrivs") == 0) v = strtoull(p + strlen(name) + 2, NULL, 10);
  free(buf);
  return v;
}

static gid_t groups[] = { 5, 6 };
static struct plan_rlimit limits[] = { { .resource = RLIMIT_NOFILE, .soft = 100, .hard = 200 }, { .resource = RLIMIT_CORE, .soft = 0, .hard = -1 } };
#define CAPS ((1ULL << 0) | (1ULL << 10)) /* CAP_CHOWN, CAP_NET_BIND_SERVICE */

static int finalize_user(void *arg) {
  struct plan_process proc = {
    .uid = 1000, .gid = 1001, .has_umask = true, .umask = 027, .additional_gids = groups, .n_additional_gids = 2,
    .has_caps = true, .caps = { .bounding = CAPS, .effective = CAPS, .permitted = CAPS, .inheritable = CAPS, .ambient = 1ULL << 10 },
    .no_new_privileges = true, .rlimits = limits, .n_rlimits = 2,
    .has_oom_score_adj = true, .oom_score_adj = 100, .has_io_priority = true, .io_priority_class = 2, .io_priority_level = 4,
  };
  ts_error err = { 0 };
  if (process_finalize(&proc, true, &err) < 0) {
    fprintf(stderr, "child: %s\n", err.msg);
    return 1;
  }
  uid_t r, e, s;
  gid_t gr, ge, gs, list[8];
  struct rlimit rl;
  CHECK(getresuid(&r, &e, &s) == 0 && r == 1000 && e == 1000 && s == 1000, 2);
  CHECK(getresgid(&gr, &ge, &gs) == 0 && gr == 1001 && ge == 1001 && gs == 1001, 3);
  CHECK(getgroups(8, list) == 2 && list[0] == 5 && list[1] == 6, 4);
  CHECK(status_field("CapBnd") == CAPS, 5);
  CHECK(status_field("CapEff") == CAPS, 6);
  CHECK(status_field("CapPrm") == CAPS, 7);
  CHECK(status_field("CapInh") == CAPS, 8);
  CHECK(status_field("CapAmb") == 1ULL << 10, 9);
  CHECK(status_field("NoNewPrivs") == 1, 10);
  CHECK(umask(0) == 027, 11);
  CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 100 && rl.rlim_max == 200, 12);
  CHECK(getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0 && rl.rlim_max == RLIM_INFINITY, 13);
  char *oom = NULL;
  CHECK(read_file("/proc/self/oom_score_adj", &oom, NULL, &err) == 0 && atoi(oom) == 100, 14);
  free(oom);
  CHECK(syscall(SYS_ioprio_get, 1, 0) == (2 << 13 | 4), 15);
  return 0;
}

static void test_finalize_user_and_caps(void **state) {
  assert_int_equal(in_child(finalize_user, NULL), 0);
}

static int finalize_keep_caps(void *arg) {
  unsigned long long before = status_field("CapEff");
  struct plan_process proc = { .uid = 0, .gid = 0 };
  ts_error err = { 0 };
  if (process_finalize(&proc, false, &err) < 0) {
    fprintf(stderr, "child: %s\n", err.msg);
    return 1;
  }
  CHECK(status_field("CapEff") == before, 2);
  CHECK(status_field("NoNewPrivs") == 0, 3);
  CHECK(getuid() == 0, 4);
  CHECK(umask(0) == 022, 5);
  return 0;
}

static void test_finalize_without_caps_leaves_them(void **state) {
  assert_int_equal(in_child(finalize_keep_caps, NULL), 0);
}

static int expect_finalize_error(void *arg) {
  const struct plan_process *proc = arg;
  ts_error err = { 0 };
  if (process_finalize(proc, false, &err) == 0) return 1;
  printf("%s", err.msg);
  return 0;
}

/* Runs expect_finalize_error in a child and returns its message. */
static char *finalize_error(struct plan_process *proc) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    _exit(expect_finalize_error(proc) || fflush(stdout));
  }
  close(fds[1]);
  static char msg[TS_ERR_MSG_MAX];
  ssize_t n = read(fds[0], msg, sizeof msg - 1);
  msg[n > 0 ? n : 0] = '\0';
  close(fds[0]);
  int status;
  waitpid(pid, &status, 0);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return msg;
}

static void test_rlimit_above_hard_limit(void **state) {
  struct rlimit cur;
  assert_int_equal(getrlimit(RLIMIT_NOFILE, &cur), 0);
  if (cur.rlim_max == RLIM_INFINITY) skip();
  struct plan_rlimit rl = { .resource = RLIMIT_NOFILE, .soft = 10, .hard = (int64_t)cur.rlim_max + 1 };
  struct plan_process proc = { .rlimits = &rl, .n_rlimits = 1 };
  char want[300];
  snprintf(want, sizeof want,
           "process.rlimits: RLIMIT_NOFILE hard limit %llu is above this runtime's hard limit %llu (raising it needs CAP_SYS_RESOURCE)",
           (unsigned long long)cur.rlim_max + 1, (unsigned long long)cur.rlim_max);
  assert_string_equal(finalize_error(&proc), want);
  rl = (struct plan_rlimit){ .resource = RLIMIT_NOFILE, .soft = 20, .hard = 10 };
  assert_string_equal(finalize_error(&proc), "process.rlimits: RLIMIT_NOFILE soft limit 20 is above its hard limit 10");
}

static void test_oom_score_adj_lowering(void **state) {
  struct plan_process proc = { .has_oom_score_adj = true, .oom_score_adj = -1000 };
  const char *msg = finalize_error(&proc);
  assert_non_null(strstr(msg, "process.oomScoreAdj: cannot set -1000, lower than the current "));
  assert_non_null(strstr(msg, "(lowering it needs CAP_SYS_RESOURCE)"));
}

struct exec_case { char *args0; char *env[3]; const char *cwd; const char *want_path, *want_err; };

static int prepare(void *arg) {
  struct exec_case *c = arg;
  char *args[] = { c->args0, NULL };
  size_t n_env = 0;
  while (c->env[n_env]) n_env++;
  struct plan_process proc = { .args = args, .n_args = 1, .env = c->env, .n_env = n_env, .cwd = (char *)c->cwd };
  ts_error err = { 0 };
  char *path = NULL;
  int r = process_prepare_exec(&proc, &path, &err);
  if (c->want_path) {
    if (r < 0 || strcmp(path, c->want_path) != 0) {
      fprintf(stderr, "child: %s: got %s (%s)\n", c->args0, path, err.msg);
      return 1;
    }
  } else if (r == 0 || strcmp(err.msg, c->want_err) != 0) {
    fprintf(stderr, "child: %s: got %d: %s\n", c->args0, r, err.msg);
    return 1;
  }
  free(path);
  return 0;
}

static void test_prepare_exec(void **state) {
  struct exec_case cases[] = {
    { "sh", { "PATH=/nonexistent::/bin", NULL }, "/", "/bin/sh", NULL },
    { "ls", { "HOME=/", NULL }, "/", "/usr/bin/ls", NULL },
    { "status", { "PATH=/bin:", NULL }, "/proc/self", NULL, "exec: \"status\": executable file not found in $PATH" }, /* found, not executable */
    { "sh", { "PATH=/bin:", NULL }, "/bin", "/bin/sh", NULL },
    { "./sh", { NULL }, "/bin", "./sh", NULL },
    { "nosuch", { NULL }, "/", NULL, "exec: \"nosuch\": executable file not found in $PATH" },
    { "/etc", { NULL }, "/", NULL, "exec: \"/etc\": Is a directory" },
    { "/proc/self/status", { NULL }, "/", NULL, "exec: \"/proc/self/status\": Permission denied" },
    { "/nonexistent", { NULL }, "/", NULL, "exec: \"/nonexistent\": No such file or directory" },
    { "sh", { NULL }, "/nonexistent", NULL, "chdir to process.cwd `/nonexistent`: No such file or directory" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) assert_int_equal(in_child(prepare, &cases[i]), 0);
}

/* A cwd outside the root (as left by a leaked host directory fd) is refused. */
static int cwd_outside_root(void *arg) {
  const char *root = arg;
  if (chdir("/tmp") < 0 || chroot(root) < 0) return 2;
  char *args[] = { "/x", NULL }, *env[] = { NULL };
  struct plan_process proc = { .args = args, .n_args = 1, .env = env, .cwd = "." };
  ts_error err = { 0 };
  char *path = NULL;
  if (process_prepare_exec(&proc, &path, &err) == 0) return 3;
  CHECK(strstr(err.msg, "process.cwd `.` is `(unreachable)/tmp`, outside the container's root") != NULL, 4);
  return 0;
}

static void test_cwd_outside_root(void **state) {
  char root[] = "/tmp/tsrun-test-process-XXXXXX";
  assert_non_null(mkdtemp(root));
  assert_int_equal(in_child(cwd_outside_root, root), 0);
  assert_int_equal(rmdir(root), 0);
}

static int exec_with_fds(void *arg) {
  int preserve = *(int *)arg;
  if (dup2(open("/dev/null", O_RDONLY), 10) < 0) return 2;
  char *args[] = { "sh", "-c", "test -e /proc/self/fd/10", NULL }, *env[] = { NULL };
  struct plan_process proc = { .args = args, .n_args = 3, .env = env };
  ts_error err = { 0 };
  process_exec(&proc, "/bin/sh", preserve, &err);
  return 3;
}

static int exec_missing(void *arg) {
  char *args[] = { "x", NULL }, *env[] = { NULL };
  struct plan_process proc = { .args = args, .n_args = 1, .env = env };
  ts_error err = { 0 };
  CHECK(process_exec(&proc, "/nonexistent/x", 0, &err) == -1, 1);
  CHECK(strcmp(err.msg, "exec `/nonexistent/x`: No such file or directory") == 0, 2);
  return 0;
}

static void test_exec_closes_fds(void **state) {
  int none = 0, keep = 8;
  assert_int_equal(in_child(exec_with_fds, &none), 1); /* fd 10 closed on exec */
  assert_int_equal(in_child(exec_with_fds, &keep), 0); /* fds 3..10 preserved */
  assert_int_equal(in_child(exec_missing, NULL), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_finalize_user_and_caps),
    cmocka_unit_test(test_finalize_without_caps_leaves_them),
    cmocka_unit_test(test_rlimit_above_hard_limit),
    cmocka_unit_test(test_oom_score_adj_lowering),
    cmocka_unit_test(test_prepare_exec),
    cmocka_unit_test(test_cwd_outside_root),
    cmocka_unit_test(test_exec_closes_fds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
