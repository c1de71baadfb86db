/* The internal protocol between the tsrun front end, the per-container monitor
 * and the container init. Both sides live in this binary; the TypeScript daemon
 * (tsd) speaks it too, so change it only together with packages/ that use it.
 *
 * Process tree of a container (create):
 *   tsrun create            front end: makes <stateDir>, asks the planner for plan.json,
 *    └ tsrun __monitor      the monitor (setsid, subreaper, not dumpable); stays for the
 *                           container's life; creates the cgroup; runs prestart,
 *                           createRuntime, poststart hooks; reaps; writes state.json.
 *       └ [memfd] __init    stage 1, exec'd from a sealed memfd copy of this binary
 *                           (CVE-2019-5736); joins/creates namespaces, forks stage 2, exits.
 *          └ stage 2        pid 1 of the container: rootfs, pivot_root, process attributes;
 *                           waits for start, execs the container process.
 *
 * Handoff: when the caller of `tsrun create` is a subreaper (containerd's shim,
 * conmon), it adopts the double-forked monitor; the monitor then stays no
 * subreaper, so stage 2 is re-parented to the caller, which reaps it as it
 * would runc's init. That monitor serves `start` and leaves.
 *
 * Monitor argv:  tsrun __monitor --state-dir DIR --sync-fd N
 *                  [--caller-pid P --forker-pid F] [--console-socket PATH] [--preserve-fds N]
 *   P is the front end's parent (0: never hand off, as `run` does), F the
 *   short-lived fork between the front end and the monitor.
 *   The monitor writes exactly one line to the sync fd and closes it:
 *     "ok <init-pid>\n"          the container is created (state.json says "created")
 *     "error <message>\n"        creation failed; nothing is left running
 *
 * Control socket <stateDir>/shim.sock, SOCK_SEQPACKET, one request per message:
 *     "start"   -> "ok" once the container process exec'd and poststart hooks ran
 *                  ("ok <warnings>" when some of those hooks failed),
 *                  or "error <message>"
 *
 * Exec argv:     tsrun __exec --plan FILE --sync-fd N [--console-socket PATH]
 *                  [--preserve-fds N] [--pid-file PATH]
 *   same one-line answer on the sync fd: "ok <pid>\n" once the process exec'd.
 */
#ifndef TS_SHIM_PROTO_H
#define TS_SHIM_PROTO_H

#define TS_SHIM_SOCK "shim.sock"
#define TS_PLAN_FILE "plan.json"
#define TS_STATE_FILE "state.json"
#define TS_DEFAULT_ROOT "/run/tsrun"

#endif
