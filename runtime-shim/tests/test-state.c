/* state.c: state.json round trip, live status, runc's `state` output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "state.h"
#include "util.h"

static char dir[] = "/tmp/test-state-XXXXXX";

static int setup(void **ctx) { return mkdtemp(dir) ? 0 : -1; }

static int teardown(void **ctx) {
  ts_error err = { 0 };
  return rm_rf(dir, &err);
}

static struct ts_state sample(void) {
  return (struct ts_state){
    .oci_version = "1.3.0", .id = "c1", .bundle = "/b", .rootfs = "/b/rootfs",
    .created = "2026-11-23T05:00:00.123450000Z", .owner = "", .status = "created",
    .pid = 4242, .init_start_time = 123456, .monitor_pid = 4240,
    .annotations_json = "{\"z\":\"1\",\"a\":\"2\"}",
  };
}

static void round_trip(void **ctx) {
  struct ts_state in = sample();
  in.has_exit = true;
  in.exit_code = 137;
  in.exit_signal = 9;
  in.finished_at = "2026-11-23T05:00:01Z";
  ts_error err = { 0 };
  assert_int_equal(state_write(dir, &in, &err), 0);
  struct ts_state *out = NULL;
  assert_int_equal(state_read(dir, &out, &err), 0);
  assert_string_equal(out->id, "c1");
  assert_string_equal(out->status, "created");
  assert_string_equal(out->bundle, "/b");
  assert_string_equal(out->rootfs, "/b/rootfs");
  assert_string_equal(out->created, in.created);
  assert_int_equal(out->pid, 4242);
  assert_int_equal(out->monitor_pid, 4240);
  assert_true(out->init_start_time == 123456);
  assert_true(out->has_exit);
  assert_int_equal(out->exit_code, 137);
  assert_int_equal(out->exit_signal, 9);
  assert_string_equal(out->finished_at, in.finished_at);
  assert_string_equal(out->annotations_json, "{\"z\":\"1\",\"a\":\"2\"}");
  state_free(out);
}

static void no_exit_yet_reads_as_null(void **ctx) {
  struct ts_state in = sample();
  ts_error err = { 0 };
  assert_int_equal(state_write(dir, &in, &err), 0);
  char path[256], *text;
  snprintf(path, sizeof path, "%s/state.json", dir);
  assert_int_equal(read_file(path, &text, NULL, &err), 0);
  assert_non_null(strstr(text, "\"exitCode\":null"));
  assert_non_null(strstr(text, "\"finishedAt\":null"));
  free(text);
  struct ts_state *out = NULL;
  assert_int_equal(state_read(dir, &out, &err), 0);
  assert_false(out->has_exit);
  assert_null(out->finished_at);
  state_free(out);
}

static void missing_file_is_enoent(void **ctx) {
  struct ts_state *out = NULL;
  ts_error err = { 0 };
  assert_int_equal(state_read("/nonexistent-dir", &out, &err), -1);
  assert_int_equal(err.errnum, 2);
}

static void dead_pid_is_stopped(void **ctx) {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, NULL, 0);
  struct ts_state s = sample();
  s.pid = pid;
  assert_string_equal(state_live_status(&s, NULL), "stopped");
}

static void live_pid_keeps_status_reused_pid_does_not(void **ctx) {
  struct ts_state s = sample();
  s.pid = getpid();
  s.init_start_time = proc_start_time(getpid());
  s.status = "running";
  assert_string_equal(state_live_status(&s, NULL), "running");
  s.init_start_time += 1;  /* same pid, another process */
  assert_string_equal(state_live_status(&s, NULL), "stopped");
}

static void oci_json_like_runc(void **ctx) {
  struct ts_state s = sample();
  char *json = state_to_oci_json(&s, "running");
  assert_string_equal(json,
                      "{\n"
                      "  \"ociVersion\": \"1.3.0\",\n"
                      "  \"id\": \"c1\",\n"
                      "  \"pid\": 4242,\n"
                      "  \"status\": \"running\",\n"
                      "  \"bundle\": \"/b\",\n"
                      "  \"rootfs\": \"/b/rootfs\",\n"
                      "  \"created\": \"2026-11-23T05:00:00.12345Z\",\n"
                      "  \"owner\": \"\",\n"
                      "  \"annotations\": {\n"
                      "    \"a\": \"2\",\n"
                      "    \"z\": \"1\"\n"
                      "  }\n"
                      "}");
  free(json);
  s.annotations_json = "{}";
  json = state_to_oci_json(&s, "stopped");
  assert_non_null(strstr(json, "\"pid\": 0,"));
  assert_null(strstr(json, "annotations"));
  free(json);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(round_trip),
    cmocka_unit_test(no_exit_yet_reads_as_null),
    cmocka_unit_test(missing_file_is_enoent),
    cmocka_unit_test(dead_pid_is_stopped),
    cmocka_unit_test(live_pid_keeps_status_reused_pid_does_not),
    cmocka_unit_test(oci_json_like_runc),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
