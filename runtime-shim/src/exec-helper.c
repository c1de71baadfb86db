#include "exec-helper.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "memfd-exec.h"
#include "ns.h"
#include "plan.h"
#include "process.h"
#include "rootfs.h"
#include "stage-args.h"
#include "sync.h"

/* An fd to pass across exec that must not land on a preserved fd's number. */
static int inheritable_above(int fd, int min) {
  if (fd >= min) return fcntl(fd, F_SETFD, 0) < 0 ? -1 : fd;
  return fcntl(fd, F_DUPFD, min);
}

int exec_in_container(const char *plan_file, int console_fd, int preserve_fds, pid_t *child, ts_error *err) {
  int sv[2];
  if (sync_socketpair(sv, err) < 0) return ts_wrap(err, "exec");
  pid_t helper = fork();
  if (helper < 0) {
    int e = errno;
    close(sv[0]);
    close(sv[1]);
    return ts_fail(err, e, "exec: fork the helper");
  }
  if (helper == 0) {
    ts_error cerr = {0};
    stage_reset_signals();
    int sync_fd = inheritable_above(sv[1], 3 + preserve_fds);
    int cons = console_fd >= 0 ? inheritable_above(console_fd, 3 + preserve_fds) : -1;
    char sync_s[16], cons_s[16], preserve_s[16];
    snprintf(sync_s, sizeof sync_s, "%d", sync_fd);
    snprintf(cons_s, sizeof cons_s, "%d", cons);
    snprintf(preserve_s, sizeof preserve_s, "%d", preserve_fds);
    char *argv[] = {"tsrun", "__exec", "--plan", (char *)plan_file, "--sync-fd", sync_s,
                    "--preserve-fds", preserve_s, "--console-fd", cons_s, NULL};
    if (cons < 0) argv[8] = NULL;
    if (sync_fd < 0 || (console_fd >= 0 && cons < 0))
      ts_fail(&cerr, errno, "pass the sync and console fds to the exec helper");
    else
      memfd_exec_self(argv, &cerr);
    sync_send_error(sv[1], &cerr);
    _exit(1);
  }
  close(sv[1]);
  __cleanup_close int fd = sv[0];
  __cleanup_free char *msg = NULL;
  int r = sync_recv(fd, &msg, err);
  int pid = 0;
  waitpid(helper, NULL, 0);
  /* the helper's messages already say what failed in exec */
  if (r < 0) return -1;
  if (r == 0 || sscanf(msg, "ok %d", &pid) != 1 || pid <= 0)
    return ts_fail(err, EPROTO, "exec: the helper answered `%.64s`", r ? msg : "nothing");
  *child = pid;
  return 0;
}

/* The exec'd process: inside every namespace already; its own attributes, then exec. */
static int exec_child(struct plan *p, int console_fd, int preserve_fds, ts_error *err) {
  __cleanup_free char *path = NULL;
  if (p->process.terminal) {
    if (setsid() < 0) return ts_fail(err, errno, "setsid");
    if (console_setup_exec(p, console_fd, err) < 0) return -1;
  }
  if (process_prepare_exec(&p->process, &path, err) < 0) return -1;
  /* without no_new_privs a filter needs CAP_SYS_ADMIN: load it while we still have it */
  if (process_set_limits(&p->process, p->new_keyring, err) < 0) return -1;
  if (process_mark_cloexec(preserve_fds, err) < 0) return -1;
  if (p->seccomp && !p->process.no_new_privileges && seccomp_apply(p->seccomp, err) < 0) return -1;
  if (process_set_user(&p->process, err) < 0) return -1;
  if (p->seccomp && p->process.no_new_privileges && seccomp_apply(p->seccomp, err) < 0) return -1;
  process_exec(&p->process, path, preserve_fds, err);
  err->exit_code = 127;
  return -1;
}

static int join_container(struct plan *p, ts_error *err) {
  /* the cgroup paths are host paths: join before the mount namespace */
  if (p->cgroup && cgroup_enter_self(p->cgroup, err) < 0) return ts_wrap(err, "exec: join the cgroup");
  int fds[TS_NS_COUNT];
  if (ns_open_paths(p, fds, err) < 0) return ts_wrap(err, "exec");
  bool join_user = fds[TS_NS_USER] >= 0;
  int r = ns_join(p, fds, true, err);
  if (r == 0 && join_user) r = ns_become_root(err);
  if (r == 0) r = ns_join(p, fds, false, err);
  ns_close_fds(fds);
  return r < 0 ? ts_wrap(err, "exec") : 0;
}

