/* The monitor, the init stages and the exec helper, end to end with real
 * busybox containers (monitor-fixture.h). Needs root, /bin/busybox and
 * python3; run from runtime-shim/. */
#include "monitor-fixture.h"

#include <sys/prctl.h>

static void lifecycle(void **ctx) {
  plan("-- /bin/busybox sh -c 'echo hi $(hostname) $$; exit 3'");
  char line[512], reply[512], path[256], exe[256];
  pid_t monitor = create(line, sizeof line);
  int pid = 0;
  assert_int_equal(sscanf(line, "ok %d\n", &pid), 1);
  struct ts_state *s = state();
  assert_string_equal(s->status, "created");
  assert_int_equal(s->pid, pid);
  assert_int_equal(s->monitor_pid, monitor);
  assert_true(s->init_start_time == proc_start_time(pid));
  state_free(s);
  /* the init runs from the sealed copy (CVE-2019-5736) */
  snprintf(path, sizeof path, "/proc/%d/exe", pid);
  ssize_t n = readlink(path, exe, sizeof exe - 1);
  assert_true(n > 0);
  exe[n] = '\0';
  assert_non_null(strstr(exe, "/memfd:tsrun"));
  /* the monitor holds none of the container's stdio */
  snprintf(path, sizeof path, "/proc/%d/fd/1", (int)monitor);
  n = readlink(path, exe, sizeof exe - 1);
  exe[n] = '\0';
  assert_string_equal(exe, "/dev/null");
  /* informative: this test binary is dynamically linked; build/tsrun is static */
  print_message("monitor VmRSS while created: %ld kB\n", vm_rss_kb(monitor));

  request("start", reply, sizeof reply);
  assert_string_equal(reply, "ok");
  assert_int_equal(wait_exit(monitor), 0);
  s = state();
  assert_string_equal(s->status, "stopped");
  assert_true(s->has_exit);
  assert_int_equal(s->exit_code, 3);
  assert_int_equal(s->exit_signal, 0);
  assert_non_null(s->finished_at);
  state_free(s);
  char *out = slurp(out_file);
  assert_string_equal(out, "hi tsrun-e2e 1\n");
  free(out);
  snprintf(path, sizeof path, "%s/shim.sock", state_dir);
  assert_int_equal(access(path, F_OK), -1);
}

static bool cgroup_exists(void) {
  char path[256];
  snprintf(path, sizeof path, "/sys/fs/cgroup/pids/%s", cgroup_name);
  return access(path, F_OK) == 0;
}

static void create_fails_cleanly(void **ctx) {
  char opts[256], line[512], path[256];
  snprintf(opts, sizeof opts, "--cgroup %s -- /bin/nonexistent", cgroup_name);
  plan(opts);
  pid_t monitor = create(line, sizeof line);
  assert_int_equal(strncmp(line, "error ", 6), 0);
  assert_non_null(strstr(line, "/bin/nonexistent"));
  assert_int_equal(wait_exit(monitor), 1);
  snprintf(path, sizeof path, "%s/state.json", state_dir);
  assert_int_equal(access(path, F_OK), -1);
  assert_false(cgroup_exists());
}

static void killed_by_signal(void **ctx) {
  char opts[256], line[512], reply[512], path[64];
  snprintf(opts, sizeof opts, "--cgroup %s -- /bin/busybox sleep 30", cgroup_name);
  plan(opts);
  pid_t monitor = create(line, sizeof line);
  int pid = 0;
  assert_int_equal(sscanf(line, "ok %d", &pid), 1);
  snprintf(path, sizeof path, "/proc/%d/cgroup", pid);
  char *cg = slurp(path);
  assert_non_null(strstr(cg, cgroup_name));
  free(cg);
  request("start", reply, sizeof reply);
  assert_string_equal(reply, "ok");
  struct ts_state *s = state();
  assert_string_equal(s->status, "running");
  state_free(s);
  print_message("monitor VmRSS while running: %ld kB\n", vm_rss_kb(monitor));
  request("start", reply, sizeof reply);
  assert_string_equal(reply, "error cannot start a container that is running");
  kill(pid, SIGKILL);
  assert_int_equal(wait_exit(monitor), 0);
  s = state();
  assert_string_equal(s->status, "stopped");
  assert_int_equal(s->exit_code, 137);
  assert_int_equal(s->exit_signal, 9);
  state_free(s);
}

