#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cli-opts.h"
#include "exec-helper.h"
#include "planner-client.h"
#include "sync.h"

static const char usage[] =
    "NAME:\n   tsrun exec - execute new process inside the container\n\n"
    "USAGE:\n   tsrun exec [command options] <container-id> <command> [command options]  || -p process.json <container-id>\n\n"
    "Where \"<container-id>\" is the name for the instance of the container and\n"
    "\"<command>\" is the command to be executed in the container.\n"
    "\"<command>\" can't be empty unless a \"-p\" flag provided.\n\n"
    "EXAMPLE:\nFor example, if the container is configured to run the linux ps command the\n"
    "following will output a list of processes running in the container:\n\n       # tsrun exec <container-id> ps\n\n"
    "OPTIONS:\n"
    "   --console-socket value             path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal\n"
    "   --cwd value                        current working directory in the container\n"
    "   --env value, -e value              set environment variables\n"
    "   --tty, -t                          allocate a pseudo-TTY\n"
    "   --user value, -u value             UID (format: <uid>[:<gid>])\n"
    "   --additional-gids value, -g value  additional gids\n"
    "   --process value, -p value          path to the process.json\n"
    "   --detach, -d                       detach from the container's process\n"
    "   --pid-file value                   specify the file to write the process id to\n"
    "   --process-label value              set the asm process label for the process commonly used with selinux\n"
    "   --apparmor value                   set the apparmor profile for the process\n"
    "   --no-new-privs                     set the no new privileges value for the process\n"
    "   --cap value, -c value              add a capability to the bounding set for the process\n"
    "   --preserve-fds value               Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total) (default: 0)\n"
    "   --cgroup value                     run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>.\n"
    "   --ignore-paused                    allow exec in a paused container\n";

struct exec_opts {
  const char *console_socket, *cwd, *user, *process, *pid_file, *process_label, *apparmor;
  struct cli_list env, gids, caps, cgroup;
  bool tty, detach, no_new_privs, ignore_paused;
  int preserve_fds;
};

static json_object *str_array(char **v, size_t n) {
  json_object *a = json_object_new_array();
  for (size_t i = 0; i < n; i++) json_object_array_add(a, json_object_new_string(v[i]));
  return a;
}

static json_object *str_or_null(const char *s) { return s ? json_object_new_string(s) : NULL; }

static int parse_num(const char *s, const char *what, long long *out, ts_error *err) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 0 || v > UINT32_MAX)
    return ts_fail(err, 0, "parsing %s as int for %s failed", s, what);
  *out = v;
  return 0;
}

/* "UID[:GID]"; without a GID the process keeps the container's. */
static int user_override(const char *spec, gid_t container_gid, json_object **out, ts_error *err) {
  char uid_s[32];
  const char *colon = strchr(spec, ':');
  snprintf(uid_s, sizeof uid_s, "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
  long long uid, gid = container_gid;
  if (parse_num(uid_s, "uid", &uid, err) < 0 || (colon && parse_num(colon + 1, "gid", &gid, err) < 0)) return -1;
  *out = json_object_new_object();
  json_object_object_add(*out, "uid", json_object_new_int64(uid));
  json_object_object_add(*out, "gid", json_object_new_int64(gid));
  return 0;
}

static int exec_request(const struct container *c, const struct exec_opts *o, char **args, size_t nargs,
                        const char *out, ts_error *err) {
  json_object *ov = json_object_new_object(), *user = NULL, *gids = json_object_new_array();
  char process_path[PATH_MAX];
  int r = 0;
  if (o->user) r = user_override(o->user, c->plan ? c->plan->process.gid : 0, &user, err);
  for (size_t i = 0; r == 0 && i < o->gids.n; i++) {
    long long g;
    if ((r = parse_num(o->gids.v[i], "additional-gids", &g, err)) == 0) json_object_array_add(gids, json_object_new_int64(g));
  }
  if (r == 0 && o->process && realpath(o->process, process_path) == NULL) r = ts_fail(err, errno, "process file `%s`", o->process);
  json_object_object_add(ov, "args", str_array(args, nargs));
  json_object_object_add(ov, "env", str_array(o->env.v, o->env.n));
  json_object_object_add(ov, "cwd", str_or_null(o->cwd));
  json_object_object_add(ov, "user", user);
  json_object_object_add(ov, "additionalGids", gids);
  json_object_object_add(ov, "caps", str_array(o->caps.v, o->caps.n));
  json_object_object_add(ov, "tty", json_object_new_boolean(o->tty));
  json_object_object_add(ov, "noNewPrivs", json_object_new_boolean(o->no_new_privs));
  json_object_object_add(ov, "apparmor", str_or_null(o->apparmor));
  json_object_object_add(ov, "processLabel", str_or_null(o->process_label));
  json_object *req = json_object_new_object();
  json_object_object_add(req, "op", json_object_new_string("exec"));
  json_object_object_add(req, "id", json_object_new_string(c->state->id));
  json_object_object_add(req, "stateDir", json_object_new_string(c->dir));
  json_object_object_add(req, "processFile", o->process ? json_object_new_string(process_path) : NULL);
  json_object_object_add(req, "overrides", ov);
  json_object_object_add(req, "out", json_object_new_string(out));
  if (r == 0) r = planner_call(req, err);
  json_object_put(req);
  return r;
}

static int connect_console(const char *path, ts_error *err) {
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if ((size_t)snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path) >= sizeof addr.sun_path)
    return ts_fail(err, ENAMETOOLONG, "console socket `%s`", path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ts_fail(err, errno, "create a socket");
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int e = errno;
    close(fd);
    return ts_fail(err, e, "connect to the console socket `%s`", path);
  }
  return fd;
}

