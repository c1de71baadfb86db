#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli-opts.h"
#include "log.h"
#include "shim-proto.h"

/* The monitor answers once the process exec'd and poststart hooks ran; hooks have
 * their own timeouts, so this is only a guard against a hung monitor. */
#define START_TIMEOUT_MS 300000

static const char usage[] =
    "NAME:\n   tsrun start - executes the user defined process in a created container\n\n"
    "USAGE:\n   tsrun start <container-id>\n\n"
    "Where \"<container-id>\" is your name for the instance of the container that you\n"
    "are starting. The name you provide for the container instance must be unique on\n"
    "your host.\n\n"
    "DESCRIPTION:\n   The start command executes the user defined process in a created container.\n";

int container_start(const char *state_dir, ts_error *err) {
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  /* Docker's state dirs are longer than sun_path: then reach the socket through
   * an fd of its directory, as the monitor bound it relative to its cwd. */
  __cleanup_close int dir_fd = -1;
  if ((size_t)snprintf(addr.sun_path, sizeof addr.sun_path, "%s/%s", state_dir, TS_SHIM_SOCK) >= sizeof addr.sun_path) {
    dir_fd = open(state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return ts_fail(err, errno, "open `%s`", state_dir);
    snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dir_fd, TS_SHIM_SOCK);
  }
  __cleanup_close int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return ts_fail(err, errno, "create a socket");
  /* the monitor listens before it answers create's "ok": no socket means no monitor */
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) return ts_fail(err, errno, "connect to `%s`", addr.sun_path);
  int r;
  if (send(fd, "start", 5, MSG_NOSIGNAL) < 0) return ts_fail(err, errno, "send start to `%s`", addr.sun_path);
  struct pollfd p = { .fd = fd, .events = POLLIN };
  while ((r = poll(&p, 1, START_TIMEOUT_MS)) < 0 && errno == EINTR) {}
  if (r == 0) return ts_fail(err, ETIMEDOUT, "wait for the monitor to start the container");
  char answer[TS_ERR_MSG_MAX];
  ssize_t n = recv(fd, answer, sizeof answer - 1, 0);
  if (n < 0) return ts_fail(err, errno, "read the answer on `%s`", addr.sun_path);
  answer[n] = '\0';
  answer[strcspn(answer, "\n")] = '\0';
  if (strcmp(answer, "ok") == 0) return 0;
  /* started, with warnings (failed poststart hooks) */
  if (strncmp(answer, "ok ", 3) == 0) {
    log_warn("%s", answer + 3);
    return 0;
  }
  if (strncmp(answer, "error ", 6) == 0) return ts_fail(err, 0, "%s", answer + 6);
  if (n == 0) return ts_fail(err, 0, "the monitor closed `%s` without an answer", addr.sun_path);
  return ts_fail(err, 0, "the monitor answered `%s`", answer);
}

int cmd_start(const struct cli_globals *g, int argc, char **argv, ts_error *err) {
  const struct cli_opt opts[] = { { NULL } };
  int i = cli_parse(opts, usage, argc, argv, false, err);
  if (i < 0) return i == CLI_PARSE_HELP ? 0 : -1;
  if (cli_check_args("start", argc - i, CLI_EXACT, 1, err) < 0) return -1;
  struct container *c;
  if (container_load(g, argv[i], &c, err) < 0) return -1;
  int r;
  if (strcmp(c->status, "created") == 0)
    r = container_start(c->dir, err);
  else if (strcmp(c->status, "stopped") == 0)
    r = ts_fail(err, 0, "cannot start a container that has stopped");
  else if (strcmp(c->status, "running") == 0)
    r = ts_fail(err, 0, "cannot start an already running container");
  else
    r = ts_fail(err, 0, "cannot start a container in the %s state", c->status);
  container_free(c);
  return r;
}
