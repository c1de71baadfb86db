#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "shim-proto.h"

static int parse_size(const char *v, unsigned long long *out, ts_error *err) {
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (errno != 0 || *v < '0' || *v > '9' || *end != '\0')
    return ts_fail(err, 0, "invalid value \"%s\" for flag -log-max-size: parse error", v);
  *out = n;
  return 0;
}

/* The monitor's cwd is the state dir: a relative path would land there. */
static int absolute_path(const char *path, char *out, ts_error *err) {
  if (*path == '\0') return ts_fail(err, 0, "--log-path: empty path");
  char cwd[PATH_MAX];
  if (path[0] != '/' && getcwd(cwd, sizeof cwd) == NULL) return ts_fail(err, errno, "--log-path `%s`: get the current directory", path);
  int n = path[0] == '/' ? snprintf(out, PATH_MAX, "%s", path) : snprintf(out, PATH_MAX, "%s/%s", cwd, path);
  if (n < 0 || n >= PATH_MAX) return ts_fail(err, ENAMETOOLONG, "--log-path `%s`", path);
  return 0;
}

int daemon_opts_resolve(const struct daemon_args *a, struct daemon_opts *d, ts_error *err) {
  *d = (struct daemon_opts){.log_max_size = TS_LOG_MAX_SIZE, .log_max_files = TS_LOG_MAX_FILES, .stdin_pipe = a->stdin_pipe};
  if (a->log_path == NULL) {
    if (a->log_max_size || a->log_max_files >= 0 || a->stdin_pipe)
      return ts_fail(err, 0, "--log-max-size, --log-max-files and --stdin need --log-path");
    return 0;
  }
  if (a->log_max_size && parse_size(a->log_max_size, &d->log_max_size, err) < 0) return -1;
  if (a->log_max_files == 0) return ts_fail(err, 0, "--log-max-files must be at least 1");
  if (a->log_max_files > 0) d->log_max_files = a->log_max_files;
  return absolute_path(a->log_path, d->log_path, err);
}

int daemon_opts_check_console(const struct daemon_opts *d, const char *console_socket, ts_error *err) {
  if (d->log_path[0] && console_socket)
    return ts_fail(err, 0, "cannot use console socket with --log-path: the monitor holds the container's terminal");
  return 0;
}
