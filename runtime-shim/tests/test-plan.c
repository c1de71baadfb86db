#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "plan.h"

static char fixtures[4096];

static struct plan *load_fixture(const char *name) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", fixtures, name);
  struct plan *p = NULL;
  ts_error err = { 0 };
  int r = plan_load(path, &p, &err);
  if (r < 0) fprintf(stderr, "%s\n", err.msg);
  assert_int_equal(r, 0);
  return p;
}

static void test_full_plan(void **state) {
  struct plan *p = load_fixture("plan-full.json");
  assert_int_equal(p->plan_version, 1);
  assert_string_equal(p->id, "c1");
  assert_string_equal(p->oci_version, "1.3.0");
  assert_string_equal(p->bundle, "/abs/bundle");
  assert_string_equal(p->state_dir, "/run/tsrun/c1");
  assert_string_equal(p->rootfs, "/abs/bundle/rootfs");
  assert_true(p->rootfs_readonly);
  assert_int_equal(p->rootfs_propagation, MS_SLAVE | MS_REC);
  assert_true(p->no_pivot);
  assert_false(p->new_keyring);

  assert_int_equal(p->n_annotations, 2);
  assert_string_equal(p->annotations[1].key, "a/b");
  assert_string_equal(p->annotations[1].value, "w");

  assert_int_equal(p->n_namespaces, 5);
  assert_int_equal(p->namespaces[1].type, TS_NS_NET);
  assert_string_equal(p->namespaces[1].path, "/proc/1/ns/net");
  assert_null(p->namespaces[0].path);
  assert_ptr_equal(plan_find_ns(p, TS_NS_TIME), &p->namespaces[4]);
  assert_null(plan_find_ns(p, TS_NS_UTS));
  assert_string_equal(ts_ns_name(TS_NS_MOUNT), "mnt");
  assert_int_equal(ts_ns_clone_flag(TS_NS_USER), CLONE_NEWUSER);

  assert_int_equal(p->n_uid_mappings, 1);
  assert_int_equal(p->uid_mappings[0].host_id, 100000);
  assert_int_equal(p->uid_mappings[0].size, 65536);
  assert_int_equal(p->n_gid_mappings, 2);
  assert_int_equal(p->gid_mappings[1].host_id, 4294967294u);

  assert_true(p->has_time_offsets);
  assert_int_equal(p->monotonic_secs, -5);
  assert_int_equal(p->monotonic_nsecs, 7);
  assert_int_equal(p->boottime_secs, 86400);
  assert_string_equal(p->hostname, "box");
  assert_null(p->domainname);

  assert_int_equal(p->n_mounts, 3);
  struct plan_mount *m = &p->mounts[1];
  assert_string_equal(m->destination, "/etc/hosts");
  assert_string_equal(m->source, "/abs/bundle/hosts");
  assert_string_equal(m->type, "");
  assert_true(m->bind);
  assert_true(m->recursive);
  assert_int_equal(m->flags, 1);
  assert_int_equal(m->clear_flags, 2);
  assert_int_equal(m->n_propagation, 2);
  assert_int_equal(m->propagation[0], MS_PRIVATE);
  assert_int_equal(m->propagation[1], 1048576);
  assert_int_equal(m->attr_set, 1);
  assert_int_equal(m->attr_clr, 8);
  assert_string_equal(m->data, "mode=755");
  assert_false(m->create_dir);
  m = &p->mounts[2]; /* defaults */
  assert_string_equal(m->source, "");
  assert_string_equal(m->type, "");
  assert_string_equal(m->data, "");
  assert_true(m->create_dir);
  assert_int_equal(m->n_propagation, 0);

  assert_int_equal(p->n_devices, 2);
  assert_int_equal(p->devices[0].type, 'c');
  assert_int_equal(p->devices[0].file_mode, 0666);
  assert_int_equal(p->devices[1].type, 'b');
  assert_int_equal(p->devices[1].major, 8);
  assert_int_equal(p->devices[1].file_mode, 0666);
  assert_int_equal(p->devices[1].gid, 6);

  assert_int_equal(p->n_masked_paths, 2);
  assert_string_equal(p->masked_paths[1], "/proc/keys");
  assert_null(p->masked_paths[2]);
  assert_int_equal(p->n_readonly_paths, 1);
  assert_string_equal(p->sysctl[0].key, "net.ipv4.ip_forward");
  assert_string_equal(p->sysctl[0].value, "1");

  struct plan_process *pr = &p->process;
  assert_true(pr->terminal);
  assert_true(pr->has_console_size);
  assert_int_equal(pr->console_height, 24);
  assert_int_equal(pr->console_width, 80);
  assert_int_equal(pr->n_args, 3);
  assert_string_equal(pr->args[2], "echo hi");
  assert_null(pr->args[3]);
  assert_int_equal(pr->n_env, 2);
  assert_null(pr->env[2]);
  assert_string_equal(pr->cwd, "/tmp");
  assert_int_equal(pr->uid, 1000);
  assert_int_equal(pr->gid, 1001);
  assert_true(pr->has_umask);
  assert_int_equal(pr->umask, 077);
  assert_int_equal(pr->n_additional_gids, 2);
  assert_int_equal(pr->additional_gids[1], 6);
  assert_true(pr->has_caps);
  assert_int_equal(pr->caps.bounding, 2048);
  assert_int_equal(pr->caps.permitted, 3072);
  assert_int_equal(pr->caps.ambient, 1024);
  assert_int_equal(pr->caps.inheritable, 0);
  assert_true(pr->no_new_privileges);
  assert_int_equal(pr->n_rlimits, 2);
  assert_int_equal(pr->rlimits[0].resource, 7);
  assert_int_equal(pr->rlimits[0].hard, 4096);
  assert_int_equal(pr->rlimits[1].soft, -1);
  assert_true(pr->has_oom_score_adj);
  assert_int_equal(pr->oom_score_adj, 500);
  assert_true(pr->has_io_priority);
  assert_int_equal(pr->io_priority_class, 2);
  assert_int_equal(pr->io_priority_level, 4);

  struct plan_seccomp *s = p->seccomp;
  assert_non_null(s);
  assert_string_equal(s->default_action, "SCMP_ACT_ERRNO");
  assert_true(s->has_default_errno_ret);
  assert_int_equal(s->default_errno_ret, 1);
  assert_int_equal(s->n_architectures, 2);
  assert_string_equal(s->architectures[1], "SCMP_ARCH_X86");
  assert_string_equal(s->flags[0], "SECCOMP_FILTER_FLAG_LOG");
  assert_int_equal(s->n_syscalls, 2);
  assert_int_equal(s->syscalls[0].n_names, 2);
  assert_string_equal(s->syscalls[0].names[1], "mkdirat");
  assert_true(s->syscalls[0].has_errno_ret);
  assert_int_equal(s->syscalls[0].errno_ret, 13);
  assert_int_equal(s->syscalls[0].n_args, 1);
  assert_int_equal(s->syscalls[0].args[0].index, 1);
  assert_true(s->syscalls[0].args[0].value == UINT64_MAX);
  assert_int_equal(s->syscalls[0].args[0].value_two, 3);
  assert_string_equal(s->syscalls[0].args[0].op, "SCMP_CMP_MASKED_EQ");
  assert_false(s->syscalls[1].has_errno_ret);
  assert_int_equal(s->syscalls[1].n_args, 0);

  struct plan_cgroup *cg = p->cgroup;
  assert_non_null(cg);
  assert_int_equal(cg->version, 2);
  assert_int_equal(cg->n_dirs, 1);
  assert_string_equal(cg->freezer, "/sys/fs/cgroup/c1");
  assert_string_equal(cg->writes[0].file, "memory.max");
  assert_string_equal(cg->writes[0].value, "67108864");
  assert_true(cg->has_devices);
  assert_int_equal(cg->n_devices, 2);
  assert_false(cg->devices[0].allow);
  assert_int_equal(cg->devices[0].type, 'a');
  assert_int_equal(cg->devices[0].major, -1);
  assert_true(cg->devices[1].allow);
  assert_string_equal(cg->devices[1].access, "rw");

  assert_int_equal(p->hooks.n[TS_HOOK_PRESTART], 1);
  struct plan_hook *h = &p->hooks.list[TS_HOOK_PRESTART][0];
  assert_string_equal(h->path, "/abs/hook");
  assert_int_equal(h->n_args, 2);
  assert_null(h->args[2]);
  assert_string_equal(h->env[0], "A=1");
  assert_int_equal(h->timeout, 0);
  h = &p->hooks.list[TS_HOOK_CREATE_RUNTIME][0];
  assert_int_equal(h->timeout, 5);
  assert_int_equal(h->n_args, 0);
  assert_null(h->args[0]);
  assert_null(h->env[0]);
  assert_int_equal(p->hooks.n[TS_HOOK_CREATE_CONTAINER], 0);
  assert_int_equal(p->hooks.n[TS_HOOK_POSTSTOP], 1);
  plan_free(p);
}

