/* `tsrun exec`: run one more process in a running container.
 *
 * The front end calls exec_in_container(). It forks the exec helper, which
 * re-execs from a sealed memfd copy of this binary (`tsrun __exec`, CVE-2019-5736),
 * joins the container's cgroup and namespaces, and forks the process (so that it
 * is inside the pid namespace); that process sets its attributes and execs.
 * The helper exits as soon as the exec succeeded, so the process is re-parented
 * to the caller, which must have set PR_SET_CHILD_SUBREAPER beforehand: the
 * caller then waits for *child itself (waitpid) and gets its exit status. */
#ifndef TS_EXEC_HELPER_H
#define TS_EXEC_HELPER_H
#include <sys/types.h>
#include "error.h"

/* plan_file: an exec plan (docs/plan-format.md; every namespace has a path).
 * console_fd: a connected --console-socket for process.terminal, else -1.
 * preserve_fds: the caller's fds 3..3+N-1 are passed on, as are 0, 1, 2.
 * On success *child is the pid of the exec'd process (in the caller's pid
 * namespace). On failure nothing is left running. */
int exec_in_container(const char *plan_file, int console_fd, int preserve_fds, pid_t *child, ts_error *err);

/* `tsrun __exec --plan FILE --sync-fd N [--console-fd M | --console-socket PATH]
 *  [--preserve-fds N] [--pid-file PATH]`: the helper itself (shim-proto.h).
 * Writes "ok <pid>\n" or "error <msg>\n" to the sync fd. Returns the exit code. */
int cmd_exec_helper(int argc, char **argv);
#endif
