/* The fixture of the tests that run the real monitor with busybox containers
 * (test-monitor.c, test-daemon.c): a temp dir with a busybox rootfs, plans from
 * tests/e2e-plan.py (what the planner writes for runc's default spec), and the
 * monitor started as the front end starts it. The test binary is its own tsrun:
 * its main() dispatches __monitor, __init and __exec as main.c does
 * (MONITOR_FIXTURE_DISPATCH), so that the memfd re-exec runs it.
 * Needs root, /bin/busybox and python3; run from runtime-shim/. */
#ifndef TS_MONITOR_FIXTURE_H
#define TS_MONITOR_FIXTURE_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec-helper.h"
#include "init.h"
#include "monitor.h"
#include "state.h"
#include "sync.h"
#include "util.h"

static char tmp[] = "/tmp/test-monitor-XXXXXX";
static char state_dir[128], out_file[128], cgroup_name[64];
static const char *cgroup_ctrls[] = {"memory", "pids", "freezer", "cpu", "devices"};
/* what a failed test leaves running, for kill_leftovers */
static pid_t cur_monitor;
static int cur_init;

#define MONITOR_FIXTURE_DISPATCH(argc, argv)                                                       \
  do {                                                                                             \
    if ((argc) > 1 && strcmp((argv)[1], "__monitor") == 0) return cmd_monitor((argc) - 1, (argv) + 1); \
    if ((argc) > 1 && strcmp((argv)[1], "__init") == 0) return cmd_init((argc) - 1, (argv) + 1);       \
    if ((argc) > 1 && strcmp((argv)[1], "__exec") == 0) return cmd_exec_helper((argc) - 1, (argv) + 1); \
  } while (0)

static int sh(const char *fmt, ...) {
  char cmd[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  return system(cmd);
}

static int setup(void **ctx) {
  if (geteuid() != 0 || access("/bin/busybox", X_OK) != 0 || access("tests/e2e-plan.py", R_OK) != 0) {
    fprintf(stderr, "needs root, /bin/busybox and tests/e2e-plan.py (run from runtime-shim/)\n");
    return -1;
  }
  /* the container's root (mapped or not) must reach its rootfs */
  if (mkdtemp(tmp) == NULL || chmod(tmp, 0755) < 0) return -1;
  snprintf(state_dir, sizeof state_dir, "%s/state", tmp);
  snprintf(out_file, sizeof out_file, "%s/out", tmp);
  snprintf(cgroup_name, sizeof cgroup_name, "tsrun-test-monitor-%d", (int)getpid());
  return sh("mkdir -p %s/rootfs/bin %s && cp /bin/busybox %s/rootfs/bin/", tmp, state_dir, tmp);
}

static int teardown(void **ctx) {
  char path[256];
  for (size_t i = 0; i < sizeof cgroup_ctrls / sizeof *cgroup_ctrls; i++) {
    snprintf(path, sizeof path, "/sys/fs/cgroup/%s/%s", cgroup_ctrls[i], cgroup_name);
    rmdir(path);
  }
  return sh("rm -rf %s", tmp);
}

static int kill_leftovers(void **ctx) {
  if (cur_init > 0) kill(cur_init, SIGKILL);
  if (cur_monitor > 0 && waitpid(cur_monitor, NULL, WNOHANG) == 0) {
    kill(cur_monitor, SIGKILL);
    waitpid(cur_monitor, NULL, 0);
  }
  cur_init = cur_monitor = 0;
  return 0;
}

static void plan(const char *opts) {
  assert_int_equal(sh("rm -f %s/*; python3 tests/e2e-plan.py %s %s/rootfs c1 %s", state_dir, state_dir, tmp, opts), 0);
}

/* Starts the monitor as the front end does, with extra (NULL-terminated, may
 * be NULL) after the usual arguments; returns its pid, its answer in line. */
static pid_t create_with(const char *const *extra, char *line, size_t size) {
  int p[2];
  assert_int_equal(pipe(p), 0);
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(out, 2);
    close(p[0]);
    char fd[16];
    snprintf(fd, sizeof fd, "%d", p[1]);
    const char *argv[32] = {"tsrun", "__monitor", "--state-dir", state_dir, "--sync-fd", fd};
    size_t n = 6;
    for (size_t i = 0; extra && extra[i] && n < 31; i++) argv[n++] = extra[i];
    argv[n] = NULL;
    execv("/proc/self/exe", (char **)argv);
    _exit(127);
  }
  close(p[1]);
  size_t n = 0;
  ssize_t r;
  while (n + 1 < size && (r = read(p[0], line + n, size - n - 1)) > 0) n += (size_t)r;
  line[n] = '\0';
  close(p[0]);
  cur_monitor = pid;
  sscanf(line, "ok %d", &cur_init);
  return pid;
}

static inline pid_t create(char *line, size_t size) {
  return create_with(NULL, line, size);
}

static void request(const char *req, char *reply, size_t size) {
  char path[256];
  snprintf(path, sizeof path, "%s/shim.sock", state_dir);
  ts_error err = {0};
  int fd = unix_connect(path, SOCK_SEQPACKET, &err);
  assert_true(fd >= 0);
  assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
  ssize_t n = recv(fd, reply, size - 1, 0);
  assert_true(n > 0);
  reply[n] = '\0';
  close(fd);
}

static struct ts_state *state(void) {
  struct ts_state *s = NULL;
  ts_error err = {0};
  assert_int_equal(state_read(state_dir, &s, &err), 0);
  return s;
}

static int wait_exit(pid_t pid) {
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *slurp(const char *path) {
  char *text = NULL;
  ts_error err = {0};
  assert_int_equal(read_file(path, &text, NULL, &err), 0);
  return text;
}

static long vm_rss_kb(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  char text[4096];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
  if (fd >= 0) close(fd);
  text[n > 0 ? n : 0] = '\0';
  const char *p = strstr(text, "VmRSS:");
  return p ? strtol(p + 6, NULL, 10) : -1;
}
#endif