/* The exec plan is ready in plan_file: start the process and, unless detached, see it to its end. */
static int exec_process(const struct exec_opts *o, const char *plan_file, bool terminal, ts_error *err) {
  if (o->detach && terminal && o->console_socket == NULL)
    return ts_fail(err, 0, "cannot allocate tty if tsrun will detach without setting console socket");
  if ((!o->detach || !terminal) && o->console_socket != NULL)
    return ts_fail(err, 0, "cannot use console socket if tsrun will not detach or allocate tty");
  /* the process is re-parented to us when the helper leaves: we wait for it */
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) return ts_fail(err, errno, "prctl PR_SET_CHILD_SUBREAPER");
  struct relay rl = { .master = -1, .wait_fd = -1, .sigfd = -1 };
  if (!o->detach && (rl.sigfd = relay_block_signals(err)) < 0) return -1;
  __cleanup_close int sigfd = rl.sigfd, console = -1, own_end = -1;
  if (terminal && o->console_socket) {
    if ((console = connect_console(o->console_socket, err)) < 0) return -1;
  } else if (terminal) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return ts_fail(err, errno, "create the console socket pair");
    console = sv[0];
    own_end = sv[1];
  }
  pid_t child;
  int r = exec_in_container(plan_file, console, extra_fds(o->preserve_fds), &child, err);
  unlink(plan_file);  /* read by now; run_exec removes it on the earlier failures */
  if (r < 0) return -1;
  if (own_end >= 0 && (rl.master = unix_recv_fd(own_end, err)) < 0) r = -1;
  if (r == 0 && o->pid_file) r = write_pid_file(o->pid_file, child, err);
  if (r < 0) {
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
  }
  if (r < 0 || o->detach) {
    if (rl.master >= 0) close(rl.master);
    return r;
  }
  rl.signal_target = child;
  rl.wait_fd = (int)syscall(SYS_pidfd_open, child, 0);
  r = relay_run(&rl, err);
  if (rl.wait_fd >= 0) close(rl.wait_fd);
  if (rl.master >= 0) close(rl.master);
  int status;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return ts_fail(err, errno, "wait for pid %d", (int)child);
  }
  if (r < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run_exec(const struct cli_globals *g, struct exec_opts *o, char **args, int nargs, ts_error *err) {
  if (o->cgroup.n > 0) return ts_fail(err, 0, "--cgroup is not supported");
  if (nargs < 1) return ts_fail(err, 0, "\"exec\" requires a minimum of 1 argument(s)");
  if (nargs == 1 && o->process == NULL) return ts_fail(err, 0, "exec: args must not be empty");
  struct container *c;
  if (container_load(g, args[0], &c, err) < 0) return -1;
  int r = 0;
  if (strcmp(c->status, "stopped") == 0)
    r = ts_fail(err, 0, "cannot exec in a stopped container");
  else if (strcmp(c->status, "paused") == 0 && !o->ignore_paused)
    r = ts_fail(err, 0, "cannot exec in a paused container (use --ignore-paused to override)");
  unsigned char rnd[8];
  char plan_file[PATH_MAX] = "";
  if (r == 0 && getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) r = ts_fail(err, errno, "getrandom");
  if (r == 0) {
    snprintf(plan_file, sizeof plan_file, "%s/exec-%02x%02x%02x%02x%02x%02x%02x%02x.json", c->dir, rnd[0], rnd[1], rnd[2],
             rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    r = exec_request(c, o, args + 1, (size_t)nargs - 1, plan_file, err);
  }
  container_free(c);
  if (r < 0) {
    if (*plan_file) unlink(plan_file);
    return -1;
  }
  struct plan *p;
  if (plan_load(plan_file, &p, err) < 0) {
    unlink(plan_file);
    return -1;
  }
  bool terminal = p->process.terminal;
  plan_free(p);
  r = exec_process(o, plan_file, terminal, err);
  unlink(plan_file);
  return r;
}

int cmd_exec(const struct cli_globals *g, int argc, char **argv, ts_error *err) {
  struct exec_opts o = { 0 };
  const struct cli_opt opts[] = {
    { "console-socket", 0, CLI_STRING, &o.console_socket },
    { "cwd", 0, CLI_STRING, &o.cwd },
    { "env", 'e', CLI_LIST, &o.env },
    { "tty", 't', CLI_BOOL, &o.tty },
    { "user", 'u', CLI_STRING, &o.user },
    { "additional-gids", 'g', CLI_LIST, &o.gids },
    { "process", 'p', CLI_STRING, &o.process },
    { "detach", 'd', CLI_BOOL, &o.detach },
    { "pid-file", 0, CLI_STRING, &o.pid_file },
    { "process-label", 0, CLI_STRING, &o.process_label },
    { "apparmor", 0, CLI_STRING, &o.apparmor },
    { "no-new-privs", 0, CLI_BOOL, &o.no_new_privs },
    { "cap", 'c', CLI_LIST, &o.caps },
    { "preserve-fds", 0, CLI_INT, &o.preserve_fds },
    { "cgroup", 0, CLI_LIST, &o.cgroup },
    { "ignore-paused", 0, CLI_BOOL, &o.ignore_paused },
    { NULL },
  };
  /* the options end at the container id: what follows is the command's own argv */
  int i = cli_parse(opts, usage, argc, argv, true, err);
  int r = i == CLI_PARSE_HELP ? 0 : i < 0 ? -1 : run_exec(g, &o, argv + i, argc - i, err);
  cli_list_free(&o.env);
  cli_list_free(&o.gids);
  cli_list_free(&o.caps);
  cli_list_free(&o.cgroup);
  /* runc's exec fails with 255 */
  if (r < 0) err->exit_code = 255;
  return r;
}
