/* tsrun: the runc-compatible front end, the entry of the internal stages
 * (__monitor, __init, __exec) that this same binary runs as, and the resident
 * front end for a daemon (__server). */
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli-opts.h"
#include "cli.h"
#include "exec-helper.h"
#include "init.h"
#include "log.h"
#include "monitor.h"
#include "server.h"
#include "shim-proto.h"

#define TSRUN_VERSION "0.1.0"
#define TSRUN_SPEC_VERSION "1.3.0"

static const char usage[] =
    "NAME:\n   tsrun - Open Container Initiative runtime\n\n"
    "tsrun is a command line client for running applications packaged according to\n"
    "the Open Container Initiative (OCI) format, compatible with runc.\n\n"
    "To start a new instance of a container:\n\n    # tsrun run [ -b bundle ] <container-id>\n\n"
    "USAGE:\n   tsrun [global options] command [command options] [arguments...]\n\n"
    "COMMANDS:\n"
    "   create      create a container\n"
    "   delete      delete any resources held by the container often used with detached container\n"
    "   events      display container events such as OOM notifications, cpu, memory, and IO usage statistics\n"
    "   exec        execute new process inside the container\n"
    "   kill        kill sends the specified signal (default: SIGTERM) to the container's init process\n"
    "   list        lists containers started by tsrun with the given root\n"
    "   pause       pause suspends all processes inside the container\n"
    "   ps          ps displays the processes running inside a container\n"
    "   resume      resumes all processes that have been previously paused\n"
    "   run         create and run a container\n"
    "   spec        create a new specification file\n"
    "   start       executes the user defined process in a created container\n"
    "   state       output the state of a container\n"
    "   update      update container resource constraints\n"
    "   features    show the enabled features\n"
    "   help, h     Shows a list of commands or help for one command\n\n"
    "GLOBAL OPTIONS:\n"
    "   --debug             enable debug logging\n"
    "   --log value         set the log file to write tsrun logs to (default is '/dev/stderr')\n"
    "   --log-format value  set the log format ('text' (default), or 'json') (default: \"text\")\n"
    "   --root value        root directory for storage of container state (this should be located in tmpfs) (default: \"" TS_DEFAULT_ROOT "\")\n"
    "   --criu value        path to the criu binary used for checkpoint and restore (not supported)\n"
    "   --systemd-cgroup    enable systemd cgroup support (not supported)\n"
    "   --rootless value    ignore cgroup permission errors ('false' or 'auto'; 'true' is not supported) (default: \"auto\")\n"
    "   --help, -h          show help\n"
    "   --version, -v       print the version\n";

static const struct { const char *name; cli_cmd_fn fn; } commands[] = {
  { "create", cmd_create }, { "start", cmd_start }, { "run", cmd_run },     { "state", cmd_state },
  { "kill", cmd_kill },     { "delete", cmd_delete }, { "list", cmd_list }, { "pause", cmd_pause },
  { "resume", cmd_resume }, { "exec", cmd_exec },
  /* hidden: the daemon's image store mounts container rootfs with these */
  { "__mount-overlay", cmd_mount_overlay }, { "__umount", cmd_umount },
};
static const char *const node_commands[] = { "spec", "features", "ps", "events", "update" };

static int internal_entry(int argc, char **argv, int *code) {
  if (argc < 2) return 0;
  if (strcmp(argv[1], "__monitor") == 0) *code = cmd_monitor(argc - 1, argv + 1);
  else if (strcmp(argv[1], "__init") == 0) *code = cmd_init(argc - 1, argv + 1);
  else if (strcmp(argv[1], "__exec") == 0) *code = cmd_exec_helper(argc - 1, argv + 1);
  else return 0;
  return 1;
}

static void print_version(void) {
  const struct scmp_version *v = seccomp_version();
  printf("tsrun version " TSRUN_VERSION "\nspec: " TSRUN_SPEC_VERSION "\nlibseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

static int check_globals(bool systemd_cgroup, const char *rootless, ts_error *err) {
  if (systemd_cgroup) return ts_fail(err, 0, "--systemd-cgroup: the systemd cgroup driver is not supported");
  if (strcmp(rootless, "true") == 0) return ts_fail(err, 0, "--rootless=true is not supported");
  if (strcmp(rootless, "false") != 0 && strcmp(rootless, "auto") != 0)
    return ts_fail(err, 0, "invalid value for --rootless: %s", rootless);
  return 0;
}

/* Absolute, because the monitor and the planner get paths under it. */
static const char *absolute_root(const char *root, char *buf, size_t size) {
  if (root[0] == '/') return root;
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd) == NULL) return root;
  snprintf(buf, size, "%s/%s", cwd, root);
  return buf;
}

static int dispatch(int argc, char **argv, ts_error *err) {
  const char *root = TS_DEFAULT_ROOT, *log_path = NULL, *log_format = "text", *criu = NULL, *rootless = "auto";
  bool debug = false, systemd_cgroup = false, version = false;
  const struct cli_opt opts[] = {
    { "debug", 0, CLI_BOOL, &debug },
    { "log", 0, CLI_STRING, &log_path },
    { "log-format", 0, CLI_STRING, &log_format },
    { "root", 0, CLI_STRING, &root },
    { "criu", 0, CLI_STRING, &criu },
    { "systemd-cgroup", 0, CLI_BOOL, &systemd_cgroup },
    { "rootless", 0, CLI_STRING, &rootless },
    { "version", 'v', CLI_BOOL, &version },
    { NULL },
  };
  int i = cli_parse(opts, usage, argc, argv, true, err);
  if (i == CLI_PARSE_HELP) return 0;
  if (i < 0) return -1;
  if (log_init(log_path, log_format, debug, err) < 0) return -1;
  if (version) {
    print_version();
    return 0;
  }
  if (check_globals(systemd_cgroup, rootless, err) < 0) return -1;
  if (i >= argc || strcmp(argv[i], "help") == 0 || strcmp(argv[i], "h") == 0) {
    fputs(usage, stdout);
    return 0;
  }
  const char *cmd = argv[i];
  char root_buf[PATH_MAX];
  struct cli_globals g = { .root = absolute_root(root, root_buf, sizeof root_buf) };
  for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
    if (strcmp(cmd, commands[k].name) == 0) return commands[k].fn(&g, argc - i, argv + i, err);
  for (size_t k = 0; k < sizeof node_commands / sizeof *node_commands; k++)
    if (strcmp(cmd, node_commands[k]) == 0) return cmd_node(argc, argv, err);
  if (strcmp(cmd, "checkpoint") == 0 || strcmp(cmd, "restore") == 0)
    return ts_fail(err, 0, "%s is not supported: criu does not work on this kernel", cmd);
  return ts_fail(err, 0, "no such command `%s` (see tsrun --help)", cmd);
}

/* A command line, as the binary runs it and as a __server worker runs a request. */
static int run_command(int argc, char **argv) {
  int code;
  if (internal_entry(argc, argv, &code)) return code;
  ts_error err = { 0 };
  code = dispatch(argc, argv, &err);
  if (code < 0) {
    log_error("%s", err.msg);
    return err.exit_code ? err.exit_code : 1;
  }
  return code;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "__server") == 0) {
    ts_error err = { 0 };
    if (server_run(run_command, &err) == 0) return 0;
    log_error("__server: %s", err.msg);
    return 1;
  }
  return run_command(argc, argv);
}
