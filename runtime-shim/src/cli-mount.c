/* Hidden helpers for the daemon's image store, so that a container's rootfs
 * costs no spawn of util-linux mount(8) and umount(8):
 *   tsrun __mount-overlay --cwd DIR --options OPTS TARGET
 *     the overlay is mounted from DIR, since OPTS names its layers relative to
 *     it (an absolute lowerdir list soon outgrows the one page mount(2) takes)
 *   tsrun __umount TARGET */
#include "cli.h"

#include <errno.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cli-opts.h"

static const char mount_usage[] =
    "USAGE:\n   tsrun __mount-overlay --cwd DIR --options OPTS TARGET\n\n"
    "Mounts an overlay on TARGET with the mount options OPTS, from the directory DIR.\n";
static const char umount_usage[] = "USAGE:\n   tsrun __umount TARGET\n\nUnmounts TARGET.\n";

int cmd_mount_overlay(const struct cli_globals *g, int argc, char **argv, ts_error *err) {
  const char *cwd = NULL, *options = NULL;
  const struct cli_opt opts[] = {
    { "cwd", 0, CLI_STRING, &cwd },
    { "options", 0, CLI_STRING, &options },
    { NULL },
  };
  int i = cli_parse(opts, mount_usage, argc, argv, false, err);
  if (i < 0) return i == CLI_PARSE_HELP ? 0 : -1;
  if (cli_check_args("__mount-overlay", argc - i, CLI_EXACT, 1, err) < 0) return -1;
  const char *target = argv[i];
  if (cwd == NULL || options == NULL) return ts_fail(err, 0, "mount overlay on `%s`: --cwd and --options are required", target);
  if (chdir(cwd) < 0) return ts_fail(err, errno, "mount overlay on `%s`: change to `%s`", target, cwd);
  if (mount("overlay", target, "overlay", 0, options) < 0) return ts_fail(err, errno, "mount overlay on `%s`", target);
  return 0;
}

int cmd_umount(const struct cli_globals *g, int argc, char **argv, ts_error *err) {
  const struct cli_opt opts[] = { { NULL } };
  int i = cli_parse(opts, umount_usage, argc, argv, false, err);
  if (i < 0) return i == CLI_PARSE_HELP ? 0 : -1;
  if (cli_check_args("__umount", argc - i, CLI_EXACT, 1, err) < 0) return -1;
  const char *target = argv[i];
  if (umount2(target, 0) == 0) return 0;
  if (errno == EINVAL) return ts_fail(err, 0, "unmount `%s`: not mounted", target);
  return ts_fail(err, errno, "unmount `%s`", target);
}
