#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "util.h"

static char dir[] = "/tmp/tsrun-test-hooks-XXXXXX";

static char *script(const char *name, const char *body) {
  char *path;
  assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fprintf(f, "#!/bin/sh\n%s\n", body);
  fclose(f);
  assert_int_equal(chmod(path, 0755), 0);
  return path;
}

static void expect(struct plan_hooks *hooks, enum ts_hook_kind kind, const char *state, int rc, const char *msg) {
  ts_error err = { 0 };
  int r = hooks_run(hooks, kind, state, &err);
  if (r != rc || (msg && strcmp(err.msg, msg) != 0)) fprintf(stderr, "got %d: %s\n", r, err.msg);
  assert_int_equal(r, rc);
  if (msg) assert_string_equal(err.msg, msg);
}

static void test_state_on_stdin_args_env(void **state) {
  char out[300], cmd[600];
  snprintf(out, sizeof out, "%s/out", dir);
  snprintf(cmd, sizeof cmd, "{ cat; echo; head -c 8 /proc/$$/cmdline; echo \"|$0|$1\"; /usr/bin/env | grep -v ^PWD=; } > %s", out);
  char *args[] = { "hookname", "-c", cmd, "zero", "one", NULL }, *env[] = { "FOO=bar", NULL }, *none[] = { NULL };
  struct plan_hook list[] = {
    { .path = "/bin/sh", .args = args, .n_args = 5, .env = env, .n_env = 1, .timeout = 5 },
  };
  struct plan_hooks hooks = { 0 };
  hooks.list[TS_HOOK_CREATE_RUNTIME] = list;
  hooks.n[TS_HOOK_CREATE_RUNTIME] = 1;
  expect(&hooks, TS_HOOK_CREATE_RUNTIME, "{\"id\":\"c1\"}", 0, NULL);
  char *got = NULL;
  ts_error err = { 0 };
  assert_int_equal(read_file(out, &got, NULL, &err), 0);
  assert_string_equal(got, "{\"id\":\"c1\"}\nhookname|zero|one\nFOO=bar\n");
  free(got);

  /* no args: argv is just the path; no env: an empty environment */
  char body[600];
  snprintf(body, sizeof body, "{ cat; echo; echo \"$#\"; /usr/bin/env | grep -v ^PWD= || true; } > %s", out);
  char *path = script("noargs.sh", body);
  list[0] = (struct plan_hook){ .path = path, .args = none, .env = none };
  expect(&hooks, TS_HOOK_CREATE_RUNTIME, "{}", 0, NULL);
  assert_int_equal(read_file(out, &got, NULL, &err), 0);
  assert_string_equal(got, "{}\n0\n");
  free(got);
  free(path);
}

static void test_failure_names_hook_and_output(void **state) {
  char *ok = script("true.sh", "exit 0");
  char *bad = script("bad.sh", "echo to-stdout; echo 'it broke' >&2; exit 3");
  char *none[] = { NULL };
  struct plan_hook list[] = { { .path = ok, .args = none, .env = none }, { .path = bad, .args = none, .env = none } };
  struct plan_hooks hooks = { 0 };
  hooks.list[TS_HOOK_PRESTART] = list;
  hooks.n[TS_HOOK_PRESTART] = 2;
  char msg[600];
  snprintf(msg, sizeof msg, "prestart hook 1 (`%s`): exit status 3: to-stdout\nit broke", bad);
  expect(&hooks, TS_HOOK_PRESTART, "{}", -1, msg);
  expect(&hooks, TS_HOOK_POSTSTOP, "{}", 0, NULL); /* no hooks of that kind */

  list[1].path = "/nonexistent/hook";
  expect(&hooks, TS_HOOK_PRESTART, "{}", -1, "prestart hook 1 (`/nonexistent/hook`): exit status 127: exec `/nonexistent/hook`: No such file or directory");
  free(ok);
  free(bad);
}

static void test_timeout_and_unread_stdin(void **state) {
  char *slow = script("slow.sh", "exec sleep 30");
  char *none[] = { NULL };
  struct plan_hook list[] = { { .path = slow, .args = none, .env = none, .timeout = 1 } };
  struct plan_hooks hooks = { 0 };
  hooks.list[TS_HOOK_START_CONTAINER] = list;
  hooks.n[TS_HOOK_START_CONTAINER] = 1;
  char msg[600];
  snprintf(msg, sizeof msg, "startContainer hook 0 (`%s`): timed out after 1 s", slow);
  /* a state bigger than the socket buffer that the hook never reads must not block or SIGPIPE us */
  size_t big = 4 << 20;
  char *state_json = malloc(big + 1);
  memset(state_json, ' ', big);
  state_json[big] = '\0';
  time_t t0 = time(NULL);
  expect(&hooks, TS_HOOK_START_CONTAINER, state_json, -1, msg);
  assert_true(time(NULL) - t0 <= 3);

  char *quick = script("quick.sh", "exit 0");
  list[0].path = quick;
  expect(&hooks, TS_HOOK_START_CONTAINER, state_json, 0, NULL);
  free(state_json);
  free(slow);
  free(quick);
}

static void test_kind_names(void **state) {
  assert_string_equal(hooks_kind_name(TS_HOOK_PRESTART), "prestart");
  assert_string_equal(hooks_kind_name(TS_HOOK_CREATE_RUNTIME), "createRuntime");
  assert_string_equal(hooks_kind_name(TS_HOOK_CREATE_CONTAINER), "createContainer");
  assert_string_equal(hooks_kind_name(TS_HOOK_START_CONTAINER), "startContainer");
  assert_string_equal(hooks_kind_name(TS_HOOK_POSTSTART), "poststart");
  assert_string_equal(hooks_kind_name(TS_HOOK_POSTSTOP), "poststop");
}

int main(void) {
  signal(SIGPIPE, SIG_DFL);
  assert_non_null(mkdtemp(dir));
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_state_on_stdin_args_env),
    cmocka_unit_test(test_failure_names_hook_and_output),
    cmocka_unit_test(test_timeout_and_unread_stdin),
    cmocka_unit_test(test_kind_names),
  };
  int r = cmocka_run_group_tests(tests, NULL, NULL);
  char cmd[100];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) r = 1;
  return r;
}