static void test_minimal_defaults(void **state) {
  struct plan *p = load_fixture("plan-minimal.json");
  assert_string_equal(p->bundle, "");
  assert_string_equal(p->oci_version, "");
  assert_int_equal(p->rootfs_propagation, MS_SLAVE | MS_REC);
  assert_true(p->new_keyring);
  assert_false(p->no_pivot);
  assert_null(p->hostname);
  assert_false(p->has_time_offsets);
  assert_int_equal(p->n_mounts, 0);
  assert_non_null(p->masked_paths);
  assert_null(p->masked_paths[0]);
  assert_string_equal(p->process.cwd, "/");
  assert_false(p->process.has_umask);
  assert_false(p->process.has_caps);
  assert_false(p->process.has_oom_score_adj);
  assert_false(p->process.has_io_priority);
  assert_false(p->process.has_console_size);
  assert_non_null(p->process.env);
  assert_null(p->process.env[0]);
  assert_null(p->seccomp);
  assert_null(p->cgroup);
  for (int k = 0; k < TS_HOOK_COUNT; k++) assert_int_equal(p->hooks.n[k], 0);
  plan_free(p);
}

static void expect_error(const char *json, const char *msg) {
  struct plan *p = NULL;
  ts_error err = { 0 };
  assert_int_equal(plan_parse(json, strlen(json), &p, &err), -1);
  assert_null(p);
  if (strcmp(err.msg, msg) != 0) fprintf(stderr, "got:  %s\nwant: %s\n", err.msg, msg);
  assert_string_equal(err.msg, msg);
}

