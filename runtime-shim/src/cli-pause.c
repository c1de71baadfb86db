#include "cli.h"

#include <string.h>

#include "cgroup.h"
#include "cli-opts.h"

static const char pause_usage[] =
    "NAME:\n   tsrun pause - pause suspends all processes inside the container\n\n"
    "USAGE:\n   tsrun pause <container-id>\n\n"
    "Where \"<container-id>\" is the name for the instance of the container to be\npaused. \n\n"
    "DESCRIPTION:\n   The pause command suspends all processes in the instance of the container.\n\n"
    "Use tsrun list to identify instances of containers and their current status.\n";

static const char resume_usage[] =
    "NAME:\n   tsrun resume - resumes all processes that have been previously paused\n\n"
    "USAGE:\n   tsrun resume <container-id>\n\n"
    "Where \"<container-id>\" is the name for the instance of the container to be\nresumed.\n\n"
    "DESCRIPTION:\n   The resume command resumes all processes in the instance of the container.\n\n"
    "Use tsrun list to identify instances of containers and their current status.\n";

static int set_frozen(const struct cli_globals *g, int argc, char **argv, bool frozen, ts_error *err) {
  const char *cmd = frozen ? "pause" : "resume";
  const struct cli_opt opts[] = { { NULL } };
  int i = cli_parse(opts, frozen ? pause_usage : resume_usage, argc, argv, false, err);
  if (i < 0) return i == CLI_PARSE_HELP ? 0 : -1;
  if (cli_check_args(cmd, argc - i, CLI_EXACT, 1, err) < 0) return -1;
  struct container *c;
  if (container_load(g, argv[i], &c, err) < 0) return -1;
  int r;
  const struct plan_cgroup *cg = c->plan ? c->plan->cgroup : NULL;
  if (frozen && strcmp(c->status, "running") != 0 && strcmp(c->status, "created") != 0)
    r = ts_fail(err, 0, "container not running");
  else if (!frozen && strcmp(c->status, "paused") != 0)
    r = ts_fail(err, 0, "container not paused");
  else if (cg == NULL || cg->freezer == NULL)
    r = ts_fail(err, 0, "container `%s` has no freezer cgroup", c->state->id);
  else
    r = cgroup_freeze(cg, frozen, err);
  container_free(c);
  return r;
}

int cmd_pause(const struct cli_globals *g, int argc, char **argv, ts_error *err) {
  return set_frozen(g, argc, argv, true, err);
}

int cmd_resume(const struct cli_globals *g, int argc, char **argv, ts_error *err) {
  return set_frozen(g, argc, argv, false, err);
}
