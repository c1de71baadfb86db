/* The front end's way to the TypeScript side: where Node and tsrun-node.cjs are,
 * and the request/answer exchange with the resident planner (one JSON line each
 * way over /run/tsrun/planner/<ino>-<mtime>.sock), one-shot when it is not up;
 * the server started then holds the flock on <ino>-<mtime>.lock for its life
 * (docs/plan-format.md, "Planner requests"). With $TSRUN_PLANNER_SOCKET set,
 * only that socket: the daemon (tsd) serves the planner in-process. */
#ifndef TS_PLANNER_CLIENT_H
#define TS_PLANNER_CLIENT_H
#include <json-c/json.h>
#include "error.h"

/* $TSRUN_NODE or node on $PATH (or /usr/local/bin, /usr/bin); $TSRUN_NODE_MAIN or
 * tsrun-node.cjs next to this binary. Both malloc'ed. */
int node_side_locate(char **node_bin, char **node_main, ts_error *err);

/* Send request, wait for the answer: 0 for {"ok":true}; the planner's "error"
 * as the message otherwise. */
int planner_call(json_object *request, ts_error *err);
#endif
