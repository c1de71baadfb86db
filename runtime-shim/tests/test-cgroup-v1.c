/* cgroup.h on v1, against the host's real hierarchies (a test cgroup each). */
#include "cgroup-fixture.h"

static const char *v1_ctrls[] = { "memory", "cpu", "pids", "cpuset", "freezer", "devices" };
#define N_V1 (sizeof v1_ctrls / sizeof v1_ctrls[0])


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

  /* a process moves itself in through `tasks` (no global lock) */
  child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    ts_error e = { 0 };
    if (cgroup_enter_self(&cg, &e) < 0) _exit(3);
    execlp("sleep", "sleep", "100", (char *)NULL);
    _exit(127);
  }
  bool in = false;
  for (int i = 0; i < 200 && !in; i++) {
    in = true;
    for (size_t j = 0; j < N_V1; j++) in = in && cgroup_line(child, v1_ctrls[j], rel);
    if (!in) usleep(5000);
  }
  assert_true(in);
  kill(child, SIGKILL);
  assert_int_equal(waitpid(child, &status, 0), child);
  child = -1;

  char *deeper = join(memdir, "sub");
  assert_int_equal(mkdir(deeper, 0755), 0);
  if (cgroup_destroy(&cg, &err) < 0) fail_msg("%s", err.msg);
  assert_false(exists(deeper));
  for (size_t i = 0; i < N_V1; i++) assert_false(exists(dirs[i]));
  free(deeper);
  for (size_t i = 0; i < N_V1; i++) free(dirs[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(test_v1_real, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
