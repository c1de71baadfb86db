/* The runc-compatible commands of the front end (cli-*.c) and what they share. */
#ifndef TS_CLI_H
#define TS_CLI_H
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>
#include "error.h"
#include "plan.h"
#include "state.h"

struct cli_globals {
  const char *root;           /* --root: <root>/<id> is a container's state dir */
};

/* Each command gets argv with argv[0] = its name; returns its exit code, or -1 with err. */
typedef int (*cli_cmd_fn)(const struct cli_globals *g, int argc, char **argv, ts_error *err);
int cmd_create(const struct cli_globals *g, int argc, char **argv, ts_error *err);
int cmd_start(const struct cli_globals *g, int argc, char **argv, ts_error *err);
int cmd_run(const struct cli_globals *g, int argc, char **argv, ts_error *err);
int cmd_state(const struct cli_globals *g, int argc, char **argv, ts_error *err);
int cmd_kill(const struct cli_globals *g, int argc, char **argv, ts_error *err);
int cmd_delete(const struct cli_globals *g, int argc, char **argv, ts_error *err);
int cmd_list(const struct cli_globals *g, int argc, char **argv, ts_error *err);
int cmd_pause(const struct cli_globals *g, int argc, char **argv, ts_error *err);
int cmd_resume(const struct cli_globals *g, int argc, char **argv, ts_error *err);
int cmd_exec(const struct cli_globals *g, int argc, char **argv, ts_error *err);
/* Hidden, for the daemon's image store (cli-mount.c): mount an overlay, unmount. */
int cmd_mount_overlay(const struct cli_globals *g, int argc, char **argv, ts_error *err);
int cmd_umount(const struct cli_globals *g, int argc, char **argv, ts_error *err);
/* spec, features, ps, events, update: exec Node with the original argv (main's). */
int cmd_node(int argc, char **argv, ts_error *err);

/* A container as the commands see it (cli-container.c). */
struct container {
  char *dir;                  /* <root>/<id> */
  struct ts_state *state;
  struct plan *plan;          /* NULL when plan.json cannot be read */
  const char *status;         /* live: state_live_status() */
};
int container_validate_id(const char *id, ts_error *err);
/* "container does not exist" when there is no state.json. */
int container_load(const struct cli_globals *g, const char *id, struct container **out, ts_error *err);
void container_free(struct container *c);
/* A stopped container's end: poststop hooks (failures are warnings), leftover
 * processes killed when it had no pid namespace, cgroup removed, state dir removed. */
int container_destroy(struct container *c, ts_error *err);
/* SIGKILL the container and wait (up to 10 s) until its monitor is gone. */
int container_kill_wait(struct container *c, ts_error *err);
int rm_rf(const char *path, ts_error *err);
/* Wait until pid exits (pidfd): 0 gone, 1 timeout, -1 error. */
int wait_pid_gone(pid_t pid, int timeout_ms);

/* Daemon mode (shim-proto.h): the monitor holds the container's stdio and logs it. */
struct daemon_opts {
  char log_path[PATH_MAX];         /* absolute; "" when not in daemon mode */
  unsigned long long log_max_size;
  int log_max_files;
  bool stdin_pipe;
};

/* create's and run's --log-path, --log-max-size, --log-max-files, --stdin as
 * parsed: NULL, NULL, -1, false when not given. */
struct daemon_args {
  const char *log_path, *log_max_size;
  int log_max_files;
  bool stdin_pipe;
};
/* Their lines in create's and run's usage. */
#define DAEMON_USAGE \
  "   --log-path value          daemon mode: the monitor holds the container's stdio and writes it to this file in the CRI log format\n" \
  "   --log-max-size value      rotate the log before it would grow past this many bytes, 0: never (default: 10485760)\n" \
  "   --log-max-files value     the log and its rotated copies, in all (default: 3)\n" \
  "   --stdin                   with --log-path: the container's stdin is a pipe fed by attach clients (else /dev/null)\n"
/* Check them, fill the defaults and make the path absolute (cli-daemon-opts.c). */
int daemon_opts_resolve(const struct daemon_args *a, struct daemon_opts *d, ts_error *err);
/* In daemon mode the monitor takes the pty: a console socket is an error. */
int daemon_opts_check_console(const struct daemon_opts *d, const char *console_socket, ts_error *err);

/* create's steps, shared with run (cli-create.c). */
struct create_opts {
  const char *bundle, *console_socket, *pid_file;
  bool no_pivot, no_new_keyring;
  int preserve_fds;
  struct daemon_opts daemon;
};
/* Validate the id, make the state dir and have the planner write plan.json. *state_dir malloc'ed. */
int container_prepare(const struct cli_globals *g, const char *id, const struct create_opts *o, char **state_dir, ts_error *err);
/* Start the monitor (detached) and wait for its "ok <pid>". No handoff in daemon mode. */
int container_spawn(const char *state_dir, const char *console_socket, int preserve_fds, const struct daemon_opts *daemon,
                    bool allow_handoff, pid_t *init_pid, ts_error *err);
/* Undo a create that failed half-way: kill what runs, remove cgroup and state dir. Errors are warnings. */
void container_abort(const struct cli_globals *g, const char *id, const char *state_dir);
/* --preserve-fds plus $LISTEN_FDS, as runc counts them. */
int extra_fds(int preserve_fds);
/* The pid, no newline, atomically (as runc). */
int write_pid_file(const char *path, pid_t pid, ts_error *err);
/* Send "start" on <state_dir>/shim.sock and wait for the answer (cli-start.c). */
int container_start(const char *state_dir, ts_error *err);

/* The foreground part of run and exec (cli-relay.c). */
struct relay {
  int master;                 /* pty master to copy stdin/stdout through, or -1 */
  int wait_fd;                /* pidfd: the loop ends when it becomes readable */
  pid_t signal_target;        /* forwarded signals go here */
  int sigfd;                  /* from relay_block_signals() */
};
/* Block the forwarded signals (and SIGCHLD, SIGWINCH) into a signalfd, early,
 * so that none is lost; the processes we start must reset their mask. Returns the fd. */
int relay_block_signals(ts_error *err);
/* Copy the terminal (raw mode, window size) and forward signals until wait_fd is readable. */
int relay_run(struct relay *r, ts_error *err);
#endif
