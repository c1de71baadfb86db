/* `tsrun __server`: a resident front end for a daemon (tsd), so that a runtime
 * call costs a fork of this small static process instead of a spawn.
 *
 * The daemon starts it with pipes on stdin and stdout (stderr its own):
 *   request,  one JSON object a line on stdin:
 *     {"id": ID, "argv": ["--root", "/run/tsd/runtime", "create", ...]}
 *     argv without the program name; ID any JSON value, echoed.
 *   response, one JSON object a line on stdout, when that command has exited:
 *     {"id": ID, "code": N, "stdout": "...", "stderr": "..."}
 *     N its exit code, 128+signal when a signal ended it. Responses come in the
 *     order the commands end, not the order of the requests.
 * Each request is run by a forked worker, exactly as `tsrun ARGV` would run it,
 * with stdin /dev/null and stdout and stderr in memfds (a pipe would stay open
 * in the monitor that create double-forks). Workers run in their own session
 * and finish their command even when the server is gone.
 * The server exits at EOF on stdin, and is killed when its parent dies. It
 * makes one sealed copy of its binary and shares it with the workers
 * ($TSRUN_SEALED_EXE_FD, memfd-exec.h) for the containers' stage 1. */
#ifndef TS_SERVER_H
#define TS_SERVER_H
#include "error.h"

/* tsrun's command line as main() runs it: returns the exit code, prints its own errors. */
typedef int (*server_cmd_fn)(int argc, char **argv);

/* Serve requests until EOF on stdin. Returns 0, or -1 with err. */
int server_run(server_cmd_fn run, ts_error *err);
#endif
