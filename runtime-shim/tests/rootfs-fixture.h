/* The fixture of the rootfs tests: a private busybox rootfs in a temp dir, and
 * a child with its own mount (UTS, IPC, and when the plan says so user and cgroup)
 * namespaces that runs rootfs_setup, rootfs_pivot, rootfs_finalize and a check
 * from inside; the namespaces die with it, so the host keeps nothing. */
#ifndef TS_ROOTFS_FIXTURE_H
#define TS_ROOTFS_FIXTURE_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include <termios.h>
#include <unistd.h>

#include "rootfs.h"
#include "util.h"

#define S(x) ((char *)(x))
#define MS_SLAVE_REC (MS_SLAVE | MS_REC)
#define CHECK(cond, ...) do { if (!(cond)) { snprintf(check_msg, sizeof check_msg, __VA_ARGS__); return check_msg; } } while (0)

static char check_msg[4096];
static char tmpdir[PATH_MAX], rootfs[PATH_MAX];

static struct plan_namespace default_ns[] = { { TS_NS_MOUNT, NULL }, { TS_NS_UTS, NULL }, { TS_NS_IPC, NULL } };

static inline struct plan_mount mnt(const char *dest, const char *src, const char *type, unsigned long flags, const char *data) {
  return (struct plan_mount){ .destination = S(dest), .source = S(src), .type = S(type), .flags = flags, .data = S(data), .create_dir = true };
}

static inline struct plan_mount bind_mnt(const char *dest, const char *src, unsigned long flags) {
  struct plan_mount m = mnt(dest, src, "", flags, "");
  m.bind = m.recursive = true;
  return m;
}

static inline void plan_init(struct plan *p) {
  memset(p, 0, sizeof *p);
  p->rootfs = rootfs;
  p->rootfs_propagation = MS_SLAVE_REC;
  p->namespaces = default_ns;
  p->n_namespaces = 3;
}

static inline void path_in(char *out, const char *base, const char *rel) {
  snprintf(out, PATH_MAX, "%s/%s", base, rel);
}

static inline void write_text(const char *path, const char *text, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
}

static int setup(void **state) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/tsrun-rootfs-XXXXXX");
  assert_non_null(mkdtemp(tmpdir));
  path_in(rootfs, tmpdir, "rootfs");
  static const char *dirs[] = { "", "/bin", "/proc", "/dev", "/sys", "/tmp", "/etc" };
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    char d[PATH_MAX];
    snprintf(d, sizeof d, "%s%s", rootfs, dirs[i]);
    assert_int_equal(mkdir(d, 0755), 0);
  }
  char *bb = NULL;
  size_t len = 0;
  ts_error err = { 0 };
  assert_int_equal(read_file("/bin/busybox", &bb, &len, &err), 0);
  char dst[PATH_MAX];
  path_in(dst, rootfs, "bin/busybox");
  int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, bb, len), (ssize_t)len);
  close(fd);
  free(bb);
  return 0;
}

static inline bool host_has_mount_under(const char *dir) {
  char *mi = NULL;
  ts_error err = { 0 };
  if (read_file("/proc/self/mountinfo", &mi, NULL, &err) < 0) return true;
  bool found = strstr(mi, dir) != NULL;
  free(mi);
  return found;
}

static int teardown(void **state) {
  assert_false(host_has_mount_under(tmpdir));
  char cmd[PATH_MAX + 64];
  snprintf(cmd, sizeof cmd, "rm -rf --one-file-system -- '%s'", tmpdir);
  assert_int_equal(system(cmd), 0);
  return 0;
}

typedef const char *(*check_fn)(const struct plan *p);

/* A user namespace mapping root to root: every mount of the host becomes locked.
 * First, in a private mount namespace, <tmpdir>/locked gets a nosuid,nodev,noexec
 * tmpfs, so that a test has a source whose flags are locked. */
