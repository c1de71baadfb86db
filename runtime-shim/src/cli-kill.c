#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cgroup.h"
#include "cli-opts.h"

static const char usage[] =
    "NAME:\n   tsrun kill - kill sends the specified signal (default: SIGTERM) to the container's init process\n\n"
    "USAGE:\n   tsrun kill [command options] <container-id> [signal]\n\n"
    "Where \"<container-id>\" is the name for the instance of the container and\n"
    "\"[signal]\" is the signal to be sent to the init process.\n\n"
    "EXAMPLE:\nFor example, if the container id is \"ubuntu01\" the following will send a \"KILL\"\n"
    "signal to the init process of the \"ubuntu01\" container:\n\n       # tsrun kill ubuntu01 KILL\n\n"
    "OPTIONS:\n   --all, -a  send the specified signal to all processes inside the container\n";

/* A number, or a name with or without "SIG", any case. */
static int parse_signal(const char *raw, ts_error *err) {
  char *end;
  long n = strtol(raw, &end, 10);
  if (*raw != '\0' && *end == '\0') return (int)n;
  const char *name = strncasecmp(raw, "SIG", 3) == 0 ? raw + 3 : raw;
  for (int s = 1; s < NSIG; s++) {
    const char *abbrev = sigabbrev_np(s);
    if (abbrev != NULL && strcasecmp(abbrev, name) == 0) return s;
  }
  return ts_fail(err, 0, "unknown signal \"%s\"", raw);
}

int cmd_kill(const struct cli_globals *g, int argc, char **argv, ts_error *err) {
  bool all = false;
  const struct cli_opt opts[] = { { "all", 'a', CLI_BOOL, &all }, { NULL } };
  int i = cli_parse(opts, usage, argc, argv, false, err);
  if (i < 0) return i == CLI_PARSE_HELP ? 0 : -1;
  int nargs = argc - i;
  if (cli_check_args("kill", nargs, CLI_MIN, 1, err) < 0 || cli_check_args("kill", nargs, CLI_MAX, 2, err) < 0) return -1;
  struct container *c;
  if (container_load(g, argv[i], &c, err) < 0) return -1;
  int r = 0;
  int sig = parse_signal(nargs == 2 ? argv[i + 1] : "SIGTERM", err);
  const struct plan_cgroup *cg = c->plan ? c->plan->cgroup : NULL;
  if (sig < 0) {
    r = -1;
  } else if (all) {
    /* a stopped container may still have processes in its cgroup (no pid namespace) */
    if (cg == NULL) r = ts_fail(err, 0, "container `%s` has no cgroup to signal", c->state->id);
    else if (cgroup_kill_all(cg, sig, err) < 0 && strcmp(c->status, "stopped") != 0) r = -1;
  } else if (strcmp(c->status, "stopped") == 0 || c->state->pid <= 0) {
    r = ts_fail(err, 0, "container not running");
  } else if (kill(c->state->pid, sig) < 0) {
    r = ts_fail(err, errno, "unable to signal init");
  } else if (sig == SIGKILL && cg != NULL && strcmp(c->status, "paused") == 0) {
    /* a frozen (v1) task only dies once thawed */
    ts_error ferr = { 0 };
    cgroup_freeze(cg, false, &ferr);
  }
  container_free(c);
  return r;
}
