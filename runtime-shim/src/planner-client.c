#include "planner-client.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define PLANNER_DIR "/run/tsrun/planner"
#define PLANNER_TIMEOUT_MS 120000
#define ANSWER_MAX (1 << 20)

static char *find_node(void) {
  const char *env = getenv("TSRUN_NODE");
  if (env != NULL && *env != '\0') return strdup(env);
  const char *path = getenv("PATH");
  char buf[PATH_MAX];
  if (path != NULL) {
    __cleanup_free char *dirs = strdup(path);
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
      snprintf(buf, sizeof buf, "%s/node", *d ? d : ".");
      if (access(buf, X_OK) == 0) return strdup(buf);
    }
  }
  static const char *const fallback[] = { "/usr/local/bin/node", "/usr/bin/node" };
  for (size_t i = 0; i < sizeof fallback / sizeof *fallback; i++)
    if (access(fallback[i], X_OK) == 0) return strdup(fallback[i]);
  return NULL;
}

int node_side_locate(char **node_bin, char **node_main, ts_error *err) {
  char main_path[PATH_MAX];
  const char *env = getenv("TSRUN_NODE_MAIN");
  if (env != NULL && *env != '\0') {
    snprintf(main_path, sizeof main_path, "%s", env);
  } else {
    char exe[PATH_MAX];
    if (realpath("/proc/self/exe", exe) == NULL) return ts_fail(err, errno, "resolve `/proc/self/exe`");
    snprintf(main_path, sizeof main_path, "%s/tsrun-node.cjs", dirname(exe));
  }
  if (access(main_path, R_OK) < 0)
    return ts_fail(err, 0, "the Node side `%s` is missing: run the setup (README)", main_path);
  char *node = find_node();
  if (node == NULL) return ts_fail(err, 0, "the Node side `node` is missing: run the setup (README)");
  *node_bin = node;
  *node_main = strdup(main_path);
  return 0;
}

/* The server's address changes with every rebuild of the Node side, so a stale
 * server never answers for new code. The lock file of that server sits next to it. */
static int planner_paths(const char *node_main, char *sock, char *lock, size_t size, ts_error *err) {
  struct stat st;
  if (stat(node_main, &st) < 0) return ts_fail(err, errno, "stat `%s`", node_main);
  snprintf(sock, size, "%s/%llu-%lld.sock", PLANNER_DIR, (unsigned long long)st.st_ino, (long long)st.st_mtime);
  snprintf(lock, size, "%s/%llu-%lld.lock", PLANNER_DIR, (unsigned long long)st.st_ino, (long long)st.st_mtime);
  return 0;
}

/* MSG_NOSIGNAL: a planner that goes away must be an error, not our death by SIGPIPE. */
static int write_all(int fd, const char *data, size_t len, bool is_socket) {
  while (len > 0) {
    ssize_t w = is_socket ? send(fd, data, len, MSG_NOSIGNAL) : write(fd, data, len);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -1;
    data += w;
    len -= (size_t)w;
  }
  return 0;
}

/* Read until EOF (the server closes after its one line). */
static int read_answer(int fd, char **out, ts_error *err) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  if (buf == NULL) return ts_fail(err, ENOMEM, "read the planner's answer");
  for (;;) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = poll(&p, 1, PLANNER_TIMEOUT_MS);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      free(buf);
      return ts_fail(err, r == 0 ? ETIMEDOUT : errno, "wait for the planner's answer");
    }
    if (n + 1 >= cap) {
      char *nb = cap < ANSWER_MAX ? realloc(buf, cap *= 2) : NULL;
      if (nb == NULL) {
        free(buf);
        return ts_fail(err, ENOMEM, "read the planner's answer");
      }
      buf = nb;
    }
    ssize_t got = read(fd, buf + n, cap - n - 1);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int e = errno;
      free(buf);
      return ts_fail(err, e, "read the planner's answer");
    }
    if (got == 0) break;
    n += (size_t)got;
  }
  buf[n] = '\0';
  *out = buf;
  return 0;
}

/* 1: answered; 0: no server listening; -1: error. */
static int ask_server(const char *sock_path, const char *line, char **answer, ts_error *err) {
  __cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ts_fail(err, errno, "create a socket for the planner");
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_path);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    if (errno == ENOENT || errno == ECONNREFUSED) return 0;
    return ts_fail(err, errno, "connect to the planner `%s`", sock_path);
  }
  /* a dying server can reset the connection: only then fall back to one-shot */
  if (write_all(fd, line, strlen(line), true) < 0) return errno == EPIPE || errno == ECONNRESET ? 0 : ts_fail(err, errno, "send to the planner `%s`", sock_path);
  if (read_answer(fd, answer, err) < 0) return err->errnum == ECONNRESET ? 0 : -1;
  if (**answer == '\0') {
    free(*answer);
    *answer = NULL;
    return 0;
  }
  return 1;
}

/* The server for next time, unless one is starting or serving: concurrent first
 * calls must start one server, not one each. The server inherits our flock on
 * lock_path as its fd 3 and holds it for its whole life, so the lock is free
 * exactly when no server is up, and a crashed server leaves no stale lock.
 * Detached from us (double fork, new session, stdio on /dev/null, no other
 * inherited fds) so that it outlives this command. */
