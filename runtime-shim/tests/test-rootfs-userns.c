/* rootfs.h in a real user namespace: host device nodes bound, locked mount flags kept. */
#include "rootfs-fixture.h"

/* In a user namespace the host's node is bound; it keeps its mode. */
static const char *check_userns_devices(const struct plan *p) {
  CHECK(is_char_dev("/dev/null", 1, 3), "/dev/null is not 1:3");
  int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  CHECK(fd >= 0 && write(fd, "x", 1) == 1, "cannot write /dev/null");
  close(fd);
  CHECK(access("/dev/fd", F_OK) < 0 && link_is("/dev/fd", "/proc/self/fd"), "/dev/fd");
  CHECK(!link_is("/dev/core", "/proc/kcore"), "/dev/core without /proc");
  return NULL;
}

static const char *check_userns(const struct plan *p) {
  CHECK(is_char_dev("/dev/null", 1, 3), "/dev/null is not 1:3");
  CHECK(access("/sys/kernel", F_OK) == 0, "/sys is not the host's");
  CHECK(mkdir("/sys/x", 0755) < 0 && errno == EROFS, "/sys is writable");
  CHECK(create_errno("/mnt/vol/x") == EROFS, "ro bind is writable");
  CHECK(create_errno("/mnt/locked/x") == EROFS, "ro bind of a locked mount is writable");
  CHECK(mkdir("/newdir", 0755) < 0 && errno == EROFS, "root is not read-only");
  char host[64] = "";
  gethostname(host, sizeof host);
  CHECK(strcmp(host, "userbox") == 0, "hostname is %s", host);
  return NULL;
}

/* A real user namespace: sysfs falls back to a bind of /sys, locked flags are kept. */
static void test_user_namespace(void **state) {
  char vol[PATH_MAX], locked[PATH_MAX];
  path_in(vol, tmpdir, "vol");
  path_in(locked, tmpdir, "locked");
  assert_int_equal(mkdir(vol, 0755), 0);
  assert_int_equal(mkdir(locked, 0755), 0);
  struct plan_namespace ns[] = { { TS_NS_USER, NULL }, { TS_NS_MOUNT, NULL }, { TS_NS_UTS, NULL }, { TS_NS_IPC, NULL } };
  struct plan_mount mounts[] = {
    mnt("/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755"),
    mnt("/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"),
    mnt("/sys", "sysfs", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, ""),
    bind_mnt("/mnt/vol", vol, MS_RDONLY | MS_NOSUID),
    bind_mnt("/mnt/locked", locked, MS_RDONLY),   /* nosuid,nodev,noexec locked: must be kept */
  };
  struct plan_device devices[] = { { S("/dev/null"), 'c', 1, 3, 0666, 0, 0 } };
  struct plan p;
  plan_init(&p);
  p.namespaces = ns, p.n_namespaces = 4;
  p.mounts = mounts, p.n_mounts = 5;
  p.devices = devices, p.n_devices = 1;
  p.hostname = S("userbox");
  p.rootfs_readonly = true;
  expect_ok(&p, check_userns);
}

static void test_userns_devices(void **state) {
  char locked[PATH_MAX];
  path_in(locked, tmpdir, "locked");
  assert_int_equal(mkdir(locked, 0755), 0);
  struct stat before, after;
  assert_int_equal(stat("/dev/null", &before), 0);
  struct plan_namespace ns[] = { { TS_NS_MOUNT, NULL }, { TS_NS_USER, NULL } };
  struct plan_device devices[] = { { S("/dev/null"), 'c', 1, 3, 0600, 1000, 1000 } };
  struct plan p;
  plan_init(&p);
  p.namespaces = ns, p.n_namespaces = 2;
  p.devices = devices, p.n_devices = 1;
  expect_ok(&p, check_userns_devices);
  assert_int_equal(stat("/dev/null", &after), 0);
  assert_int_equal(before.st_mode, after.st_mode);
  assert_int_equal(before.st_uid, after.st_uid);
  char node[PATH_MAX];
  path_in(node, rootfs, "dev/null");
  assert_int_equal(stat(node, &after), 0);
  assert_true(S_ISREG(after.st_mode));   /* the empty file the host node was bound onto */
}


int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_userns_devices, setup, teardown),
    cmocka_unit_test_setup_teardown(test_user_namespace, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