#define HEAD "{\"planVersion\":1,\"id\":\"x\",\"rootfs\":\"/r\","
static void test_errors_name_the_path(void **state) {
  expect_error(HEAD "\"process\":{\"args\":[\"a\",\"b\",3]}}", "plan.json: /process/args/2: expected a string");
  expect_error(HEAD "\"process\":{\"args\":[]}}", "plan.json: /process/args: expected a non-empty array of strings");
  expect_error(HEAD "\"process\":{\"args\":\"sh\"}}", "plan.json: /process/args: expected an array");
  expect_error(HEAD "\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"/b\"},{\"destination\":\"/c\"},{\"destination\":\"/d\",\"flags\":\"x\"}],\"process\":{\"args\":[\"a\"]}}",
               "plan.json: /mounts/3/flags: expected a number");
  expect_error(HEAD "\"mounts\":[{\"source\":\"/a\"}],\"process\":{\"args\":[\"a\"]}}", "plan.json: /mounts/0/destination: missing (expected a string)");
  expect_error(HEAD "\"process\":{\"args\":[\"a\"],\"uid\":-1}}", "plan.json: /process/uid: -1 out of range [0, 4294967295]");
  expect_error(HEAD "\"process\":{\"args\":[\"a\"],\"umask\":1.5}}", "plan.json: /process/umask: expected an integer");
  expect_error(HEAD "\"process\":{\"args\":[\"a\"],\"terminal\":1}}", "plan.json: /process/terminal: expected a boolean");
  expect_error(HEAD "\"process\":{\"args\":[\"a\"],\"capabilities\":{\"bounding\":-2}}}",
               "plan.json: /process/capabilities/bounding: -2 out of range (expected a non-negative integer)");
  expect_error(HEAD "\"process\":{\"args\":[\"a\"],\"rlimits\":[{\"resource\":7,\"soft\":-2}]}}",
               "plan.json: /process/rlimits/0/soft: -2 out of range [-1, 9223372036854775807]");
  expect_error(HEAD "\"namespaces\":[{\"type\":\"pidx\"}],\"process\":{\"args\":[\"a\"]}}", "plan.json: /namespaces/0/type: unknown namespace type \"pidx\"");
  expect_error(HEAD "\"annotations\":{\"a/b\":1},\"process\":{\"args\":[\"a\"]}}", "plan.json: /annotations/a~1b: expected a string");
  expect_error(HEAD "\"process\":{\"args\":[\"a\"]},\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],\"action\":\"A\",\"args\":[{\"index\":0,\"op\":7}]}]}}",
               "plan.json: /seccomp/syscalls/0/args/0/op: expected a string");
  expect_error(HEAD "\"process\":{\"args\":[\"a\"]},\"hooks\":{\"poststop\":[{\"path\":\"/x\",\"timeout\":\"5\"}]}}",
               "plan.json: /hooks/poststop/0/timeout: expected a number");
  expect_error(HEAD "\"process\":{\"args\":[\"a\"]},\"cgroup\":{\"version\":2,\"devices\":[{\"type\":\"x\"}]}}",
               "plan.json: /cgroup/devices/0/type: invalid type \"x\" (expected one of \"acb\")");
  expect_error(HEAD "\"process\":7}", "plan.json: /process: expected an object");
  expect_error(HEAD "\"devices\":[null],\"process\":{\"args\":[\"a\"]}}", "plan.json: /devices/0: expected an object");
  expect_error("{\"planVersion\":2}", "plan.json: /planVersion: unsupported plan version 2 (this shim reads version 1)");
  expect_error("{\"id\":\"x\"}", "plan.json: /planVersion: missing (expected 1)");
  expect_error(HEAD "}", "plan.json: /process: missing (expected an object)");
  expect_error("[1]", "plan.json: expected an object");
  expect_error("{\"planVersion\":1,", "plan.json: invalid JSON at byte 17: unexpected end of input");
  expect_error("{} x", "plan.json: invalid JSON at byte 3: unexpected character");
}

static void test_trailing_whitespace_ok(void **state) {
  const char *json = HEAD "\"process\":{\"args\":[\"a\"]}}\n\n";
  struct plan *p = NULL;
  ts_error err = { 0 };
  assert_int_equal(plan_parse(json, strlen(json), &p, &err), 0);
  plan_free(p);
}

static void test_load_missing_file(void **state) {
  struct plan *p = NULL;
  ts_error err = { 0 };
  assert_int_equal(plan_load("/nonexistent/plan.json", &p, &err), -1);
  assert_string_equal(err.msg, "open `/nonexistent/plan.json`: No such file or directory");
}

int main(void) {
  char here[4096];
  snprintf(here, sizeof here, "%s", __FILE__);
  snprintf(fixtures, sizeof fixtures, "%s/fixtures", dirname(here));
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_full_plan),
    cmocka_unit_test(test_minimal_defaults),
    cmocka_unit_test(test_errors_name_the_path),
    cmocka_unit_test(test_trailing_whitespace_ok),
    cmocka_unit_test(test_load_missing_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