/* Fork the process; *pid once it exec'd (its close-on-exec end reads EOF). */
static int spawn(struct plan *p, int console_fd, int preserve_fds, pid_t *pid, ts_error *err) {
  int sv[2];
  if (sync_socketpair(sv, err) < 0) return -1;
  pid_t c = fork();
  if (c < 0) {
    int e = errno;
    close(sv[0]);
    close(sv[1]);
    return ts_fail(err, e, "exec: fork");
  }
  if (c == 0) {
    close(sv[0]);
    ts_error cerr = {0};
    exec_child(p, console_fd, preserve_fds, &cerr);
    sync_send_error(sv[1], &cerr);
    _exit(cerr.exit_code ? cerr.exit_code : 1);
  }
  close(sv[1]);
  if (console_fd >= 0) close(console_fd);
  __cleanup_close int fd = sv[0];
  __cleanup_free char *msg = NULL;
  int r = sync_recv(fd, &msg, err);
  if (r != 0) {
    waitpid(c, NULL, 0);
    return r < 0 ? -1 : ts_fail(err, EPROTO, "exec: unexpected `%.64s` from the process", msg);
  }
  *pid = c;
  return 0;
}

/* The pid file's directory is opened before joining the container's mount namespace. */
static int write_pid_file(int dirfd, const char *name, pid_t pid, ts_error *err) {
  char tmp[300], buf[16];
  snprintf(tmp, sizeof tmp, ".%s.tmp-%d", name, (int)getpid());
  int n = snprintf(buf, sizeof buf, "%d", (int)pid);
  __cleanup_close int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ts_fail(err, errno, "create the pid file `%s`", tmp);
  if (write(fd, buf, (size_t)n) != n || renameat(dirfd, tmp, dirfd, name) < 0) {
    int e = errno;
    unlinkat(dirfd, tmp, 0);
    return ts_fail(err, e, "write the pid file `%s`", name);
  }
  return 0;
}

static int run_helper(int argc, char **argv, int console_fd, int preserve_fds, pid_t *pid, ts_error *err) {
  const char *plan_file = stage_arg(argc, argv, "plan");
  const char *console = stage_arg(argc, argv, "console-socket");
  const char *pid_file = stage_arg(argc, argv, "pid-file");
  if (plan_file == NULL) return ts_fail(err, 0, "__exec: missing --plan");
  struct plan *p = NULL;
  if (plan_load(plan_file, &p, err) < 0) return -1;
  if (ns_protect_process(p, err) < 0) {
    plan_free(p);
    return -1;
  }
  __cleanup_close int pid_dir = -1;
  __cleanup_free char *pid_copy = pid_file ? strdup(pid_file) : NULL;
  __cleanup_free char *pid_copy2 = pid_file ? strdup(pid_file) : NULL;
  int r = 0;
  if (pid_file && (pid_dir = open(dirname(pid_copy), O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
    r = ts_fail(err, errno, "open the directory of the pid file `%s`", pid_file);
  if (r == 0 && console && (console_fd = unix_connect(console, SOCK_STREAM, err)) < 0) r = ts_wrap(err, "console socket");
  if (r == 0 && p->process.terminal && console_fd < 0) r = ts_fail(err, 0, "process.terminal is set but no console socket was given");
  if (r == 0) r = join_container(p, err);
  if (r == 0) r = spawn(p, console_fd, preserve_fds, pid, err);
  if (r == 0 && pid_file) r = write_pid_file(pid_dir, basename(pid_copy2), *pid, err);
  plan_free(p);
  return r;
}

int cmd_exec_helper(int argc, char **argv) {
  ts_error err = {0};
  int sync_fd, console_fd, preserve_fds;
  if (stage_arg_int(argc, argv, "sync-fd", -1, &sync_fd, &err) < 0 ||
      stage_arg_int(argc, argv, "console-fd", -1, &console_fd, &err) < 0 ||
      stage_arg_int(argc, argv, "preserve-fds", 0, &preserve_fds, &err) < 0 || sync_fd < 0) {
    fprintf(stderr, "tsrun __exec: %s\n", err.msg[0] ? err.msg : "missing --sync-fd");
    return 1;
  }
  fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
  if (console_fd >= 0) fcntl(console_fd, F_SETFD, FD_CLOEXEC);
  pid_t pid = 0;
  if (run_helper(argc, argv, console_fd, preserve_fds, &pid, &err) < 0) {
    ts_error ignored = {0};
    sync_write_line(sync_fd, &ignored, "error %s\n", err.msg);
    return 1;
  }
  return sync_write_line(sync_fd, &err, "ok %d\n", (int)pid) < 0 ? 1 : 0;
}
