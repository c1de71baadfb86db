/* Daemon mode (shim-proto.h): the monitor holds the container's stdio, writes
 * the CRI log and serves attach.sock, with real busybox containers
 * (monitor-fixture.h); and the front end's options with $TSRUN_PLANNER_SOCKET
 * and a stand-in planner. Needs root, /bin/busybox and python3; run from runtime-shim/. */
#include "monitor-fixture.h"

#include <limits.h>
#include <regex.h>
#include <sys/time.h>

#include "attach-server.h"
#include "cli.h"

static char log_path[160];
static pid_t planner_pid;

struct record { char stream[8]; char tag; char *content; size_t len; };
struct log { char *text; struct record r[1024]; int n; };

static const char *const record_re =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z (stdout|stderr) [FP] ";

/* Every line must be a CRI record; contents point into l->text (NUL-terminated). */
static void read_log(const char *path, struct log *l) {
  regex_t re;
  assert_int_equal(regcomp(&re, record_re, REG_EXTENDED), 0);
  l->text = slurp(path);
  l->n = 0;
  for (char *line = l->text, *nl; *line; line = nl + 1) {
    nl = strchr(line, '\n');
    assert_non_null(nl);
    *nl = '\0';
    if (regexec(&re, line, 0, NULL, 0) != 0) fail_msg("not a CRI record: `%.80s`", line);
    assert_true(l->n < 1024);
    struct record *r = &l->r[l->n++];
    char *stream = strchr(line, ' ') + 1;
    snprintf(r->stream, sizeof r->stream, "%.6s", stream);
    r->tag = stream[7];
    r->content = stream + 9;
    r->len = (size_t)(nl - r->content);
  }
  regfree(&re);
}

/* "<tag> <content>" of the stream's records, one a line */
static char *stream_records(const struct log *l, const char *stream) {
  size_t size = 64;
  for (int i = 0; i < l->n; i++) size += l->r[i].len + 4;
  char *s = calloc(1, size), *p = s;
  for (int i = 0; i < l->n; i++)
    if (strcmp(l->r[i].stream, stream) == 0) p += sprintf(p, "%c %s\n", l->r[i].tag, l->r[i].content);
  return s;
}

static int reset(void **ctx) {
  snprintf(log_path, sizeof log_path, "%s/ctr.log", tmp);
  return sh("rm -f %s*", log_path);
}

static pid_t create_daemon(const char *const *extra, char *line, size_t size) {
  const char *argv[16] = {"--log-path", log_path};
  size_t n = 2;
  for (size_t i = 0; extra && extra[i] && n < 15; i++) argv[n++] = extra[i];
  argv[n] = NULL;
  pid_t monitor = create_with(argv, line, size);
  if (strncmp(line, "ok ", 3) != 0) fail_msg("create: %s", line);
  return monitor;
}

static void start(void) {
  char reply[512];
  request("start", reply, sizeof reply);
  assert_string_equal(reply, "ok");
}

static int attach(void) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", state_dir, TS_ATTACH_SOCK);
  ts_error err = {0};
  int fd = unix_connect(path, SOCK_STREAM, &err);
  if (fd < 0) fail_msg("%s", err.msg);
  struct timeval tv = {.tv_sec = 30};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

static void send_frame(int fd, enum attach_frame stream, const void *data, uint32_t len) {
  uint8_t h[ATTACH_HEADER_SIZE];
  attach_frame_header(h, stream, len);
  assert_int_equal(send(fd, h, sizeof h, MSG_NOSIGNAL), (ssize_t)sizeof h);
  if (len) assert_int_equal(send(fd, data, len, MSG_NOSIGNAL), (ssize_t)len);
}

static bool read_full(int fd, void *buf, size_t len) {
  for (size_t got = 0; got < len;) {
    ssize_t n = recv(fd, (char *)buf + got, len - got, 0);
    if (n < 0) fail_msg("attach: recv: %s", strerror(errno));
    if (n == 0) {
      assert_int_equal(got, 0);
      return false;
    }
    got += (size_t)n;
  }
  return true;
}

/* Frames until EOF: stdout's and stderr's bytes, NUL-terminated. */
struct streams { char out[8192], err[8192]; size_t out_len, err_len; };

