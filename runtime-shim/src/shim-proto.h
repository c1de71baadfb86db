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
 *                           (CVE-2019-5736), under `tsrun __server` the server's one
 *                           shared copy (server.h); joins/creates namespaces, forks
 *                           stage 2, exits.
 *          └ stage 2        pid 1 of the container: rootfs, pivot_root, process attributes;
 *                           waits for start, execs the container process.
 *   Stage 1 moves itself into the cgroup the monitor made (cgroup_enter_self),
 *   before it unshares and forks stage 2.
 *
 * Handoff: when the caller of `tsrun create` is a subreaper (containerd's shim,
 * conmon), it adopts the double-forked monitor; the monitor then stays no
 * subreaper, so stage 2 is re-parented to the caller, which reaps it as it
 * would runc's init. That monitor serves `start` and leaves.
 *
 * Monitor argv:  tsrun __monitor --state-dir DIR --sync-fd N
 *                  [--caller-pid P --forker-pid F] [--console-socket PATH] [--preserve-fds N]
 *                  [--log-path FILE --log-max-size BYTES --log-max-files N [--stdin 1]]
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
 * Daemon mode: `tsrun create|run --log-path FILE [--log-max-size BYTES]
 * [--log-max-files N] [--stdin]`. The monitor, not the caller, holds the
 * container's stdio, so that the caller (tsd) may die, even by SIGKILL, while
 * the container runs on (as with conmon). No handoff in this mode.
 *   stdio       stdout and stderr are pipes the monitor reads; stdin is a pipe
 *               whose write end the monitor holds with --stdin, /dev/null
 *               without. With process.terminal the init sends the pty master
 *               to the monitor over a socketpair (no --console-socket, which is
 *               refused): its output is logged as stdout and, with --stdin,
 *               attach stdin is written to it.
 *   FILE        the CRI log (log-writer.h), one record a line:
 *                 "2026-11-23T10:00:00.123456789Z stdout F hello"
 *               stream stdout or stderr; tag F: a full line (the content's own
 *               newline is the record's), P: a 16 KiB part of a longer line, or
 *               what a stream left without a newline when it ended. Content as is.
 *               Before a record would take FILE past BYTES (default 10 MiB; 0:
 *               never), FILE.(N-2) -> FILE.(N-1), ..., FILE -> FILE.1 and a new
 *               FILE (0640): N files in all (default 3). No record is split.
 *               An existing FILE is appended to.
 *   relay       nonblocking, in the monitor's poll loop; only while it serves
 *               a shim.sock request (start, with the poststart hooks) does the
 *               relay wait, and the container with it once a pipe is full.
 *   exit        the monitor drains the pipes into the log and to the attach
 *               clients, writes state.json ("stopped", exit status) as always,
 *               then closes the attach clients: their EOF means "stream over,
 *               the exit status is in state.json".
 *
 * Attach socket <stateDir>/attach.sock (daemon mode), SOCK_STREAM, mode 0600,
 * up to 16 clients. Both directions carry Docker's multiplexed frames:
 *     [stream u8, 0, 0, 0, size u32 big-endian] then size bytes
 *   monitor -> client: 1 stdout, 2 stderr (a terminal's output is 1); a client
 *     gets the output from when it connected. A client whose socket buffer
 *     (1 MiB) is full is dropped (closed): it never stalls the container.
 *   client -> monitor: 0 stdin data (dropped without --stdin), 3 close stdin
 *     (empty; the container reads EOF; with a terminal only the clients' input
 *     stops), 4 resize: rows u16 BE, cols u16 BE (TIOCSWINSZ; terminal only).
 *     Other streams are skipped. While the container does not take its stdin,
 *     the monitor reads no client. A client still sending when the stream ends
 *     may see ECONNRESET (after all the output) instead of EOF.
 *
 * Resident front end: tsd runs these commands through one `tsrun __server`
 * (server.h): a forked worker per command, JSON lines on its stdin and stdout.
 * $TSRUN_SEALED_EXE_FD=N (set by the server): fd N is its sealed copy of this
 * binary; close-on-exec in the front end, passed to the monitor only, used by
 * stage 1 only after checking it is a memfd of ours with every seal set.
 *
 * $TSRUN_PLANNER_SOCKET=PATH: the front end asks the planner on exactly that
 * socket (tsd serves it in-process) and never starts or runs one itself.
 *
 * Exec argv:     tsrun __exec --plan FILE --sync-fd N [--console-socket PATH]
 *                  [--preserve-fds N] [--pid-file PATH]
 *   same one-line answer on the sync fd: "ok <pid>\n" once the process exec'd.
 */
#ifndef TS_SHIM_PROTO_H
#define TS_SHIM_PROTO_H

#define TS_SHIM_SOCK "shim.sock"
#define TS_ATTACH_SOCK "attach.sock"
#define TS_LOG_MAX_SIZE 10485760ULL
#define TS_LOG_MAX_FILES 3
#define TS_PLAN_FILE "plan.json"
#define TS_STATE_FILE "state.json"
#define TS_DEFAULT_ROOT "/run/tsrun"

#endif
