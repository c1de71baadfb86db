/* rootfs.h end to end in a child: mounts, devices, pivot, finalize, console. */
#include "rootfs-fixture.h"

static const char *check_full(const struct plan *p) {
  char cwd[PATH_MAX];
  CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0, "cwd is %s", cwd);
  CHECK(access("/bin/busybox", X_OK) == 0, "no /bin/busybox after pivot");
  CHECK(access("/proc/self/mountinfo", R_OK) == 0, "/proc not mounted");
  CHECK(access("/usr", F_OK) < 0 && root_mounts() == 1, "the old root is still attached");
  struct stat st;
  CHECK(is_char_dev("/dev/null", 1, 3) && stat("/dev/null", &st) == 0 && (st.st_mode & 07777) == 0666, "/dev/null is not 1:3 0666");
  CHECK(is_char_dev("/dev/zero", 1, 5), "/dev/zero");
  CHECK(stat("/dev/tty", &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_gid == 5, "/dev/tty mode/owner");
  CHECK(link_is("/dev/fd", "/proc/self/fd") && link_is("/dev/stdin", "/proc/self/fd/0") &&
        link_is("/dev/stderr", "/proc/self/fd/2") && link_is("/dev/ptmx", "pts/ptmx") && link_is("/dev/core", "/proc/kcore"),
        "/dev symlinks");
  CHECK(access("/dev/pts/ptmx", F_OK) == 0, "no devpts");
  /* this kernel has no /proc/kcore: it stands for a missing masked path */
  const char *timers = read_small("/proc/timer_list");
  CHECK(timers && *timers == '\0' && is_char_dev("/proc/timer_list", 1, 3), "masked /proc/timer_list is not /dev/null");
  struct statfs sf;
  CHECK(statfs("/sys/firmware", &sf) == 0 && sf.f_type == TMPFS_MAGIC, "/sys/firmware not masked by a tmpfs");
  CHECK(create_errno("/sys/firmware/x") == EROFS, "masked dir is writable");
  CHECK(create_errno("/proc/sys/kernel/shmmax") == EROFS, "/proc/sys is writable");
  const char *shmmax = read_small("/proc/sys/kernel/shmmax");
  CHECK(shmmax && strcmp(shmmax, "12345678\n") == 0, "sysctl kernel.shmmax is %s", shmmax ? shmmax : "?");
  char host[64] = "";
  gethostname(host, sizeof host);
  CHECK(strcmp(host, "box") == 0, "hostname is %s", host);
  CHECK(mkdir("/newdir", 0755) < 0 && errno == EROFS, "root is not read-only");
  CHECK(create_errno("/dev/shm/x") == 0, "/dev/shm is not writable");
  CHECK(create_errno("/mnt/vol/x") == EROFS, "ro bind is writable");
  CHECK(create_errno("/mnt/rro/x") == EROFS, "the bind with attr_set MOUNT_ATTR_RDONLY is writable");
  CHECK(is_char_dev("/dev/net/tun", 10, 200), "/dev/net/tun");
  CHECK(stat("/dev/initctl", &st) == 0 && S_ISFIFO(st.st_mode), "/dev/initctl is not a fifo");
  const char *vol = read_small("/mnt/vol/data");
  CHECK(vol && strcmp(vol, "volume") == 0, "bound dir content");
  const char *file = read_small("/etc/hostfile");
  CHECK(file && strcmp(file, "file") == 0, "bound file content");
  CHECK(statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == TMPFS_MAGIC, "/sys/fs/cgroup is not a tmpfs");
  CHECK(access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0, "no memory hierarchy");
  CHECK(mkdir("/sys/fs/cgroup/memory/x", 0755) < 0 && errno == EROFS, "cgroup hierarchy is writable");
  CHECK(statfs("/dev/mqueue", &sf) == 0 && sf.f_type == 0x19800202 /* mqueue */, "no mqueue");
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/busybox", "busybox", "true", (char *)NULL);
    _exit(127);
  }
  int status;
  CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0, "busybox true failed");
  return NULL;
}

