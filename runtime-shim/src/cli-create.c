#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cli-opts.h"
#include "log.h"
#include "memfd-exec.h"
#include "planner-client.h"
#include "shim-proto.h"
#include "util.h"
#include "trace.h"

static const char usage[] =
    "NAME:\n   tsrun create - create a container\n\n"
    "USAGE:\n   tsrun create [command options] <container-id>\n\n"
    "Where \"<container-id>\" is your name for the instance of the container that you\n"
    "are starting. The name you provide for the container instance must be unique on\n"
    "your host.\n\n"
    "OPTIONS:\n"
    "   --bundle value, -b value  path to the root of the bundle directory, defaults to the current directory\n"
    "   --console-socket value    path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal\n"
    "   --pid-file value          specify the file to write the process id to\n"
    "   --no-pivot                do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk\n"
    "   --no-new-keyring          do not create a new session keyring for the container.  This will cause the container to inherit the calling processes session key\n"
    "   --preserve-fds value      Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total) (default: 0)\n"
    DAEMON_USAGE;

int extra_fds(int preserve_fds) {
  const char *listen = getenv("LISTEN_FDS");
  int n = listen ? atoi(listen) : 0;
  return preserve_fds + (n > 0 ? n : 0);
}

int write_pid_file(const char *path, pid_t pid, ts_error *err) {
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%d", (int)pid);
  if (write_file_atomic(path, buf, (size_t)n, 0644, err) < 0) return ts_wrap(err, "write the pid file");
  return 0;
}

int container_prepare(const struct cli_globals *g, const char *id, const struct create_opts *o, char **state_dir,
                      ts_error *err) {
  if (container_validate_id(id, err) < 0) return -1;
  char bundle[PATH_MAX];
  if (realpath(o->bundle ? o->bundle : ".", bundle) == NULL) return ts_fail(err, errno, "bundle `%s`", o->bundle ? o->bundle : ".");
  if (mkdir_p(g->root, 0700, err) < 0) return ts_wrap(err, "create the state root");
  char root[PATH_MAX];
  if (realpath(g->root, root) == NULL) return ts_fail(err, errno, "resolve the state root `%s`", g->root);
  __cleanup_free char *dir = NULL;
  if (asprintf(&dir, "%s/%s", root, id) < 0) return ts_fail(err, ENOMEM, "create");
  if (mkdir(dir, 0711) < 0) {
    if (errno == EEXIST) return ts_fail(err, 0, "container with given ID already exists");
    return ts_fail(err, errno, "create the state directory `%s`", dir);
  }
  ts_trace("front: start");
  json_object *req = json_object_new_object();
  json_object_object_add(req, "op", json_object_new_string("create"));
  json_object_object_add(req, "id", json_object_new_string(id));
  json_object_object_add(req, "bundle", json_object_new_string(bundle));
  json_object_object_add(req, "stateDir", json_object_new_string(dir));
  json_object_object_add(req, "noPivot", json_object_new_boolean(o->no_pivot));
  json_object_object_add(req, "noNewKeyring", json_object_new_boolean(o->no_new_keyring));
  /* a relative cgroupsPath is under our cgroup, not the resident planner's; we are alive until it answers */
  json_object_object_add(req, "callerPid", json_object_new_int((int)getpid()));
  int r = planner_call(req, err);
  ts_trace("front: planned");
  json_object_put(req);
  if (r < 0) {
    ts_error rerr = { 0 };
    if (rm_rf(dir, &rerr) < 0) log_warn("%s", rerr.msg);
    return -1;
  }
  *state_dir = dir;
  dir = NULL;
  return 0;
}

void container_abort(const struct cli_globals *g, const char *id, const char *state_dir) {
  struct container *c = NULL;
  ts_error cerr = { 0 };
  if (container_load(g, id, &c, &cerr) == 0) {
    if (container_kill_wait(c, &cerr) < 0 || container_destroy(c, &cerr) < 0) log_warn("%s", cerr.msg);
    container_free(c);
    return;
  }
  ts_error_clear(&cerr);
  if (rm_rf(state_dir, &cerr) < 0) log_warn("%s", cerr.msg);
}

static void exec_monitor(const char *state_dir, const char *console_socket, int preserve_fds, const struct daemon_opts *d,
                         int sync_fd, pid_t caller, pid_t forker) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  setsid();
  /* the monitor's sync fd must not land on a preserved one */
  int fd = fcntl(sync_fd, F_DUPFD, 3 + preserve_fds);
  for (int i = 3; i < 3 + preserve_fds; i++) fcntl(i, F_SETFD, 0);
  memfd_shared_exe_inherit(3 + preserve_fds);
  char fd_arg[16], preserve_arg[16], caller_arg[16], forker_arg[16], size_arg[24], files_arg[16];
  snprintf(fd_arg, sizeof fd_arg, "%d", fd);
  snprintf(preserve_arg, sizeof preserve_arg, "%d", preserve_fds);
  snprintf(caller_arg, sizeof caller_arg, "%d", (int)caller);
  snprintf(forker_arg, sizeof forker_arg, "%d", (int)forker);
  snprintf(size_arg, sizeof size_arg, "%llu", d->log_max_size);
  snprintf(files_arg, sizeof files_arg, "%d", d->log_max_files);
  const char *argv[24] = { "tsrun", "__monitor", "--state-dir", state_dir, "--sync-fd", fd_arg,
                           "--caller-pid", caller_arg, "--forker-pid", forker_arg };
  int n = 10;
  if (console_socket) argv[n++] = "--console-socket", argv[n++] = console_socket;
  if (preserve_fds > 0) argv[n++] = "--preserve-fds", argv[n++] = preserve_arg;
  if (d->log_path[0]) {
    argv[n++] = "--log-path", argv[n++] = d->log_path;
    argv[n++] = "--log-max-size", argv[n++] = size_arg;
    argv[n++] = "--log-max-files", argv[n++] = files_arg;
    if (d->stdin_pipe) argv[n++] = "--stdin", argv[n++] = "1";
  }
  argv[n] = NULL;
  execv("/proc/self/exe", (char **)argv);
  dprintf(sync_fd, "error exec the monitor `/proc/self/exe`: %s\n", strerror(errno));
  _exit(127);
}

