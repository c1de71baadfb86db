#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>

#include "memfd-exec.h"
#include "stage-args.h"

/* as execFile's maxBuffer in the daemon: more is cut */
#define SERVER_OUTPUT_MAX (1u << 20)
#define SERVER_LINE_MAX (1u << 20)

struct job {
  json_object *id;
  pid_t pid;
  int out, err;                /* memfds: the worker's stdout and stderr */
  struct job *next;
};

struct server {
  server_cmd_fn run;
  int sigfd;                   /* SIGCHLD */
  int exe_fd;                  /* the shared sealed copy */
  struct job *jobs;
  char *buf;                   /* stdin up to the next newline */
  size_t len, cap;
};

static int write_all(int fd, const char *p, size_t n, ts_error *err) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return ts_fail(err, errno, "write a response");
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int respond(json_object *id, int code, const char *out, size_t out_len, const char *errs, size_t err_len,
                   ts_error *err) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "id", id ? json_object_get(id) : NULL);
  json_object_object_add(o, "code", json_object_new_int(code));
  json_object_object_add(o, "stdout", json_object_new_string_len(out, (int)out_len));
  json_object_object_add(o, "stderr", json_object_new_string_len(errs, (int)err_len));
  size_t n = 0;
  const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
  int r = write_all(STDOUT_FILENO, s, n, err);
  if (r == 0) r = write_all(STDOUT_FILENO, "\n", 1, err);
  json_object_put(o);
  return r;
}

