/* sync.c, ns.c, memfd-exec.c, stage-args.c: the monitor's building blocks,
 * without a container. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "memfd-exec.h"
#include "ns.h"
#include "stage-args.h"
#include "sync.h"
#include "util.h"

static void stage_args(void **ctx) {
  char *argv[] = {"__init", "--state-dir", "/s", "--sync-fd", "7", "--bad", "x1", NULL};
  ts_error err = {0};
  int n;
  assert_string_equal(stage_arg(7, argv, "state-dir"), "/s");
  assert_null(stage_arg(7, argv, "console-fd"));
  assert_int_equal(stage_arg_int(7, argv, "sync-fd", -1, &n, &err), 0);
  assert_int_equal(n, 7);
  assert_int_equal(stage_arg_int(7, argv, "preserve-fds", 0, &n, &err), 0);
  assert_int_equal(n, 0);
  assert_int_equal(stage_arg_int(7, argv, "bad", 0, &n, &err), -1);
  assert_non_null(strstr(err.msg, "`--bad`"));
}

static void sync_messages(void **ctx) {
  ts_error err = {0};
  int sv[2];
  assert_int_equal(sync_socketpair(sv, &err), 0);
  assert_true(fcntl(sv[0], F_GETFD) & FD_CLOEXEC);

  char *payload = NULL;
  assert_int_equal(sync_sendf(sv[0], &err, "pid %d", 42), 0);
  assert_int_equal(sync_expect(sv[1], "pid", &payload, &err), 0);
  assert_string_equal(payload, "42");
  free(payload);

  assert_int_equal(sync_send(sv[0], "ready", &err), 0);
  assert_int_equal(sync_expect(sv[1], "ready", &payload, &err), 0);
  assert_null(payload);

  /* a prefix is not the message */
  assert_int_equal(sync_send(sv[0], "readyx", &err), 0);
  assert_int_equal(sync_expect(sv[1], "ready", NULL, &err), -1);
  assert_int_equal(err.errnum, EPROTO);

  ts_error peer = {0};
  ts_fail(&peer, ENOENT, "open `%s`", "/x");
  sync_send_error(sv[0], &peer);
  assert_int_equal(sync_expect(sv[1], "created", NULL, &err), -1);
  assert_string_equal(err.msg, "open `/x`: No such file or directory");

  /* a line from sync_write_line arrives without its newline */
  assert_int_equal(sync_write_line(sv[0], &err, "ok %d\n", 7), 0);
  char *msg = NULL;
  assert_int_equal(sync_recv(sv[1], &msg, &err), 4);
  assert_string_equal(msg, "ok 7");
  free(msg);
  close(sv[0]);
  close(sv[1]);
}

/* The init's end is close-on-exec: its exec reads as EOF on the other end. */
static void sync_eof_on_exec(void **ctx) {
  ts_error err = {0};
  int sv[2];
  assert_int_equal(sync_socketpair(sv, &err), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    execl("/bin/true", "true", NULL);
    _exit(127);
  }
  close(sv[1]);
  char *msg = NULL;
  assert_int_equal(sync_recv(sv[0], &msg, &err), 0);
  assert_null(msg);
  assert_int_equal(sync_expect(sv[0], "created", NULL, &err), -1);
  assert_non_null(strstr(err.msg, "exited before sending `created`"));
  waitpid(pid, NULL, 0);
  close(sv[0]);
}

static void sync_write_line_no_sigpipe(void **ctx) {
  ts_error err = {0};
  int p[2];
  assert_int_equal(pipe(p), 0);
  close(p[0]);
  assert_int_equal(sync_write_line(p[1], &err, "ok %d\n", 1), -1);
  assert_int_equal(err.errnum, EPIPE);
  sigset_t pending;
  sigpending(&pending);
  assert_false(sigismember(&pending, SIGPIPE));
  close(p[1]);
}

static void id_map_format(void **ctx) {
  struct plan_idmap m[] = {{0, 100000, 65536}, {65536, 4294967294u, 1}};
  char buf[128];
  size_t n = ns_format_id_map(m, 2, buf, sizeof buf);
  assert_string_equal(buf, "0 100000 65536\n65536 4294967294 1\n");
  assert_int_equal(n, strlen(buf));
  assert_int_equal(ns_format_id_map(m, 2, NULL, 0), n);
}

