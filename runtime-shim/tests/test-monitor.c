/* The monitor, the init stages and the exec helper, end to end with real
 * busybox containers. This test binary is its own tsrun: main() dispatches
 * __monitor, __init and __exec as main.c does, so the memfd re-exec runs it.
 * Plans come from tests/e2e-plan.py (what the planner writes for runc's
 * default spec). Needs root, /bin/busybox and python3; run from runtime-shim/. */
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
#include <sys/prctl.h>
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
    fprintf(stderr, "test-monitor: needs root, /bin/busybox and tests/e2e-plan.py (run from runtime-shim/)\n");
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

/* Starts the monitor as the front end does; returns its pid, its answer in line. */
static pid_t create(char *line, size_t size) {
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
    execl("/proc/self/exe", "tsrun", "__monitor", "--state-dir", state_dir, "--sync-fd", fd, NULL);
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
  char *text = slurp(path), *p = strstr(text, "VmRSS:");
  long kb = p ? strtol(p + 6, NULL, 10) : -1;
  free(text);
  return kb;
}

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
  if (argc > 1 && strcmp(argv[1], "__monitor") == 0) return cmd_monitor(argc - 1, argv + 1);
  if (argc > 1 && strcmp(argv[1], "__init") == 0) return cmd_init(argc - 1, argv + 1);
  if (argc > 1 && strcmp(argv[1], "__exec") == 0) return cmd_exec_helper(argc - 1, argv + 1);
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