/* A request the server itself refuses: answered as a failed command. */
static int refuse(json_object *id, ts_error *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(json_object *id, ts_error *err, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  char line[600];
  n = snprintf(line, sizeof line, "tsrun: __server: %s\n", msg);
  return respond(id, 1, "", 0, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1, err);
}

/* What the worker wrote, up to SERVER_OUTPUT_MAX; "" when it cannot be read. */
static char *read_output(int fd, size_t *len) {
  struct stat st;
  size_t size = fstat(fd, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size : 0;
  if (size > SERVER_OUTPUT_MAX) size = SERVER_OUTPUT_MAX;
  char *buf = malloc(size + 1);
  *len = 0;
  if (buf == NULL) return NULL;
  while (*len < size) {
    ssize_t n = pread(fd, buf + *len, size - *len, (off_t)*len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    *len += (size_t)n;
  }
  buf[*len] = '\0';
  return buf;
}

static void job_free(struct job *j) {
  json_object_put(j->id);
  if (j->out >= 0) close(j->out);
  if (j->err >= 0) close(j->err);
  free(j);
}

/* The forked worker: `tsrun ARGV` with stdin /dev/null and stdout, stderr in the memfds. */
static __attribute__((noreturn)) void worker(struct server *s, int out, int errfd, int argc, char **argv) {
  stage_reset_signals();
  /* a signal to the daemon's process group must not stop a command half-way */
  setsid();
  int null = open("/dev/null", O_RDONLY);
  if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(errfd, STDERR_FILENO) < 0) {
    dprintf(errfd, "tsrun: __server: set up the worker's stdio: %s\n", strerror(errno));
    _exit(127);
  }
  if (s->exe_fd > 3) close_range(3, (unsigned)s->exe_fd - 1, 0);
  close_range((unsigned)s->exe_fd + 1, ~0U, 0);
  exit(s->run(argc, argv));
}

static int start_job(struct server *s, json_object *id, json_object *args, ts_error *err) {
  size_t n = json_object_array_length(args);
  __cleanup_free char **argv = calloc(n + 2, sizeof *argv);
  if (argv == NULL) return refuse(id, err, "out of memory");
  argv[0] = "tsrun";
  for (size_t i = 0; i < n; i++) {
    json_object *a = json_object_array_get_idx(args, i);
    if (!json_object_is_type(a, json_type_string)) return refuse(id, err, "request: argv[%zu] is not a string", i);
    argv[i + 1] = (char *)json_object_get_string(a);
  }
  struct job *j = calloc(1, sizeof *j);
  if (j == NULL) return refuse(id, err, "out of memory");
  j->id = json_object_get(id);
  j->out = memfd_create("tsrun-stdout", MFD_CLOEXEC);
  j->err = memfd_create("tsrun-stderr", MFD_CLOEXEC);
  if (j->out < 0 || j->err < 0) {
    int e = errno;
    job_free(j);
    return refuse(id, err, "memfd_create for a command's output: %s", strerror(e));
  }
  j->pid = fork();
  if (j->pid < 0) {
    int e = errno;
    job_free(j);
    return refuse(id, err, "fork a worker: %s", strerror(e));
  }
  if (j->pid == 0) worker(s, j->out, j->err, (int)n + 1, argv);
  j->next = s->jobs;
  s->jobs = j;
  return 0;
}

static int handle_line(struct server *s, const char *line, size_t len, ts_error *err) {
  json_tokener *tok = json_tokener_new();
  if (tok == NULL) return ts_fail(err, ENOMEM, "parse a request");
  json_object *req = json_tokener_parse_ex(tok, line, (int)len);
  bool whole = json_tokener_get_error(tok) == json_tokener_success && json_tokener_get_parse_end(tok) == len;
  json_tokener_free(tok);
  json_object *id = NULL, *args = NULL;
  int r;
  if (req == NULL || !whole || !json_object_is_type(req, json_type_object))
    r = refuse(NULL, err, "request: not one JSON object: `%.200s`", line);
  else if (!json_object_object_get_ex(req, "id", &id))
    r = refuse(NULL, err, "request: no id");
  else if (!json_object_object_get_ex(req, "argv", &args) || !json_object_is_type(args, json_type_array))
    r = refuse(id, err, "request: argv is not an array");
  else
    r = start_job(s, id, args, err);
  json_object_put(req);
  return r;
}

/* Requests are whole lines; an empty one is skipped. Returns 1 at EOF. */
static int read_requests(struct server *s, ts_error *err) {
  if (s->cap - s->len < 4096) {
    size_t cap = s->cap ? s->cap * 2 : 16384;
    if (cap > SERVER_LINE_MAX + 4096) return ts_fail(err, 0, "a request line is longer than %u bytes", SERVER_LINE_MAX);
    char *b = realloc(s->buf, cap);
    if (b == NULL) return ts_fail(err, ENOMEM, "read requests");
    s->buf = b;
    s->cap = cap;
  }
  ssize_t n = read(STDIN_FILENO, s->buf + s->len, s->cap - s->len - 1);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 0;
  if (n < 0) return ts_fail(err, errno, "read requests");
  if (n == 0) return 1;
  s->len += (size_t)n;
  char *start = s->buf, *nl;
  while ((nl = memchr(start, '\n', s->len - (size_t)(start - s->buf))) != NULL) {
    *nl = '\0';
    if (nl > start && handle_line(s, start, (size_t)(nl - start), err) < 0) return -1;
    start = nl + 1;
  }
  s->len -= (size_t)(start - s->buf);
  memmove(s->buf, start, s->len);
  return 0;
}

static int reap(struct server *s, ts_error *err) {
  struct signalfd_siginfo si;
  while (read(s->sigfd, &si, sizeof si) == sizeof si) {}
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    struct job **pp = &s->jobs;
    while (*pp && (*pp)->pid != pid) pp = &(*pp)->next;
    struct job *j = *pp;
    if (j == NULL) continue;
    *pp = j->next;
    int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    size_t out_len = 0, err_len = 0;
    __cleanup_free char *out = read_output(j->out, &out_len);
    __cleanup_free char *errs = read_output(j->err, &err_len);
    int r = respond(j->id, code, out ? out : "", out_len, errs ? errs : "", err_len, err);
    job_free(j);
    if (r < 0) return -1;
  }
  return 0;
}

static int server_setup(struct server *s, ts_error *err) {
  pid_t parent = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) return ts_fail(err, errno, "prctl PR_SET_PDEATHSIG");
  if (getppid() != parent) return ts_fail(err, 0, "the daemon that started the server is gone");
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0) return ts_fail(err, errno, "block SIGCHLD");
  s->sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (s->sigfd < 0) return ts_fail(err, errno, "signalfd");
  s->exe_fd = memfd_sealed_copy("/proc/self/exe", err);
  if (s->exe_fd < 0) return ts_wrap(err, "the shared sealed copy");
  char fd_s[16];
  snprintf(fd_s, sizeof fd_s, "%d", s->exe_fd);
  if (setenv(TS_SEALED_EXE_ENV, fd_s, 1) < 0) return ts_fail(err, errno, "setenv " TS_SEALED_EXE_ENV);
  return 0;
}

int server_run(server_cmd_fn run, ts_error *err) {
  struct server s = { .run = run, .sigfd = -1, .exe_fd = -1 };
  int r = server_setup(&s, err);
  while (r == 0) {
    struct pollfd fds[2] = { { .fd = s.sigfd, .events = POLLIN }, { .fd = STDIN_FILENO, .events = POLLIN } };
    if (poll(fds, 2, -1) < 0) {
      if (errno != EINTR) r = ts_fail(err, errno, "poll");
      continue;
    }
    if (fds[0].revents) r = reap(&s, err);
    if (r == 0 && fds[1].revents) r = read_requests(&s, err);
  }
  free(s.buf);
  while (s.jobs) {
    struct job *j = s.jobs;
    s.jobs = j->next;
    job_free(j);
  }
  if (s.sigfd >= 0) close(s.sigfd);
  if (s.exe_fd >= 0) close(s.exe_fd);
  return r < 0 ? -1 : 0;
}
