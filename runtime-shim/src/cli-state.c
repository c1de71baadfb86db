#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli-opts.h"

static const char usage[] =
    "NAME:\n   tsrun state - output the state of a container\n\n"
    "USAGE:\n   tsrun state <container-id>\n\n"
    "Where \"<container-id>\" is your name for the instance of the container.\n\n"
    "DESCRIPTION:\n   The state command outputs current state information for the\ninstance of a container.\n";

int cmd_state(const struct cli_globals *g, int argc, char **argv, ts_error *err) {
  const struct cli_opt opts[] = { { NULL } };
  int i = cli_parse(opts, usage, argc, argv, false, err);
  if (i < 0) return i == CLI_PARSE_HELP ? 0 : -1;
  if (cli_check_args("state", argc - i, CLI_EXACT, 1, err) < 0) return -1;
  struct container *c;
  if (container_load(g, argv[i], &c, err) < 0) return -1;
  char *json = state_to_oci_json(c->state, c->status);
  fputs(json, stdout);  /* no trailing newline, as runc */
  free(json);
  container_free(c);
  return 0;
}