static void test_full_container(void **state) {
  char vol[PATH_MAX], data[PATH_MAX], hostfile[PATH_MAX];
  path_in(vol, tmpdir, "vol");
  path_in(data, vol, "data");
  path_in(hostfile, tmpdir, "hostfile");
  assert_int_equal(mkdir(vol, 0755), 0);
  write_text(data, "volume", 0644);
  write_text(hostfile, "file", 0644);

  struct plan_mount mounts[] = {
    mnt("/proc", "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, ""),
    mnt("/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"),
    mnt("/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"),
    mnt("/dev/shm", "shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k"),
    mnt("/dev/mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, ""),
    mnt("/sys", "sysfs", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, ""),
    mnt("/sys/fs/cgroup", "cgroup", "cgroup", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY, ""),
    bind_mnt("/mnt/vol", vol, MS_RDONLY),
    bind_mnt("/etc/hostfile", hostfile, 0),
    bind_mnt("/mnt/rro", vol, 0),
  };
  mounts[9].attr_set = MOUNT_ATTR_RDONLY;
  unsigned long private = MS_PRIVATE;
  mounts[7].propagation = &private;
  mounts[7].n_propagation = 1;
  mounts[8].create_dir = false;
  struct plan_device devices[] = {
    { S("/dev/null"), 'c', 1, 3, 0666, 0, 0 },
    { S("/dev/zero"), 'c', 1, 5, 0666, 0, 0 },
    { S("/dev/tty"), 'c', 5, 0, 0600, 0, 5 },
    { S("/dev/net/tun"), 'c', 10, 200, 0666, 0, 0 },
    { S("/dev/initctl"), 'p', 0, 0, 0600, 0, 0 },
  };
  char *masked[] = { S("/proc/kcore"), S("/proc/timer_list"), S("/sys/firmware") };
  char *readonly[] = { S("/proc/sys"), S("/proc/sysrq-trigger"), S("/proc/does-not-exist") };
  struct plan_kv sysctl[] = { { S("kernel.shmmax"), S("12345678") } };
  struct plan p;
  plan_init(&p);
  p.mounts = mounts, p.n_mounts = sizeof mounts / sizeof mounts[0];
  p.devices = devices, p.n_devices = sizeof devices / sizeof devices[0];
  p.masked_paths = masked, p.n_masked_paths = 3;
  p.readonly_paths = readonly, p.n_readonly_paths = 3;
  p.sysctl = sysctl, p.n_sysctl = 1;
  p.hostname = S("box");
  p.rootfs_readonly = true;
  expect_ok(&p, check_full);

  struct stat st;
  assert_int_equal(stat(hostfile, &st), 0);
  assert_int_equal(st.st_size, 4);
}

static const char *check_cgroupns(const struct plan *p) {
  struct statfs sf;
  CHECK(statfs("/sys/fs/cgroup/memory", &sf) == 0 && sf.f_type == CGROUP_SUPER_MAGIC, "no memory hierarchy");
  CHECK(statfs("/sys/fs/cgroup/systemd", &sf) == 0 && sf.f_type == CGROUP_SUPER_MAGIC, "no name=systemd hierarchy");
  CHECK(statfs("/sys/fs/cgroup/unified", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC, "no unified hierarchy");
  CHECK(mkdir("/sys/fs/cgroup/memory/x", 0755) < 0 && errno == EROFS, "cgroup hierarchy is writable");
  CHECK(create_errno("/sys/fs/cgroup/x") == EROFS, "the cgroup tmpfs is writable");
  return NULL;
}

/* With a cgroup namespace the v1 hierarchies are mounted afresh. */
static void test_cgroup_namespace(void **state) {
  struct plan_namespace ns[] = { { TS_NS_MOUNT, NULL }, { TS_NS_CGROUP, NULL } };
  struct plan_mount mounts[] = {
    mnt("/sys", "sysfs", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, ""),
    mnt("/sys/fs/cgroup", "cgroup", "cgroup", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY, ""),
  };
  struct plan p;
  plan_init(&p);
  p.namespaces = ns, p.n_namespaces = 2;
  p.mounts = mounts, p.n_mounts = 2;
  expect_ok(&p, check_cgroupns);
}

static const char *check_no_pivot(const struct plan *p) {
  char cwd[PATH_MAX];
  CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0, "cwd is %s", cwd);
  CHECK(access("/bin/busybox", X_OK) == 0, "not chrooted into the rootfs");
  CHECK(is_char_dev("/dev/null", 1, 3), "/dev/null");
  return NULL;
}

static void test_no_pivot(void **state) {
  struct plan_mount mounts[] = { mnt("/dev", "tmpfs", "tmpfs", MS_NOSUID, "mode=755") };
  struct plan_device devices[] = { { S("/dev/null"), 'c', 1, 3, 0666, 0, 0 } };
  struct plan p;
  plan_init(&p);
  p.no_pivot = true;
  p.mounts = mounts, p.n_mounts = 1;
  p.devices = devices, p.n_devices = 1;
  expect_ok(&p, check_no_pivot);
}

/* rootfsPropagation rshared: the rootfs's parent mount is made private for pivot_root. */
static void test_rshared(void **state) {
  struct plan_mount mounts[] = { mnt("/dev", "tmpfs", "tmpfs", MS_NOSUID, "mode=755") };
  struct plan_device devices[] = { { S("/dev/null"), 'c', 1, 3, 0666, 0, 0 } };
  struct plan p;
  plan_init(&p);
  p.rootfs_propagation = MS_SHARED | MS_REC;
  p.mounts = mounts, p.n_mounts = 1;
  p.devices = devices, p.n_devices = 1;
  expect_ok(&p, check_no_pivot);
}

static int recv_master(int sock, char *name, size_t size) {
  union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
  struct iovec iov = { .iov_base = name, .iov_len = size - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
  ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (n <= 0 || c == NULL || c->cmsg_type != SCM_RIGHTS) return -1;
  name[n] = '\0';
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

static const char *check_console(const struct plan *p) {
  int sv[2];
  ts_error err = { 0 };
  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
  if (console_setup(p, sv[1], &err) < 0) return strcpy(check_msg, err.msg);
  CHECK(fcntl(sv[1], F_GETFD) < 0, "console socket left open");
  char name[64];
  int master = recv_master(sv[0], name, sizeof name);
  CHECK(master >= 0, "no master fd received");
  CHECK(strncmp(name, "/dev/pts/", 9) == 0, "payload is %s", name);
  struct stat s0, sc;
  CHECK(isatty(0) && isatty(1) && isatty(2), "stdio is not the pty");
  CHECK(fstat(0, &s0) == 0 && stat("/dev/console", &sc) == 0 && s0.st_rdev == sc.st_rdev, "/dev/console is not the slave");
  struct winsize ws;
  CHECK(ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 24 && ws.ws_col == 80, "window size");
  CHECK(tcgetsid(0) == getsid(0), "the pty is not the controlling terminal");
  CHECK(write(master, "ping\n", 5) == 5, "write master");
  char buf[16] = "";
  CHECK(read(0, buf, sizeof buf - 1) == 5 && strcmp(buf, "ping\n") == 0, "read from the slave: %s", buf);
  return NULL;
}

static void test_console(void **state) {
  struct plan_mount mounts[] = {
    mnt("/dev", "tmpfs", "tmpfs", MS_NOSUID, "mode=755"),
    mnt("/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"),
  };
  struct plan_device devices[] = { { S("/dev/null"), 'c', 1, 3, 0666, 0, 0 } };
  struct plan p;
  plan_init(&p);
  p.mounts = mounts, p.n_mounts = 2;
  p.devices = devices, p.n_devices = 1;
  p.process.terminal = true;
  p.process.has_console_size = true;
  p.process.console_height = 24, p.process.console_width = 80;
  expect_ok(&p, check_console);
}


int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_full_container, setup, teardown),
    cmocka_unit_test_setup_teardown(test_cgroup_namespace, setup, teardown),
    cmocka_unit_test_setup_teardown(test_no_pivot, setup, teardown),
    cmocka_unit_test_setup_teardown(test_rshared, setup, teardown),
    cmocka_unit_test_setup_teardown(test_console, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
