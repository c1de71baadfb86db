/* The last steps before the container process runs: its working directory,
 * its executable, and the exec itself. */
#include "process.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int check_cwd(const char *cwd, ts_error *err) {
  char buf[PATH_MAX];
  if (chdir(cwd) < 0) return ts_fail(err, errno, "chdir to process.cwd `%s`", cwd);
  /* a directory fd leaked from the host makes the cwd unreachable from the new
   * root: the kernel then reports it as "(unreachable)/..." (CVE-2024-21626).
   * The raw syscall shows that text, where glibc's getcwd would only say ENOENT. */
  long n = syscall(SYS_getcwd, buf, sizeof buf);
  if (n < 0) return ts_fail(err, errno, "getcwd after chdir to process.cwd `%s`", cwd);
  if (buf[0] != '/')
    return ts_fail(err, 0, "process.cwd `%s` is `%s`, outside the container's root: refusing to run there (CVE-2024-21626)", cwd, buf);
  return 0;
}

static const char *env_path(const struct plan_process *proc) {
  const char *path = DEFAULT_PATH;
  for (size_t i = 0; i < proc->n_env; i++)
    if (strncmp(proc->env[i], "PATH=", 5) == 0) path = proc->env[i] + 5;
  return path;
}

/* 0: a regular executable file; else the errno that says why not. */
static int executable(const char *path) {
  struct stat st;
  if (stat(path, &st) < 0) return errno;
  if (S_ISDIR(st.st_mode)) return EISDIR;
  if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0) return EACCES;
  return 0;
}

static int look_path(const char *file, const char *path_list, char **out, ts_error *err) {
  const char *dir = path_list;
  for (;;) {
    const char *end = strchrnul(dir, ':');
    int dlen = (int)(end - dir);
    char *cand = NULL;
    /* an empty entry means the current directory, as in execvp and Go's LookPath */
    if (asprintf(&cand, "%.*s%s%s", dlen ? dlen : 1, dlen ? dir : ".", "/", file) < 0)
      return ts_fail(err, ENOMEM, "exec: \"%s\"", file);
    if (executable(cand) == 0) {
      *out = cand;
      return 0;
    }
    free(cand);
    if (*end == '\0') break;
    dir = end + 1;
  }
  return ts_fail(err, 0, "exec: \"%s\": executable file not found in $PATH", file);
}

int process_prepare_exec(const struct plan_process *proc, char **path, ts_error *err) {
  const char *file = proc->args[0];
  if (check_cwd(proc->cwd, err) < 0) return -1;
  if (file[0] == '\0') return ts_fail(err, 0, "exec: \"\": process.args[0] is empty");
  if (strchr(file, '/') == NULL) return look_path(file, env_path(proc), path, err);
  int e = executable(file);
  if (e != 0) return ts_fail(err, e, "exec: \"%s\"", file);
  *path = strdup(file);
  return *path ? 0 : ts_fail(err, ENOMEM, "exec: \"%s\"", file);
}

int process_mark_cloexec(int preserve_fds, ts_error *err) {
  /* nothing from the runtime but stdio and the preserved fds may reach the container */
  if (close_range(3 + (unsigned)preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    return ts_fail(err, errno, "mark fds from %d close-on-exec", 3 + preserve_fds);
  return 0;
}

int process_exec(const struct plan_process *proc, const char *path, int preserve_fds, ts_error *err) {
  if (close_range(3 + (unsigned)preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0 && errno != EPERM && errno != ENOSYS)
    return ts_fail(err, errno, "mark fds from %d close-on-exec", 3 + preserve_fds);
  execve(path, proc->args, proc->env);
  return ts_fail(err, errno, "exec `%s`", path);
}
