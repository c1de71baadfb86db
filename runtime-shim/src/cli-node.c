#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "planner-client.h"

int cmd_node(int argc, char **argv, ts_error *err) {
  __cleanup_free char *node = NULL, *node_main = NULL;
  if (node_side_locate(&node, &node_main, err) < 0) return -1;
  char **args = calloc((size_t)argc + 2, sizeof *args);
  if (args == NULL) return ts_fail(err, ENOMEM, "exec `%s`", node);
  args[0] = node;
  args[1] = node_main;
  for (int i = 1; i < argc; i++) args[i + 1] = argv[i];
  execv(node, args);
  int e = errno;
  free(args);
  return ts_fail(err, e, "exec `%s`", node);
}
