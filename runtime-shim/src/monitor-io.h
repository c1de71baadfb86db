/* Daemon mode (`tsrun create --log-path`, shim-proto.h): the monitor holds the
 * container's stdio, as conmon does, so that whoever manages the container
 * (tsd) is not in the data path and may die without stalling it. Output goes
 * to the CRI log (log-writer.h) and to the attach clients (attach-server.h);
 * stdin comes from those clients. All of it is nonblocking, in the monitor's
 * poll loop: if anything waits, it is the container on a full pipe. */
#ifndef TS_MONITOR_IO_H
#define TS_MONITOR_IO_H
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include "attach-server.h"
#include "error.h"

struct monitor_io_opts {
  const char *log_path;            /* NULL: not daemon mode */
  unsigned long long log_max_size;
  int log_max_files;
  bool stdin_pipe;                 /* --stdin: the attach clients feed the container's stdin */
  bool terminal;                   /* process.terminal: one pty instead of the pipes */
};

/* The monitor's --log-path, --log-max-size, --log-max-files and --stdin. */
int monitor_io_args(int argc, char **argv, struct monitor_io_opts *o, ts_error *err);

struct monitor_io;

/* Opens the log and makes the container's pipes; with a terminal, the
 * socketpair the init sends the pty master over (*console_fd: the init's end,
 * the caller's to pass on and close). */
int monitor_io_open(struct monitor_io **out, const struct monitor_io_opts *o, int *console_fd, ts_error *err);

/* In the forked stage 1 before its exec: the container's pipes (or /dev/null)
 * onto fds 0, 1, 2. -1 with errno. */
int monitor_io_child_stdio(const struct monitor_io *io);

#define MONITOR_IO_MAX_KEEP 6
/* In the monitor after the fork: closes the container's ends; keep gets the
 * fds the monitor holds on to (at most MONITOR_IO_MAX_KEEP). Returns their number. */
size_t monitor_io_after_fork(struct monitor_io *io, int *keep);

/* Once the init reported "created": receive the pty master (terminal only). */
int monitor_io_take_console(struct monitor_io *io, ts_error *err);

/* Listen on attach.sock in the cwd (the state dir). */
int monitor_io_listen(struct monitor_io *io, ts_error *err);

#define MONITOR_IO_MAX_POLLFDS (3 + 1 + ATTACH_MAX_CLIENTS)
size_t monitor_io_pollfds(const struct monitor_io *io, struct pollfd *fds);
void monitor_io_handle(struct monitor_io *io, const struct pollfd *fds, size_t n);

/* The container has exited: log and relay what is left in its pipes. */
void monitor_io_drain(struct monitor_io *io);

/* Close the attach clients (they see EOF), attach.sock and the log; frees io. */
void monitor_io_close(struct monitor_io *io);
#endif