static void read_until_eof(int fd, struct streams *s) {
  uint8_t h[ATTACH_HEADER_SIZE];
  while (read_full(fd, h, sizeof h)) {
    uint32_t len = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
    assert_true(h[0] == ATTACH_STDOUT || h[0] == ATTACH_STDERR);
    assert_true(h[1] == 0 && h[2] == 0 && h[3] == 0);
    char *dest = h[0] == ATTACH_STDOUT ? s->out + s->out_len : s->err + s->err_len;
    size_t *used = h[0] == ATTACH_STDOUT ? &s->out_len : &s->err_len;
    assert_true(*used + len < sizeof s->out);
    assert_true(len == 0 || read_full(fd, dest, len));
    *used += len;
    dest[len] = '\0';
  }
}

static void expect_exit(pid_t monitor, int code) {
  assert_int_equal(wait_exit(monitor), 0);
  struct ts_state *s = state();
  assert_string_equal(s->status, "stopped");
  assert_true(s->has_exit);
  assert_int_equal(s->exit_code, code);
  state_free(s);
}

static void cri_records(void **ctx) {
  plan("-- /bin/busybox sh -c 'echo out1; echo err1 >&2; read x || echo no-stdin; printf tail; exit 3'");
  char line[512], path[256], link[256];
  pid_t monitor = create_daemon(NULL, line, sizeof line);
  /* neither the monitor nor the init holds the front end's stdio */
  snprintf(path, sizeof path, "/proc/%d/fd/1", (int)monitor);
  ssize_t n = readlink(path, link, sizeof link - 1);
  assert_true(n > 0);
  link[n] = '\0';
  assert_string_equal(link, "/dev/null");
  print_message("daemon-mode monitor VmRSS while created: %ld kB\n", vm_rss_kb(monitor));
  start();
  expect_exit(monitor, 3);
  struct log l;
  read_log(log_path, &l);
  char *out = stream_records(&l, "stdout"), *err = stream_records(&l, "stderr");
  assert_string_equal(out, "F out1\nF no-stdin\nP tail\n");
  assert_string_equal(err, "F err1\n");
  free(out), free(err), free(l.text);
  char *front = slurp(out_file);
  assert_string_equal(front, "");
  free(front);
  snprintf(path, sizeof path, "%s/%s", state_dir, TS_ATTACH_SOCK);
  assert_int_equal(access(path, F_OK), -1);
}

static void long_line(void **ctx) {
  plan("-- /bin/busybox sh -c \"yes a | head -c 80000 | tr -d '\\\\n'; echo; echo short\"");
  char line[512];
  pid_t monitor = create_daemon(NULL, line, sizeof line);
  start();
  expect_exit(monitor, 0);
  struct log l;
  read_log(log_path, &l);
  assert_int_equal(l.n, 4);
  const size_t want[] = {16384, 16384, 40000 - 2 * 16384, 5};
  const char tags[] = "PPFF";
  for (int i = 0; i < 4; i++) {
    assert_int_equal(l.r[i].tag, tags[i]);
    assert_int_equal(l.r[i].len, want[i]);
    assert_int_equal(l.r[i].content[0], i < 3 ? 'a' : 's');
  }
  free(l.text);
}

/* The numbers of the "line N" records in one file, which must be whole and in order. */
static int file_lines(const char *path, int *first, int *last) {
  struct log l;
  read_log(path, &l);
  for (int i = 0; i < l.n; i++) {
    assert_int_equal(l.r[i].tag, 'F');
    int k = atoi(l.r[i].content + 4);
    if (i > 0) assert_int_equal(k, *last + 1);
    if (i == 0) *first = k;
    *last = k;
  }
  free(l.text);
  return l.n;
}