/* The monitor's side of a new user namespace, against a real child. */
static void id_maps_written(void **ctx) {
  if (geteuid() != 0) skip();
  int go[2], done[2];
  assert_int_equal(pipe(go), 0);
  assert_int_equal(pipe(done), 0);
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    if (unshare(CLONE_NEWUSER) < 0) _exit(2);
    write(go[1], "u", 1);
    read(done[0], &c, 1);
    ts_error e = {0};
    _exit(ns_become_root(&e) == 0 && getuid() == 0 && getgid() == 0 ? 0 : 3);
  }
  char c;
  assert_int_equal(read(go[0], &c, 1), 1);
  struct plan_idmap uids[] = {{0, 100000, 1000}}, gids[] = {{0, 200000, 10}, {10, 300000, 5}};
  struct plan p = {.uid_mappings = uids, .n_uid_mappings = 1, .gid_mappings = gids, .n_gid_mappings = 2};
  ts_error err = {0};
  assert_int_equal(ns_write_id_maps(pid, &p, &err), 0);
  char path[64], *text = NULL;
  snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
  assert_int_equal(read_file(path, &text, NULL, &err), 0);
  assert_non_null(strstr(text, "200000"));
  assert_non_null(strstr(text, "300000"));
  free(text);
  /* root writes the maps: setgroups stays allowed */
  snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
  assert_int_equal(read_file(path, &text, NULL, &err), 0);
  assert_string_equal(text, "allow\n");
  free(text);
  write(done[1], "d", 1);
  int st;
  waitpid(pid, &st, 0);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}

static double boottime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void time_offsets(void **ctx) {
  if (geteuid() != 0) skip();
  double before = boottime();
  pid_t pid = fork();
  if (pid == 0) {
    struct plan p = {.has_time_offsets = true, .boottime_secs = 100000, .monotonic_secs = -1};
    ts_error e = {0};
    if (unshare(CLONE_NEWTIME) < 0 || ns_write_time_offsets(&p, &e) < 0) _exit(2);
    pid_t child = fork();
    if (child == 0) _exit(boottime() > before + 99999 ? 0 : 3);
    int st;
    waitpid(child, &st, 0);
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 4);
  }
  int st;
  waitpid(pid, &st, 0);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}

static void join_paths(void **ctx) {
  if (geteuid() != 0) skip();
  struct plan_namespace ns[] = {{TS_NS_UTS, "/proc/self/ns/uts"}, {TS_NS_IPC, "/proc/self/ns/net"}};
  struct plan p = {.namespaces = ns, .n_namespaces = 1};
  int fds[TS_NS_COUNT];
  ts_error err = {0};
  pid_t pid = fork();
  if (pid == 0) _exit(ns_open_paths(&p, fds, &err) == 0 && fds[TS_NS_UTS] >= 0 && ns_join(&p, fds, false, &err) == 0 &&
                              fds[TS_NS_UTS] < 0 ? 0 : 1);
  int st;
  waitpid(pid, &st, 0);
  assert_int_equal(WEXITSTATUS(st), 0);
  /* a path of another kind is refused by setns's nstype */
  p.namespaces = ns + 1;
  assert_int_equal(ns_open_paths(&p, fds, &err), 0);
  assert_int_equal(ns_join(&p, fds, false, &err), -1);
  assert_non_null(strstr(err.msg, "join the ipc namespace `/proc/self/ns/net`"));
  ns_close_fds(fds);
  struct plan_namespace missing = {TS_NS_NET, "/nonexistent/ns"};
  p.namespaces = &missing;
  assert_int_equal(ns_open_paths(&p, fds, &err), -1);
  assert_non_null(strstr(err.msg, "`/nonexistent/ns`"));
}

static void memfd_copy_sealed(void **ctx) {
  ts_error err = {0};
  int fd = memfd_sealed_copy("/proc/self/exe", &err);
  assert_true(fd >= 0);
  assert_int_equal(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
  struct stat a, b;
  assert_int_equal(fstat(fd, &a), 0);
  assert_int_equal(stat("/proc/self/exe", &b), 0);
  assert_int_equal(a.st_size, b.st_size);
  assert_int_equal(write(fd, "x", 1), -1);
  assert_int_equal(errno, EPERM);
  assert_int_equal(ftruncate(fd, 0), -1);
  close(fd);
  assert_int_equal(memfd_sealed_copy("/nonexistent", &err), -1);
}

/* Re-exec'd, this test binary checks where it runs from (see main). */
static void memfd_exec(void **ctx) {
  pid_t pid = fork();
  if (pid == 0) {
    ts_error err = {0};
    char *argv[] = {"test-sync-ns", "memfd-probe", NULL};
    memfd_exec_self(argv, &err);
    _exit(100);
  }
  int st;
  waitpid(pid, &st, 0);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}

static int memfd_probe(void) {
  char exe[256];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0) return 1;
  exe[n] = '\0';
  __cleanup_close int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int seals = fcntl(fd, F_GET_SEALS);
  return strncmp(exe, "/memfd:tsrun", 12) == 0 && (seals & F_SEAL_WRITE) ? 0 : 2;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "memfd-probe") == 0) return memfd_probe();
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(stage_args),
    cmocka_unit_test(sync_messages),
    cmocka_unit_test(sync_eof_on_exec),
    cmocka_unit_test(sync_write_line_no_sigpipe),
    cmocka_unit_test(id_map_format),
    cmocka_unit_test(id_maps_written),
    cmocka_unit_test(time_offsets),
    cmocka_unit_test(join_paths),
    cmocka_unit_test(memfd_copy_sealed),
    cmocka_unit_test(memfd_exec),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