/* "ok <pid>" or "error <message>", one line. */
static int read_sync_line(int fd, pid_t *init_pid, ts_error *err) {
  char line[TS_ERR_MSG_MAX];
  size_t n = 0;
  while (n < sizeof line - 1) {
    ssize_t r = read(fd, line + n, sizeof line - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ts_fail(err, errno, "read the monitor's answer");
    if (r == 0) break;
    n += (size_t)r;
    if (memchr(line, '\n', n)) break;
  }
  line[n] = '\0';
  line[strcspn(line, "\n")] = '\0';
  if (strncmp(line, "ok ", 3) == 0 && atoi(line + 3) > 0) {
    *init_pid = atoi(line + 3);
    return 0;
  }
  if (strncmp(line, "error ", 6) == 0) return ts_fail(err, 0, "%s", line + 6);
  if (n == 0) return ts_fail(err, 0, "the monitor exited without an answer");
  return ts_fail(err, 0, "the monitor answered `%s`", line);
}

int container_spawn(const char *state_dir, const char *console_socket, int preserve_fds, const struct daemon_opts *daemon,
                    bool allow_handoff, pid_t *init_pid, ts_error *err) {
  int p[2];
  /* whoever ran us: if it is a subreaper, the monitor hands the init over to it */
  pid_t caller = allow_handoff && !daemon->log_path[0] ? getppid() : 0;
  if (pipe2(p, O_CLOEXEC) < 0) return ts_fail(err, errno, "create the monitor's sync pipe");
  /* Double fork: the monitor outlives this command and must not become a zombie
   * of whoever ran it. */
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(p[0]);
    close(p[1]);
    return ts_fail(err, e, "fork the monitor");
  }
  if (pid == 0) {
    close(p[0]);
    pid_t forker = getpid();
    pid_t grandchild = fork();
    if (grandchild < 0) {
      dprintf(p[1], "error fork the monitor: %s\n", strerror(errno));
      _exit(1);
    }
    if (grandchild == 0) exec_monitor(state_dir, console_socket, preserve_fds, daemon, p[1], caller, forker);
    _exit(0);
  }
  close(p[1]);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
  int r = read_sync_line(p[0], init_pid, err);
  /* A monitor that failed exits right after its answer: wait for that (EOF on
   * the pipe), so that nothing of a failed create is still running when we return. */
  char drain[256];
  for (ssize_t n; r < 0;) {
    n = read(p[0], drain, sizeof drain);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  close(p[0]);
  return r;
}

int cmd_create(const struct cli_globals *g, int argc, char **argv, ts_error *err) {
  struct create_opts o = { 0 };
  struct daemon_args da = { .log_max_files = -1 };
  const struct cli_opt opts[] = {
    { "bundle", 'b', CLI_STRING, &o.bundle },
    { "console-socket", 0, CLI_STRING, &o.console_socket },
    { "pid-file", 0, CLI_STRING, &o.pid_file },
    { "no-pivot", 0, CLI_BOOL, &o.no_pivot },
    { "no-new-keyring", 0, CLI_BOOL, &o.no_new_keyring },
    { "preserve-fds", 0, CLI_INT, &o.preserve_fds },
    { "log-path", 0, CLI_STRING, &da.log_path },
    { "log-max-size", 0, CLI_STRING, &da.log_max_size },
    { "log-max-files", 0, CLI_INT, &da.log_max_files },
    { "stdin", 0, CLI_BOOL, &da.stdin_pipe },
    { NULL },
  };
  int i = cli_parse(opts, usage, argc, argv, false, err);
  if (i < 0) return i == CLI_PARSE_HELP ? 0 : -1;
  if (cli_check_args("create", argc - i, CLI_EXACT, 1, err) < 0) return -1;
  if (daemon_opts_resolve(&da, &o.daemon, err) < 0 || daemon_opts_check_console(&o.daemon, o.console_socket, err) < 0)
    return -1;
  bool daemon = o.daemon.log_path[0] != '\0';
  const char *id = argv[i];
  __cleanup_free char *dir = NULL;
  if (container_prepare(g, id, &o, &dir, err) < 0) return -1;
  char plan_path[PATH_MAX];
  snprintf(plan_path, sizeof plan_path, "%s/%s", dir, TS_PLAN_FILE);
  struct plan *plan = NULL;
  pid_t pid = 0;
  int r = plan_load(plan_path, &plan, err);
  if (r == 0 && !daemon && plan->process.terminal && o.console_socket == NULL)
    r = ts_fail(err, 0, "cannot allocate tty if tsrun will detach without setting console socket");
  else if (r == 0 && !plan->process.terminal && o.console_socket != NULL)
    r = ts_fail(err, 0, "cannot use console socket if tsrun will not detach or allocate tty");
  if (plan) plan_free(plan);
  if (r == 0) r = container_spawn(dir, o.console_socket, extra_fds(o.preserve_fds), &o.daemon, true, &pid, err);
  if (r == 0 && o.pid_file) r = write_pid_file(o.pid_file, pid, err);
  if (r < 0) {
    container_abort(g, id, dir);
    return -1;
  }
  return 0;
}
