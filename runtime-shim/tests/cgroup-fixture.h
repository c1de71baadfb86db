/* Shared by the cgroup tests: scratch trees, cleanup that runs whatever point
 * a test failed at, and small file helpers. Each test binary includes it once. */
#ifndef TS_CGROUP_FIXTURE_H
#define TS_CGROUP_FIXTURE_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

/* what the teardowns undo, whatever point a test failed at */
static char scratch[256];
static pid_t child = -1;
static char *cleanup_dirs[8];
static size_t n_cleanup_dirs;
static char thaw_file[256];
static const char *thaw_value;

__attribute__((unused)) static void put(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
}

__attribute__((unused)) static const char *get(const char *path) {
  static char buf[4096];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n < 0 ? 0 : n] = '\0';
  while (n > 0 && buf[n - 1] == '\n') buf[--n] = '\0';
  return buf;
}

__attribute__((unused)) static char *join(const char *a, const char *b) {
  char *s = NULL;
  assert_true(asprintf(&s, "%s/%s", a, b) > 0);
  return s;
}

__attribute__((unused)) static bool exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  return remove(path);
}

static void kill_child(void) {
  if (child <= 0) return;
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  child = -1;
}

static int teardown(void **state) {
  if (thaw_file[0] && thaw_value) {
    int fd = open(thaw_file, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) { (void)!write(fd, thaw_value, strlen(thaw_value)); close(fd); }
    thaw_file[0] = '\0';
  }
  kill_child();
  struct plan_cgroup cg = { .version = 1, .dirs = cleanup_dirs, .n_dirs = n_cleanup_dirs };
  ts_error err = { 0 };
  if (n_cleanup_dirs > 0 && cgroup_destroy(&cg, &err) < 0) fprintf(stderr, "teardown: %s\n", err.msg);
  for (size_t i = 0; i < n_cleanup_dirs; i++) free(cleanup_dirs[i]);
  n_cleanup_dirs = 0;
  if (scratch[0]) nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  scratch[0] = '\0';
  return 0;
}

__attribute__((unused)) static void make_scratch(void) {
  strcpy(scratch, "/tmp/tsrun-cgroup-XXXXXX");
  assert_non_null(mkdtemp(scratch));
}

/* The kernel drops a cgroup's control files with it; plain files would make rmdir fail. */
__attribute__((unused)) static int rm_file(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  return flag == FTW_F ? unlink(path) : 0;
}

/* whether /proc/<pid>/cgroup puts pid in path of the ctrl hierarchy */
__attribute__((unused)) static bool cgroup_line(pid_t pid, const char *ctrl, const char *path) {
  char file[64], line[512], want[512];
  snprintf(file, sizeof file, "/proc/%d/cgroup", (int)pid);
  snprintf(want, sizeof want, ":%s:%s\n", ctrl, path);
  FILE *f = fopen(file, "r");
  if (f == NULL) return false;
  bool found = false;
  while (!found && fgets(line, sizeof line, f)) {
    char *p = strchr(line, ':');
    found = p && strcmp(p, want) == 0;
  }
  fclose(f);
  return found;
}

#endif