static int start_server(const char *node, const char *node_main, const char *sock_path, const char *lock_path, ts_error *err) {
  if (mkdir_p(PLANNER_DIR, 0700, err) < 0) return ts_wrap(err, "start the planner");
  __cleanup_close int lock = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lock < 0) return ts_fail(err, errno, "start the planner: open `%s`", lock_path);
  if (flock(lock, LOCK_EX | LOCK_NB) < 0) return errno == EWOULDBLOCK ? 0 : ts_fail(err, errno, "start the planner: lock `%s`", lock_path);
  pid_t pid = fork();
  if (pid < 0) return ts_fail(err, errno, "start the planner: fork");
  if (pid > 0) {
    waitpid(pid, NULL, 0);
    return 0;
  }
  if (fork() != 0) _exit(0);
  setsid();
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  /* the lock first, off stdio's numbers; dup2 onto itself would keep close-on-exec */
  if (lock == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(lock, 3) < 0) _exit(127);
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
  }
  close_range(4, ~0U, 0);
  execl(node, node, node_main, "__planner-serve", "--socket", sock_path, (char *)NULL);
  _exit(127);
}

/* One-shot: `node <main> __plan`, the request on stdin, the answer on stdout. */
static int ask_one_shot(const char *node, const char *node_main, const char *line, char **answer, ts_error *err) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) < 0) return ts_fail(err, errno, "create a pipe for the planner");
  if (pipe2(out, O_CLOEXEC) < 0) {
    close(in[0]);
    close(in[1]);
    return ts_fail(err, errno, "create a pipe for the planner");
  }
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(in[0]), close(in[1]), close(out[0]), close(out[1]);
    return ts_fail(err, e, "fork the planner");
  }
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    dup2(in[0], 0);
    dup2(out[1], 1);
    execl(node, node, node_main, "__plan", (char *)NULL);
    dprintf(2, "tsrun: exec `%s`: %s\n", node, strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  /* the planner reads the whole request before it answers: write first, no deadlock.
   * SIGPIPE blocked meanwhile (and a pending one consumed), for the same reason as MSG_NOSIGNAL. */
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigprocmask(SIG_BLOCK, &pipe_set, &old);
  int r = write_all(in[1], line, strlen(line), false) < 0 ? ts_fail(err, errno, "send the request to the planner") : 0;
  close(in[1]);
  struct timespec zero = { 0, 0 };
  while (sigtimedwait(&pipe_set, NULL, &zero) > 0) {}
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (r == 0) r = read_answer(out[0], answer, err);
  close(out[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (r == 0 && **answer == '\0') {
    free(*answer);
    *answer = NULL;
    return ts_fail(err, 0, "the planner `%s __plan` answered nothing (exit status %d)", node_main,
                   WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
  return r;
}

static int check_answer(const char *answer, ts_error *err) {
  json_object *a = json_tokener_parse(answer);
  json_object *ok, *msg;
  if (a == NULL || !json_object_object_get_ex(a, "ok", &ok)) {
    json_object_put(a);
    return ts_fail(err, 0, "the planner's answer is not valid: %.200s", answer);
  }
  if (json_object_get_boolean(ok)) {
    /* what the plan ignores (deprecated fields), for the user to see */
    json_object *warnings;
    if (json_object_object_get_ex(a, "warnings", &warnings) && json_object_is_type(warnings, json_type_array))
      for (size_t i = 0; i < json_object_array_length(warnings); i++)
        log_warn("%s", json_object_get_string(json_object_array_get_idx(warnings, i)));
    json_object_put(a);
    return 0;
  }
  const char *text = json_object_object_get_ex(a, "error", &msg) ? json_object_get_string(msg) : "no reason given";
  ts_fail(err, 0, "%s", text);
  json_object_put(a);
  return -1;
}

/* $TSRUN_PLANNER_SOCKET: the daemon's planner, and no other. */
static int ask_fixed_server(const char *sock_path, const char *line, char **answer, ts_error *err) {
  if (strlen(sock_path) >= sizeof ((struct sockaddr_un *)0)->sun_path)
    return ts_fail(err, ENAMETOOLONG, "the planner socket `%s` ($TSRUN_PLANNER_SOCKET)", sock_path);
  int r = ask_server(sock_path, line, answer, err);
  if (r < 0) return ts_wrap(err, "$TSRUN_PLANNER_SOCKET");
  if (r == 0) return ts_fail(err, 0, "the planner socket `%s` ($TSRUN_PLANNER_SOCKET) does not answer: is the daemon running?", sock_path);
  return 0;
}

/* The resident planner of this Node side; one-shot (and starting one) when none answers. */
static int ask_local_planner(const char *line, char **answer, ts_error *err) {
  __cleanup_free char *node = NULL, *node_main = NULL;
  if (node_side_locate(&node, &node_main, err) < 0) return -1;
  char sock_path[sizeof ((struct sockaddr_un *)0)->sun_path], lock_path[sizeof sock_path];
  if (planner_paths(node_main, sock_path, lock_path, sizeof sock_path, err) < 0) return -1;
  int r = ask_server(sock_path, line, answer, err);
  if (r != 0) return r < 0 ? -1 : 0;
  log_debug("no planner at `%s`: one-shot, and starting one", sock_path);
  ts_error serr = { 0 };
  /* only slower next time: this call is answered one-shot all the same */
  if (start_server(node, node_main, sock_path, lock_path, &serr) < 0) log_warn("%s", serr.msg);
  return ask_one_shot(node, node_main, line, answer, err);
}

int planner_call(json_object *request, ts_error *err) {
  __cleanup_free char *answer = NULL;
  char *line;
  if (asprintf(&line, "%s\n", json_object_to_json_string_ext(request, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
    return ts_fail(err, ENOMEM, "build the planner request");
  __cleanup_free char *req_line = line;
  log_debug("planner request: %.*s", (int)strcspn(line, "\n"), line);
  const char *fixed = getenv("TSRUN_PLANNER_SOCKET");
  int r = fixed != NULL && *fixed != '\0' ? ask_fixed_server(fixed, line, &answer, err) : ask_local_planner(line, &answer, err);
  if (r < 0) return -1;
  log_debug("planner answer: %.*s", (int)strcspn(answer, "\n"), answer);
  return check_answer(answer, err);
}
