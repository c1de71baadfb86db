#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli-opts.h"
#include "log.h"

static const char usage[] =
    "NAME:\n   tsrun delete - delete any resources held by the container often used with detached container\n\n"
    "USAGE:\n   tsrun delete [command options] <container-id>\n\n"
    "Where \"<container-id>\" is the name for the instance of the container.\n\n"
    "EXAMPLE:\nFor example, if the container id is \"ubuntu01\" and tsrun list currently shows the\n"
    "status of \"ubuntu01\" as \"stopped\" the following will delete resources held for\n"
    "\"ubuntu01\" removing \"ubuntu01\" from the tsrun list of containers:\n\n       # tsrun delete ubuntu01\n\n"
    "OPTIONS:\n   --force, -f  Forcibly deletes the container if it is still running (uses SIGKILL)\n";

int cmd_delete(const struct cli_globals *g, int argc, char **argv, ts_error *err) {
  bool force = false;
  const struct cli_opt opts[] = { { "force", 'f', CLI_BOOL, &force }, { NULL } };
  int i = cli_parse(opts, usage, argc, argv, false, err);
  if (i < 0) return i == CLI_PARSE_HELP ? 0 : -1;
  if (cli_check_args("delete", argc - i, CLI_EXACT, 1, err) < 0) return -1;
  const char *id = argv[i];
  struct container *c;
  if (container_load(g, id, &c, err) < 0) {
    if (strcmp(err->msg, "container does not exist") != 0) return -1;
    /* a create that died before state.json existed leaves its directory behind */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", g->root, id);
    ts_error rerr = { 0 };
    if (rm_rf(dir, &rerr) < 0) log_warn("%s", rerr.msg);
    return force ? 0 : -1;
  }
  int r = 0;
  /* --force kills even a stopped container's cgroup leftovers (no pid namespace);
   * a stopped one's monitor may still be writing its last state: wait for it too */
  if (force || strcmp(c->status, "created") == 0 || strcmp(c->status, "stopped") == 0)
    r = container_kill_wait(c, err);
  else
    r = ts_fail(err, 0, "cannot delete container %s that is not stopped: %s", id, c->status);
  if (r == 0) r = container_destroy(c, err);
  container_free(c);
  return r;
}