static inline int enter_userns(void) {
  char locked[PATH_MAX];
  path_in(locked, tmpdir, "locked");
  if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0 ||
      mount("tmpfs", locked, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    return -1;
  if (unshare(CLONE_NEWUSER) < 0) return -1;
  ts_error err = { 0 };
  if (write_file("/proc/self/uid_map", "0 0 1", 5, &err) < 0 || write_file("/proc/self/setgroups", "deny", 4, &err) < 0 ||
      write_file("/proc/self/gid_map", "0 0 1", 5, &err) < 0)
    return -1;
  return 0;
}

/* Runs the three stages and the check in a child; returns "" or the error (malloc'ed). */
static inline char *run_container(const struct plan *p, check_fn check) {
  int pfd[2];
  assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    char msg[4096] = "";
    ts_error err = { 0 };
    close(pfd[0]);
    bool userns = false, cgroupns = false;
    for (size_t i = 0; i < p->n_namespaces; i++) {
      userns |= p->namespaces[i].type == TS_NS_USER;
      cgroupns |= p->namespaces[i].type == TS_NS_CGROUP;
    }
    int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | (cgroupns ? CLONE_NEWCGROUP : 0);
    /* rprivate first: on a host whose "/" is shared, the copies would be its peers */
    if (setsid() < 0 || (userns && enter_userns() < 0) || unshare(flags) < 0 ||
        mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) < 0)
      snprintf(msg, sizeof msg, "setsid/unshare: %s", strerror(errno));
    else if (rootfs_setup(p, &err) < 0 || rootfs_pivot(p, &err) < 0 || rootfs_finalize(p, &err) < 0)
      snprintf(msg, sizeof msg, "%s", err.msg);
    else if (check != NULL) {
      const char *m = check(p);
      if (m != NULL) snprintf(msg, sizeof msg, "%s", m);
    }
    if (write(pfd[1], msg, strlen(msg)) < 0) _exit(2);
    _exit(msg[0] ? 1 : 0);
  }
  close(pfd[1]);
  char *msg = calloc(1, 4096);
  size_t n = 0;
  ssize_t r;
  while ((r = read(pfd[0], msg + n, 4095 - n)) > 0) n += (size_t)r;
  close(pfd[0]);
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (msg[0] == '\0' && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) snprintf(msg, 4096, "child status %#x", status);
  return msg;
}

static inline void expect_ok(const struct plan *p, check_fn check) {
  char *msg = run_container(p, check);
  if (msg[0] != '\0') fail_msg("%s", msg);
  free(msg);
}

static inline void expect_error(const struct plan *p, const char *needle) {
  char *msg = run_container(p, NULL);
  if (strstr(msg, needle) == NULL) fail_msg("expected an error with \"%s\", got \"%s\"", needle, msg);
  free(msg);
}

static inline bool is_char_dev(const char *path, unsigned maj, unsigned min) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == maj && minor(st.st_rdev) == min;
}

static inline bool link_is(const char *path, const char *target) {
  char buf[PATH_MAX];
  ssize_t n = readlink(path, buf, sizeof buf - 1);
  if (n < 0) return false;
  buf[n] = '\0';
  return strcmp(buf, target) == 0;
}

/* mountinfo lines whose mount point (5th field) is "/" */
static inline int root_mounts(void) {
  char *mi = NULL;
  ts_error err = { 0 };
  if (read_file("/proc/self/mountinfo", &mi, NULL, &err) < 0) return -1;
  int n = 0;
  for (char *line = strtok(mi, "\n"); line; line = strtok(NULL, "\n")) {
    char mp[PATH_MAX];
    if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp(mp, "/") == 0) n++;
  }
  free(mi);
  return n;
}

static inline int create_errno(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) { close(fd); unlink(path); return 0; }
  return errno;
}

static inline const char *read_small(const char *path) {
  static char buf[256];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n < 0) return NULL;
  buf[n] = '\0';
  return buf;
}

#endif
