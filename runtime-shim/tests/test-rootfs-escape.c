/* Mount destinations are resolved inside the rootfs (CVE-2021-30465), and bad ones are refused. */
#include "rootfs-fixture.h"

/* CVE-2021-30465: destinations that try to leave the rootfs through symlinks or "..". */
static char escape_dir[PATH_MAX];

static const char *check_escape(const struct plan *p) {
  char inside[PATH_MAX];
  struct statfs sf;
  snprintf(inside, sizeof inside, "%s/abs", escape_dir);
  CHECK(statfs(inside, &sf) == 0 && sf.f_type == TMPFS_MAGIC, "no tmpfs at %s inside the container", inside);
  CHECK(statfs("/etc/rel/sub", &sf) == 0 && sf.f_type == TMPFS_MAGIC, "no tmpfs at /etc/rel/sub");
  CHECK(statfs("/dots", &sf) == 0 && sf.f_type == TMPFS_MAGIC, "no tmpfs at /dots");
  snprintf(inside, sizeof inside, "%s/file", escape_dir);
  const char *content = read_small(inside);
  CHECK(content && strcmp(content, "file") == 0, "file bind did not land at %s", inside);
  return NULL;
}

static void test_symlink_escape(void **state) {
  char link[PATH_MAX], target[PATH_MAX], hostfile[PATH_MAX], host_target[PATH_MAX];
  path_in(escape_dir, tmpdir, "host");
  assert_int_equal(mkdir(escape_dir, 0755), 0);
  path_in(hostfile, tmpdir, "hostfile");
  write_text(hostfile, "file", 0644);

  /* absolute: /evil -> <tmpdir>/host/abs (dangling inside the rootfs) */
  path_in(link, rootfs, "evil");
  path_in(target, escape_dir, "abs");
  assert_int_equal(symlink(target, link), 0);
  /* relative with "..", in a middle component: /evildir -> ../../../../../../etc */
  path_in(link, rootfs, "evildir");
  assert_int_equal(symlink("../../../../../../../etc/rel", link), 0);
  /* a file bind through a dangling symlink to a host file */
  path_in(link, rootfs, "etc/evilfile");
  path_in(host_target, escape_dir, "file");
  write_text(host_target, "host", 0644);
  assert_int_equal(symlink(host_target, link), 0);

  struct plan_mount mounts[] = {
    mnt("/evil", "tmpfs", "tmpfs", 0, ""),
    mnt("/evildir/sub", "tmpfs", "tmpfs", 0, ""),
    mnt("/../../../dots", "tmpfs", "tmpfs", 0, ""),
    bind_mnt("/etc/evilfile", hostfile, 0),
  };
  struct plan p;
  plan_init(&p);
  p.mounts = mounts, p.n_mounts = 4;
  expect_ok(&p, check_escape);

  /* the host is untouched; the destinations were made inside the rootfs */
  struct stat st;
  assert_int_equal(lstat(target, &st), -1);
  const char *content = read_small(host_target);
  assert_non_null(content);
  assert_string_equal(content, "host");
  char inside[PATH_MAX];
  snprintf(inside, sizeof inside, "%s%s", rootfs, target);
  assert_int_equal(stat(inside, &st), 0);
  assert_true(S_ISDIR(st.st_mode));
  path_in(inside, rootfs, "etc/rel/sub");
  assert_int_equal(stat(inside, &st), 0);
  assert_int_equal(stat("/etc/rel", &st), -1);
  path_in(inside, rootfs, "dots");
  assert_int_equal(stat(inside, &st), 0);
}

static void test_symlink_loop(void **state) {
  char link[PATH_MAX];
  path_in(link, rootfs, "loop");
  assert_int_equal(symlink("/loop", link), 0);
  struct plan_mount mounts[] = { mnt("/loop/x", "tmpfs", "tmpfs", 0, "") };
  struct plan p;
  plan_init(&p);
  p.mounts = mounts, p.n_mounts = 1;
  expect_error(&p, "Too many levels of symbolic links");
}

static void test_bad_mounts(void **state) {
  struct plan p;
  plan_init(&p);
  struct plan_mount missing[] = { bind_mnt("/mnt", "/does/not/exist", 0) };
  p.mounts = missing, p.n_mounts = 1;
  expect_error(&p, "bind source `/does/not/exist`: No such file or directory");

  struct plan_mount root[] = { mnt("/", "tmpfs", "tmpfs", 0, "") };
  p.mounts = root;
  expect_error(&p, "does not name a file or directory");

  char file[PATH_MAX];
  path_in(file, rootfs, "etc/plain");
  write_text(file, "x", 0644);
  struct plan_mount notdir[] = { mnt("/etc/plain", "tmpfs", "tmpfs", 0, "") };
  p.mounts = notdir;
  expect_error(&p, "mount destination `/etc/plain`: Not a directory");

  p.n_mounts = 0;
  p.hostname = S("x");
  p.n_namespaces = 1;
  expect_error(&p, "without a UTS namespace");
}


int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_symlink_escape, setup, teardown),
    cmocka_unit_test_setup_teardown(test_symlink_loop, setup, teardown),
    cmocka_unit_test_setup_teardown(test_bad_mounts, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
