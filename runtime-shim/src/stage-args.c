#include "stage-args.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

const char *stage_arg(int argc, char **argv, const char *name) {
  for (int i = 1; i + 1 < argc; i++)
    if (argv[i][0] == '-' && argv[i][1] == '-' && strcmp(argv[i] + 2, name) == 0) return argv[i + 1];
  return NULL;
}

int stage_arg_int(int argc, char **argv, const char *name, int def, int *out, ts_error *err) {
  const char *v = stage_arg(argc, argv, name);
  if (v == NULL) {
    *out = def;
    return 0;
  }
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (errno != 0 || *v == '\0' || *end != '\0' || n < 0 || n > INT_MAX)
    return ts_fail(err, EINVAL, "option `--%s`: `%s` is not a valid number", name, v);
  *out = (int)n;
  return 0;
}

int stage_arg_u64(int argc, char **argv, const char *name, unsigned long long def, unsigned long long *out, ts_error *err) {
  const char *v = stage_arg(argc, argv, name);
  if (v == NULL) {
    *out = def;
    return 0;
  }
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (errno != 0 || *v < '0' || *v > '9' || *end != '\0')
    return ts_fail(err, EINVAL, "option `--%s`: `%s` is not a valid number", name, v);
  *out = n;
  return 0;
}

void stage_reset_signals(void) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
}
