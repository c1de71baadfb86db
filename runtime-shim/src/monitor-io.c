#include "monitor-io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "log-lines.h"
#include "log-writer.h"
#include "shim-proto.h"
#include "stage-args.h"
#include "sync.h"

/* After the exit, a process that outlived the init (no pid namespace) may
 * still write: the drain takes what is there, up to this much per stream. */
#define DRAIN_MAX (1 << 20)

struct output {
  int fd;                       /* our read end (or the pty master); -1 after EOF */
  enum log_stream stream;
  struct log_writer *log;
  struct log_lines lines;
};

struct monitor_io {
  bool terminal;
  bool terminal_stdin;          /* --stdin with a terminal: the clients' input goes to the pty master */
  struct log_writer log;
  struct output out[2];         /* stdout, stderr; with a terminal only out[0], the pty master */
  int stdin_fd;                 /* pipe's write end, or the pty master; -1: none (or closed) */
  int child[3];                 /* the container's ends until the fork; -1: /dev/null */
  int console_sock;             /* ours, until the pty master came over it */
  struct attach_server attach;
};

int monitor_io_args(int argc, char **argv, struct monitor_io_opts *o, ts_error *err) {
  int stdin_pipe = 0;
  *o = (struct monitor_io_opts){.log_path = stage_arg(argc, argv, "log-path")};
  if (stage_arg_u64(argc, argv, "log-max-size", TS_LOG_MAX_SIZE, &o->log_max_size, err) < 0 ||
      stage_arg_int(argc, argv, "log-max-files", TS_LOG_MAX_FILES, &o->log_max_files, err) < 0 ||
      stage_arg_int(argc, argv, "stdin", 0, &stdin_pipe, err) < 0)
    return -1;
  o->stdin_pipe = stdin_pipe != 0;
  if (o->log_path && o->log_path[0] != '/') return ts_fail(err, 0, "__monitor: --log-path `%s` is not absolute", o->log_path);
  if (o->log_max_files < 1) return ts_fail(err, 0, "__monitor: --log-max-files must be at least 1");
  return 0;
}

static int set_nonblock(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* *ours gets the end the monitor keeps (nonblocking), *theirs the container's. */
static int make_pipe(bool ours_reads, int *ours, int *theirs, ts_error *err) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return ts_fail(err, errno, "create a pipe for the container's stdio");
  *ours = ours_reads ? p[0] : p[1];
  *theirs = ours_reads ? p[1] : p[0];
  if (set_nonblock(*ours) < 0) return ts_fail(err, errno, "make the container's stdio pipe nonblocking");
  return 0;
}

static int open_stdio(struct monitor_io *io, const struct monitor_io_opts *o, int *console_fd, ts_error *err) {
  if (o->terminal) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return ts_fail(err, errno, "create the console socketpair");
    io->console_sock = sv[0];
    *console_fd = sv[1];
    return 0;
  }
  if (make_pipe(true, &io->out[0].fd, &io->child[1], err) < 0 || make_pipe(true, &io->out[1].fd, &io->child[2], err) < 0)
    return -1;
  if (o->stdin_pipe && make_pipe(false, &io->stdin_fd, &io->child[0], err) < 0) return -1;
  return 0;
}

int monitor_io_open(struct monitor_io **out, const struct monitor_io_opts *o, int *console_fd, ts_error *err) {
  struct monitor_io *io = calloc(1, sizeof *io);
  if (io == NULL) return ts_fail(err, ENOMEM, "daemon mode");
  io->terminal = o->terminal;
  io->log.fd = io->stdin_fd = io->console_sock = io->attach.listen_fd = -1;
  io->child[0] = io->child[1] = io->child[2] = -1;
  for (int i = 0; i < 2; i++) io->out[i] = (struct output){.fd = -1, .stream = i ? LOG_STDERR : LOG_STDOUT, .log = &io->log};
  /* with a terminal, once the pty master is here */
  io->attach.stdin_open = o->stdin_pipe && !o->terminal;
  io->terminal_stdin = o->stdin_pipe && o->terminal;
  *out = io;
  if (log_writer_open(&io->log, o->log_path, o->log_max_size, o->log_max_files, err) < 0) return -1;
  return open_stdio(io, o, console_fd, err);
}

int monitor_io_child_stdio(const struct monitor_io *io) {
  int null = -1;
  for (int fd = 0; fd < 3; fd++) {
    int src = io->child[fd];
    if (src < 0 && null < 0) {
      /* above 2, so that no dup2 below overwrites it */
      int tmp = open("/dev/null", O_RDWR | O_CLOEXEC);
      if (tmp < 0 || (null = fcntl(tmp, F_DUPFD_CLOEXEC, 3)) < 0) return -1;
      close(tmp);
    }
    if (dup2(src < 0 ? null : src, fd) < 0) return -1;
  }
  return 0;
}

size_t monitor_io_after_fork(struct monitor_io *io, int *keep) {
  for (int i = 0; i < 3; i++) {
    if (io->child[i] >= 0) close(io->child[i]);
    io->child[i] = -1;
  }
  size_t n = 0;
  int fds[] = {io->log.fd, io->out[0].fd, io->out[1].fd, io->stdin_fd, io->console_sock};
  for (size_t i = 0; i < sizeof fds / sizeof *fds; i++)
    if (fds[i] >= 0) keep[n++] = fds[i];
  return n;
}