static void hooks(void **ctx) {
  char opts[512], line[512], reply[512], path[256];
  assert_int_equal(sh("printf '#!/bin/sh\\ncat > %s/hook-$1.json\\n[ $1 != poststart ]\\n' > %s/hook.sh; chmod 755 %s/hook.sh",
                      tmp, tmp, tmp), 0);
  snprintf(opts, sizeof opts, "--hook createRuntime:%s/hook.sh --hook poststart:%s/hook.sh -- /bin/busybox true", tmp, tmp);
  plan(opts);
  pid_t monitor = create(line, sizeof line);
  assert_int_equal(strncmp(line, "ok ", 3), 0);
  snprintf(path, sizeof path, "%s/hook-createRuntime.json", tmp);
  char *json = slurp(path);
  assert_non_null(strstr(json, "\"status\": \"creating\""));
  free(json);
  /* a failing poststart hook is only a warning, sent back with the ok */
  request("start", reply, sizeof reply);
  assert_int_equal(strncmp(reply, "ok poststart hook 0 (`", 22), 0);
  assert_non_null(strstr(reply, "exit status 1"));
  snprintf(path, sizeof path, "%s/hook-poststart.json", tmp);
  json = slurp(path);
  assert_non_null(strstr(json, "\"status\": \"running\""));
  free(json);
  assert_int_equal(wait_exit(monitor), 0);
}

static void user_and_time_ns(void **ctx) {
  /* oom_score_adj: the init stays dumpable in a user namespace, so /proc/self stays its own */
  plan("--userns --time --oom 100 -- /bin/busybox sh -c "
       "'cat /proc/self/uid_map /proc/self/timens_offsets; echo adj $(cat /proc/self/oom_score_adj); id -u'");
  char line[512], reply[512];
  pid_t monitor = create(line, sizeof line);
  assert_int_equal(strncmp(line, "ok ", 3), 0);
  request("start", reply, sizeof reply);
  assert_string_equal(reply, "ok");
  assert_int_equal(wait_exit(monitor), 0);
  char *out = slurp(out_file);
  assert_non_null(strstr(out, "100000"));
  assert_non_null(strstr(out, "172800"));
  assert_non_null(strstr(out, "adj 100\n0\n"));
  free(out);
}

static void exec_in_running(void **ctx) {
  char opts[512], line[512], reply[512], exec_plan[256];
  snprintf(opts, sizeof opts, "--cgroup %s -- /bin/busybox sleep 30", cgroup_name);
  plan(opts);
  pid_t monitor = create(line, sizeof line);
  int pid = 0;
  assert_int_equal(sscanf(line, "ok %d", &pid), 1);
  request("start", reply, sizeof reply);
  assert_string_equal(reply, "ok");

  snprintf(exec_plan, sizeof exec_plan, "%s/exec.json", tmp);
  assert_int_equal(sh("python3 tests/e2e-plan.py %s %s/rootfs c1 --cgroup %s --join %d --out %s -- "
                      "/bin/busybox sh -c 'echo exec $$ $(hostname) >> /exec-out; grep -q %s /proc/self/cgroup; exit 5'",
                      state_dir, tmp, cgroup_name, pid, exec_plan, cgroup_name), 0);
  /* as the front end: the exec'd process becomes our child when the helper exits */
  assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
  ts_error err = {0};
  pid_t child = 0;
  assert_int_equal(exec_in_container(exec_plan, -1, 0, &child, &err), 0);
  assert_int_equal(wait_exit(child), 5);
  char path[256];
  snprintf(path, sizeof path, "%s/rootfs/exec-out", tmp);
  char *out = slurp(path);
  assert_string_equal(out, "exec 2 tsrun-e2e\n");
  free(out);
  unlink(path);

  assert_int_equal(sh("python3 tests/e2e-plan.py %s %s/rootfs c1 --join %d --out %s -- /bin/nope",
                      state_dir, tmp, pid, exec_plan), 0);
  assert_int_equal(exec_in_container(exec_plan, -1, 0, &child, &err), -1);
  assert_non_null(strstr(err.msg, "/bin/nope"));

  kill(pid, SIGKILL);
  assert_int_equal(wait_exit(monitor), 0);
}

int main(int argc, char **argv) {
  MONITOR_FIXTURE_DISPATCH(argc, argv);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(lifecycle, kill_leftovers),
    cmocka_unit_test_teardown(create_fails_cleanly, kill_leftovers),
    cmocka_unit_test_teardown(killed_by_signal, kill_leftovers),
    cmocka_unit_test_teardown(hooks, kill_leftovers),
    cmocka_unit_test_teardown(user_and_time_ns, kill_leftovers),
    cmocka_unit_test_teardown(exec_in_running, kill_leftovers),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