static void rotation(void **ctx) {
  plan("-- /bin/busybox sh -c 'i=0; while [ $i -lt 500 ]; do echo line$i; i=$((i+1)); done'");
  const char *const opts[] = {"--log-max-size", "4096", "--log-max-files", "3", NULL};
  char line[512], name[200];
  pid_t monitor = create_daemon(opts, line, sizeof line);
  start();
  expect_exit(monitor, 0);
  int next_first = -1;
  for (int i = 0; i < 3; i++) {
    snprintf(name, sizeof name, i ? "%s.%d" : "%s", log_path, i);
    struct stat st;
    assert_int_equal(stat(name, &st), 0);
    assert_true(st.st_size > 0 && st.st_size <= 4096);
    int first, last;
    assert_true(file_lines(name, &first, &last) > 0);
    if (i == 0) assert_int_equal(last, 499);
    else assert_int_equal(last + 1, next_first);
    next_first = first;
  }
  snprintf(name, sizeof name, "%s.3", log_path);
  assert_int_equal(access(name, F_OK), -1);
}

static void attach_stdin(void **ctx) {
  plan("-- /bin/busybox sh -c 'cat; echo done >&2'");
  const char *const opts[] = {"--stdin", "1", NULL};
  char line[512];
  pid_t monitor = create_daemon(opts, line, sizeof line);
  /* before start: nothing of the output is missed */
  int a = attach(), b = attach();
  start();
  send_frame(a, ATTACH_STDIN, "hello\n", 6);
  /* ignored: a resize without a terminal, a stream nobody knows */
  send_frame(b, ATTACH_RESIZE, "\0\x10\0\x20", 4);
  send_frame(b, 9, "junk", 4);
  /* a header that comes in two pieces */
  uint8_t h[ATTACH_HEADER_SIZE];
  attach_frame_header(h, ATTACH_STDIN, 5);
  assert_int_equal(send(a, h, 3, 0), 3);
  usleep(50000);
  assert_int_equal(send(a, h + 3, 5, 0), 5);
  assert_int_equal(send(a, "world", 5, 0), 5);
  send_frame(a, ATTACH_CLOSE_STDIN, NULL, 0);
  static struct streams sa, sb;
  read_until_eof(a, &sa);
  read_until_eof(b, &sb);
  assert_string_equal(sa.out, "hello\nworld");
  assert_string_equal(sa.err, "done\n");
  assert_string_equal(sb.out, sa.out);
  assert_string_equal(sb.err, sa.err);
  close(a), close(b);
  expect_exit(monitor, 0);
  struct log l;
  read_log(log_path, &l);
  char *out = stream_records(&l, "stdout");
  assert_string_equal(out, "F hello\nP world\n");
  free(out), free(l.text);
}

/* A client that never reads is dropped; the container is never held back. */
static void stuck_client(void **ctx) {
  plan("-- /bin/busybox sh -c 'yes 0123456789012345678901234567890 | head -c 8000000'");
  const char *const opts[] = {"--log-max-size", "0", NULL};
  char line[512];
  pid_t monitor = create_daemon(opts, line, sizeof line);
  int stuck = attach();
  start();
  alarm(120);
  expect_exit(monitor, 0);
  alarm(0);
  struct stat st;
  assert_int_equal(stat(log_path, &st), 0);
  assert_int_equal(sh("test $(grep -c '^[^ ]* stdout F 0123456789012345678901234567890$' %s) = 250000", log_path), 0);
  close(stuck);
}

static void terminal(void **ctx) {
  plan("--terminal -- /bin/busybox sh -c 'tty; read x; stty size; echo err >&2'");
  const char *const opts[] = {"--stdin", "1", NULL};
  char line[512];
  pid_t monitor = create_daemon(opts, line, sizeof line);
  int a = attach();
  start();
  send_frame(a, ATTACH_RESIZE, "\0\x21\0\x4d", 4);
  send_frame(a, ATTACH_STDIN, "go\n", 3);
  static struct streams s;
  read_until_eof(a, &s);
  close(a);
  expect_exit(monitor, 0);
  /* one stream: the pty's, with its \r\n */
  assert_int_equal(s.err_len, 0);
  assert_non_null(strstr(s.out, "/dev/pts/0\r\n"));
  assert_non_null(strstr(s.out, "33 77\r\n"));
  struct log l;
  read_log(log_path, &l);
  char *out = stream_records(&l, "stdout");
  assert_non_null(strstr(out, "F /dev/pts/0\r\n"));
  assert_non_null(strstr(out, "F 33 77\r\n"));
  assert_non_null(strstr(out, "F err\r\n"));
  free(out), free(l.text);
}

