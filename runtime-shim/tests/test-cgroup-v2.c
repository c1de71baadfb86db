/* cgroup.h on v2, against a scratch tree shaped like cgroup2: this host has no
 * pure v2 layout, and the v2 code is plain file writes. */
#include "cgroup-fixture.h"

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


int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(test_v2_scratch_create_mkdir_p, teardown),
    cmocka_unit_test_teardown(test_v2_scratch, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
