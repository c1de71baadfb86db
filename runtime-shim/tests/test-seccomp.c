#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"

static char *names_mkdir[] = { "mkdir", "mkdirat", NULL };
static char *names_unknown[] = { "no_such_syscall", "getppid", NULL };

/* Run fn in a child; return its wait status. */
static int in_child(int (*fn)(void *), void *arg) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) _exit(fn(arg));
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  return status;
}

static int mkdir_denied(void *arg) {
  struct plan_seccomp *s = arg;
  ts_error err = { 0 };
  if (seccomp_apply(s, &err) < 0) {
    fprintf(stderr, "%s\n", err.msg);
    return 10;
  }
  if (mkdir("/tmp/tsrun-seccomp-should-not-exist", 0700) == 0 || errno != EPERM) return 11;
  if (getpid() <= 0) return 12;
  return 0;
}

static void test_errno_rule(void **state) {
  struct plan_seccomp_rule rule = { .names = names_mkdir, .n_names = 2, .action = "SCMP_ACT_ERRNO" };
  char *archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
  char *flags[] = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL };
  struct plan_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .architectures = archs, .n_architectures = 3,
                            .flags = flags, .n_flags = 2, .syscalls = &rule, .n_syscalls = 1 };
  int status = in_child(mkdir_denied, &s);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

static int getppid_killed(void *arg) {
  ts_error err = { 0 };
  if (seccomp_apply(arg, &err) < 0) {
    fprintf(stderr, "%s\n", err.msg);
    return 10;
  }
  getppid();
  return 0;
}

static void test_kill_and_unknown_names(void **state) {
  struct plan_seccomp_rule rules[] = {
    { .names = names_unknown, .n_names = 2, .action = "SCMP_ACT_KILL" },
    { .names = names_mkdir, .n_names = 2, .action = "SCMP_ACT_ALLOW" }, /* = default: skipped */
  };
  struct plan_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = rules, .n_syscalls = 2 };
  int status = in_child(getppid_killed, &s);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGSYS);
}

/* The rule matches mkdir with a non-NULL path AND mode bits 0700 all set. */
static int mkdir_args(void *arg) {
  ts_error err = { 0 };
  if (seccomp_apply(arg, &err) < 0) {
    fprintf(stderr, "%s\n", err.msg);
    return 10;
  }
  errno = 0;
  if (mkdir("/", 0755) == 0 || errno != EEXIST) return 11;      /* mode 0755 matches no rule */
  if (mkdir("/", 0700) == 0 || errno != EACCES) return 12;      /* (mode & 0700) == 0700 and path arg != 0 */
  return 0;
}

static void test_args_and(void **state) {
  struct plan_seccomp_arg args[] = {
    { .index = 1, .value = 0777, .value_two = 0700, .op = "SCMP_CMP_MASKED_EQ" },
    { .index = 0, .value = 0, .op = "SCMP_CMP_NE" },
  };
  char *names[] = { "mkdir", NULL };
  struct plan_seccomp_rule rule = { .names = names, .n_names = 1, .action = "SCMP_ACT_ERRNO", .has_errno_ret = true,
                                    .errno_ret = EACCES, .args = args, .n_args = 2 };
  struct plan_seccomp s = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &rule, .n_syscalls = 1 };
  int status = in_child(mkdir_args, &s);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

static void expect_error(struct plan_seccomp *s, const char *msg) {
  ts_error err = { 0 };
  assert_int_equal(seccomp_apply(s, &err), -1);
  if (strcmp(err.msg, msg) != 0) fprintf(stderr, "got:  %s\nwant: %s\n", err.msg, msg);
  assert_string_equal(err.msg, msg);
}

static void test_errors(void **state) {
  struct plan_seccomp s = { .default_action = "SCMP_ACT_NOTIFY" };
  expect_error(&s, "seccomp: action SCMP_ACT_NOTIFY: seccomp notify is not supported");
  s.default_action = "SCMP_ACT_BOGUS";
  expect_error(&s, "seccomp: unknown action `SCMP_ACT_BOGUS`");
  char *archs[] = { "SCMP_ARCH_VAX", NULL };
  struct plan_seccomp s2 = { .default_action = "SCMP_ACT_ALLOW", .architectures = archs, .n_architectures = 1 };
  expect_error(&s2, "seccomp: unknown architecture `SCMP_ARCH_VAX`");
  char *flags[] = { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
  struct plan_seccomp s3 = { .default_action = "SCMP_ACT_ALLOW", .flags = flags, .n_flags = 1 };
  expect_error(&s3, "seccomp: flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported by this runtime (libseccomp 2.5.4)");
  struct plan_seccomp_arg arg = { .index = 0, .op = "SCMP_CMP_FOO" };
  struct plan_seccomp_rule rule = { .names = names_mkdir, .n_names = 2, .action = "SCMP_ACT_KILL", .args = &arg, .n_args = 1 };
  struct plan_seccomp s4 = { .default_action = "SCMP_ACT_ALLOW", .syscalls = &rule, .n_syscalls = 1 };
  expect_error(&s4, "seccomp: unknown operator `SCMP_CMP_FOO`");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_errno_rule),
    cmocka_unit_test(test_kill_and_unknown_names),
    cmocka_unit_test(test_args_and),
    cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