static void start_planner(const char *sock) {
  planner_pid = fork();
  if (planner_pid == 0) {
    execlp("python3", "python3", "tests/fake-planner.py", sock, (char *)NULL);
    _exit(127);
  }
  for (int i = 0; i < 200 && access(sock, F_OK) != 0; i++) usleep(10000);
  assert_int_equal(access(sock, F_OK), 0);
}

static int stop_planner(void **ctx) {
  if (planner_pid > 0) {
    kill(planner_pid, SIGKILL);
    waitpid(planner_pid, NULL, 0);
  }
  planner_pid = 0;
  unsetenv("TSRUN_PLANNER_SOCKET");
  return 0;
}

static int run_cmd(cli_cmd_fn fn, const struct cli_globals *g, ts_error *err, const char *const *argv) {
  int argc = 0;
  while (argv[argc]) argc++;
  return fn(g, argc, (char **)argv, err);
}

/* tsrun create --log-path (relative) with the daemon's planner socket, start, delete. */
static void front_end(void **ctx) {
  char sock[200], root[200], cwd[PATH_MAX];
  snprintf(sock, sizeof sock, "%s/planner.sock", tmp);
  snprintf(root, sizeof root, "%s/root", tmp);
  struct cli_globals g = {.root = root};
  ts_error err = {0};
  setenv("TSRUN_PLANNER_SOCKET", sock, 1);
  assert_int_equal(run_cmd(cmd_create, &g, &err, (const char *const[]){"create", "--bundle", tmp, "c2", NULL}), -1);
  assert_non_null(strstr(err.msg, sock));

  start_planner(sock);
  assert_int_equal(sh("echo '[\"--\", \"/bin/busybox\", \"sh\", \"-c\", \"echo from-c2; exit 7\"]' > %s/plan-args.json", tmp), 0);
  ts_error_clear(&err);
  assert_int_equal(run_cmd(cmd_create, &g, &err, (const char *const[]){"create", "--stdin", "--bundle", tmp, "c2", NULL}), -1);
  assert_non_null(strstr(err.msg, "need --log-path"));
  assert_non_null(getcwd(cwd, sizeof cwd));
  assert_int_equal(chdir(tmp), 0);
  int r = run_cmd(cmd_create, &g, &err, (const char *const[]){"create", "--bundle", tmp, "--log-path", "c2.log", "c2", NULL});
  assert_int_equal(chdir(cwd), 0);
  if (r != 0) fail_msg("create: %s", err.msg);
  char dir[256];
  snprintf(dir, sizeof dir, "%s/c2", root);
  struct ts_state *s = NULL;
  assert_int_equal(state_read(dir, &s, &err), 0);
  pid_t monitor = s->monitor_pid;
  state_free(s);
  assert_int_equal(container_start(dir, &err), 0);
  assert_int_equal(wait_pid_gone(monitor, 10000), 0);
  assert_int_equal(state_read(dir, &s, &err), 0);
  assert_int_equal(s->exit_code, 7);
  state_free(s);
  char path[256];
  snprintf(path, sizeof path, "%s/c2.log", tmp);
  struct log l;
  read_log(path, &l);
  char *out = stream_records(&l, "stdout");
  assert_string_equal(out, "F from-c2\n");
  free(out), free(l.text);
  if (run_cmd(cmd_delete, &g, &err, (const char *const[]){"delete", "c2", NULL}) != 0) fail_msg("delete: %s", err.msg);
}

int main(int argc, char **argv) {
  MONITOR_FIXTURE_DISPATCH(argc, argv);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(cri_records, reset, kill_leftovers),
    cmocka_unit_test_setup_teardown(long_line, reset, kill_leftovers),
    cmocka_unit_test_setup_teardown(rotation, reset, kill_leftovers),
    cmocka_unit_test_setup_teardown(attach_stdin, reset, kill_leftovers),
    cmocka_unit_test_setup_teardown(stuck_client, reset, kill_leftovers),
    cmocka_unit_test_setup_teardown(terminal, reset, kill_leftovers),
    cmocka_unit_test_teardown(front_end, stop_planner),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
