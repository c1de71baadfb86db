#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli-opts.h"
#include "log.h"
#include "shim-proto.h"
#include "sync.h"

#define CONSOLE_SOCK "console.sock"
#define CONSOLE_TIMEOUT_MS 10000

static const char usage[] =
    "NAME:\n   tsrun run - create and run a container\n\n"
    "USAGE:\n   tsrun run [command options] <container-id>\n\n"
    "Where \"<container-id>\" is your name for the instance of the container that you\n"
    "are starting. The name you provide for the container instance must be unique on\n"
    "your host.\n\n"
    "OPTIONS:\n"
    "   --bundle value, -b value  path to the root of the bundle directory, defaults to the current directory\n"
    "   --console-socket value    path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal\n"
    "   --detach, -d              detach from the container's process\n"
    "   --keep                    do not delete the container after it exits\n"
    "   --pid-file value          specify the file to write the process id to\n"
    "   --no-subreaper            disable the use of the subreaper used to reap reparented processes\n"
    "   --no-pivot                do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk\n"
    "   --no-new-keyring          do not create a new session keyring for the container.  This will cause the container to inherit the calling processes session key\n"
    "   --preserve-fds value      Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total) (default: 0)\n"
    DAEMON_USAGE;

/* Our own console socket for a foreground terminal: the monitor connects to it
 * and the container's init sends the pty master through it. */
static int listen_console(const char *dir, char *path, size_t size, ts_error *err) {
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if ((size_t)snprintf(addr.sun_path, sizeof addr.sun_path, "%s/%s", dir, CONSOLE_SOCK) >= sizeof addr.sun_path)
    return ts_fail(err, ENAMETOOLONG, "console socket `%s/%s`", dir, CONSOLE_SOCK);
  snprintf(path, size, "%s", addr.sun_path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ts_fail(err, errno, "create the console socket");
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 1) < 0) {
    int e = errno;
    close(fd);
    return ts_fail(err, e, "listen on `%s`", path);
  }
  return fd;
}

static int accept_master(int lfd, const char *path, ts_error *err) {
  struct pollfd p = { .fd = lfd, .events = POLLIN };
  int r;
  while ((r = poll(&p, 1, CONSOLE_TIMEOUT_MS)) < 0 && errno == EINTR) {}
  if (r <= 0) return ts_fail(err, r == 0 ? ETIMEDOUT : errno, "wait for the console on `%s`", path);
  __cleanup_close int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0) return ts_fail(err, errno, "accept on `%s`", path);
  return unix_recv_fd(conn, err);
}

/* Foreground: relay until the monitor has recorded the exit and left; the exit code is in state.json. */
static int run_foreground(const struct cli_globals *g, const char *id, struct relay *rl, bool keep, ts_error *err) {
  struct container *c;
  if (container_load(g, id, &c, err) < 0) return -1;
  rl->signal_target = c->state->pid;
  rl->wait_fd = (int)syscall(SYS_pidfd_open, c->state->monitor_pid, 0);
  container_free(c);
  int r = relay_run(rl, err);
  if (rl->wait_fd >= 0) close(rl->wait_fd);
  if (r < 0) return -1;
  if (container_load(g, id, &c, err) < 0) return -1;
  int code = 255;
  if (c->state->has_exit)
    code = c->state->exit_code;
  else
    log_warn("the exit status of container `%s` is unknown: its monitor ended without recording it", id);
  if (!keep && (container_kill_wait(c, err) < 0 || container_destroy(c, err) < 0)) code = -1;
  container_free(c);
  return code;
}

int cmd_run(const struct cli_globals *g, int argc, char **argv, ts_error *err) {
  struct create_opts o = { 0 };
  bool detach = false, keep = false, no_subreaper = false;
  struct daemon_args da = { .log_max_files = -1 };
  const struct cli_opt opts[] = {
    { "bundle", 'b', CLI_STRING, &o.bundle },
    { "console-socket", 0, CLI_STRING, &o.console_socket },
    { "detach", 'd', CLI_BOOL, &detach },
    { "keep", 0, CLI_BOOL, &keep },
    { "pid-file", 0, CLI_STRING, &o.pid_file },
    { "no-subreaper", 0, CLI_BOOL, &no_subreaper },
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
  if (cli_check_args("run", argc - i, CLI_EXACT, 1, err) < 0) return -1;
  if (daemon_opts_resolve(&da, &o.daemon, err) < 0 || daemon_opts_check_console(&o.daemon, o.console_socket, err) < 0)
    return -1;
  /* in daemon mode the monitor holds the terminal: a foreground run only waits */
  bool daemon = o.daemon.log_path[0] != '\0';
  const char *id = argv[i];
  struct relay rl = { .master = -1, .wait_fd = -1, .sigfd = -1 };
  /* before anything runs, so that no signal meant for the container is lost */
  if (!detach && (rl.sigfd = relay_block_signals(err)) < 0) return -1;
  __cleanup_close int sigfd = rl.sigfd;
  __cleanup_free char *dir = NULL;
  if (container_prepare(g, id, &o, &dir, err) < 0) return -1;

  char path[PATH_MAX], console_path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", dir, TS_PLAN_FILE);
  struct plan *plan = NULL;
  int r = plan_load(path, &plan, err);
  bool terminal = r == 0 && plan->process.terminal;
  if (plan) plan_free(plan);
  if (r == 0 && !daemon && detach && terminal && o.console_socket == NULL)
    r = ts_fail(err, 0, "cannot allocate tty if tsrun will detach without setting console socket");
  else if (r == 0 && (!detach || !terminal) && o.console_socket != NULL)
    r = ts_fail(err, 0, "cannot use console socket if tsrun will not detach or allocate tty");
  __cleanup_close int lfd = -1;
  const char *console = o.console_socket;
  if (r == 0 && terminal && !detach && !daemon) {
    r = lfd = listen_console(dir, console_path, sizeof console_path, err);
    console = console_path;
  }
  pid_t pid = 0;
  if (r >= 0) r = container_spawn(dir, console, extra_fds(o.preserve_fds), &o.daemon, false, &pid, err);
  if (r >= 0 && lfd >= 0) {
    r = rl.master = accept_master(lfd, console_path, err);
    unlink(console_path);
  }
  if (r >= 0 && o.pid_file) r = write_pid_file(o.pid_file, pid, err);
  if (r >= 0) r = container_start(dir, err);
  if (r < 0) {
    if (rl.master >= 0) close(rl.master);
    container_abort(g, id, dir);
    return -1;
  }
  if (detach) return 0;
  r = run_foreground(g, id, &rl, keep, err);
  if (rl.master >= 0) close(rl.master);
  return r;
}