int monitor_io_take_console(struct monitor_io *io, ts_error *err) {
  if (!io->terminal) return 0;
  int master = unix_recv_fd(io->console_sock, err);
  close(io->console_sock);
  io->console_sock = -1;
  if (master < 0) return ts_wrap(err, "the container's terminal");
  if (set_nonblock(master) < 0) {
    close(master);
    return ts_fail(err, errno, "make the container's terminal nonblocking");
  }
  io->out[0].fd = master;
  if (io->terminal_stdin) {
    io->stdin_fd = master;
    io->attach.stdin_open = true;
  }
  return 0;
}

int monitor_io_listen(struct monitor_io *io, ts_error *err) {
  return attach_server_listen(&io->attach, err);
}

size_t monitor_io_pollfds(const struct monitor_io *io, struct pollfd *fds) {
  bool stdin_waits = io->attach.stdin_len > 0;
  for (int i = 0; i < 2; i++) fds[i] = (struct pollfd){.fd = io->out[i].fd, .events = POLLIN};
  if (io->terminal && stdin_waits) fds[0].events |= POLLOUT;
  fds[2] = (struct pollfd){.fd = !io->terminal && stdin_waits ? io->stdin_fd : -1, .events = POLLOUT};
  return 3 + attach_server_pollfds(&io->attach, fds + 3);
}

/* The record is lost when the log cannot be written: there is nobody to tell. */
static void emit_record(void *ctx, bool partial, const char *data, size_t len) {
  struct output *o = ctx;
  ts_error ignored = {0};
  log_writer_record(o->log, o->stream, partial, data, len, &ignored);
}

static void close_stdin(struct monitor_io *io) {
  if (!io->terminal && io->stdin_fd >= 0) close(io->stdin_fd);
  io->stdin_fd = -1;
  io->attach.stdin_open = false;
  io->attach.stdin_len = 0;
}

/* One read; returns how many bytes, 0 when there are none now (EAGAIN) or ever (EOF). */
static size_t read_output(struct monitor_io *io, struct output *o) {
  size_t room;
  char *dest = log_lines_space(&o->lines, &room);
  ssize_t n = read(o->fd, dest, room);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
  if (n <= 0) {
    /* EOF, or EIO from a pty master whose slave is closed everywhere */
    log_lines_flush(&o->lines, emit_record, o);
    if (io->stdin_fd == o->fd) close_stdin(io);
    close(o->fd);
    o->fd = -1;
    return 0;
  }
  attach_server_broadcast(&io->attach, (enum attach_frame)o->stream, dest, (size_t)n);
  log_lines_push(&o->lines, (size_t)n, emit_record, o);
  return (size_t)n;
}

/* What the attach clients sent: a resize first, since a client sends it before
 * the input that the new size is for. */
static void apply_input(struct monitor_io *io) {
  struct attach_server *a = &io->attach;
  if (a->resized && io->terminal && io->out[0].fd >= 0) {
    struct winsize ws = {.ws_row = a->rows, .ws_col = a->cols};
    ioctl(io->out[0].fd, TIOCSWINSZ, &ws);
  }
  a->resized = false;
  if (a->stdin_len > 0) {
    ssize_t n = write_nosigpipe(io->stdin_fd, a->stdin_buf, a->stdin_len);
    if (n > 0) {
      a->stdin_len -= (size_t)n;
      memmove(a->stdin_buf, a->stdin_buf + n, a->stdin_len);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      /* EPIPE: the container closed its stdin */
      close_stdin(io);
    }
  }
  /* with a terminal, the pty stays: only the clients' input stops */
  if (a->close_stdin && a->stdin_len == 0) close_stdin(io);
}

void monitor_io_handle(struct monitor_io *io, const struct pollfd *fds, size_t n) {
  /* the attach clients first: the entries match them only until one is dropped */
  if (n > 3) attach_server_handle(&io->attach, fds + 3, n - 3);
  for (int i = 0; i < 2 && (size_t)i < n; i++)
    if (fds[i].fd >= 0 && fds[i].fd == io->out[i].fd && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
      read_output(io, &io->out[i]);
  apply_input(io);
}

void monitor_io_drain(struct monitor_io *io) {
  for (int i = 0; i < 2; i++) {
    struct output *o = &io->out[i];
    for (size_t total = 0, n = 1; n > 0 && o->fd >= 0 && total < DRAIN_MAX; total += n) n = read_output(io, o);
    log_lines_flush(&o->lines, emit_record, o);
  }
}

void monitor_io_close(struct monitor_io *io) {
  if (io == NULL) return;
  attach_server_close(&io->attach);
  close_stdin(io);
  for (int i = 0; i < 2; i++)
    if (io->out[i].fd >= 0) close(io->out[i].fd);
  for (int i = 0; i < 3; i++)
    if (io->child[i] >= 0) close(io->child[i]);
  if (io->console_sock >= 0) close(io->console_sock);
  log_writer_close(&io->log);
  free(io);
}
