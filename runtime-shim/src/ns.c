#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "util.h"

int ns_open_paths(const struct plan *p, int fds[TS_NS_COUNT], ts_error *err) {
  for (int t = 0; t < TS_NS_COUNT; t++) fds[t] = -1;
  for (size_t i = 0; i < p->n_namespaces; i++) {
    const struct plan_namespace *ns = &p->namespaces[i];
    if (ns->path == NULL) continue;
    int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      ns_close_fds(fds);
      return ts_fail(err, e, "open the %s namespace `%s`", ts_ns_name(ns->type), ns->path);
    }
    if (fds[ns->type] >= 0) close(fds[ns->type]);
    fds[ns->type] = fd;
  }
  return 0;
}

void ns_close_fds(int fds[TS_NS_COUNT]) {
  for (int t = 0; t < TS_NS_COUNT; t++)
    if (fds[t] >= 0) {
      close(fds[t]);
      fds[t] = -1;
    }
}

static const char *ns_path(const struct plan *p, enum ts_ns_type t) {
  const struct plan_namespace *ns = plan_find_ns(p, t);
  return ns && ns->path ? ns->path : "?";
}

int ns_join(const struct plan *p, int fds[TS_NS_COUNT], bool user, ts_error *err) {
  for (int t = 0; t < TS_NS_COUNT; t++) {
    if (fds[t] < 0 || (t == TS_NS_USER) != user) continue;
    /* the nstype makes the kernel check that the path really is that kind of namespace */
    if (setns(fds[t], ts_ns_clone_flag((enum ts_ns_type)t)) < 0)
      return ts_fail(err, errno, "join the %s namespace `%s`", ts_ns_name((enum ts_ns_type)t), ns_path(p, (enum ts_ns_type)t));
    close(fds[t]);
    fds[t] = -1;
  }
  return 0;
}

int ns_unshare_new(const struct plan *p, ts_error *err) {
  int flags = 0;
  for (size_t i = 0; i < p->n_namespaces; i++)
    if (p->namespaces[i].path == NULL && p->namespaces[i].type != TS_NS_USER)
      flags |= ts_ns_clone_flag(p->namespaces[i].type);
  if (flags != 0 && unshare(flags) < 0) return ts_fail(err, errno, "unshare the new namespaces (flags 0x%x)", flags);
  return 0;
}

int ns_become_root(ts_error *err) {
  if (setresgid(0, 0, 0) < 0) return ts_fail(err, errno, "setresgid to 0 in the user namespace (is gid 0 mapped?)");
  if (setresuid(0, 0, 0) < 0) return ts_fail(err, errno, "setresuid to 0 in the user namespace (is uid 0 mapped?)");
  return 0;
}

int ns_protect_process(const struct plan *p, ts_error *err) {
  if (plan_find_ns(p, TS_NS_USER) != NULL) return 0;
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return ts_fail(err, errno, "prctl PR_SET_DUMPABLE");
  return 0;
}

size_t ns_format_id_map(const struct plan_idmap *m, size_t n, char *buf, size_t size) {
  size_t len = 0;
  for (size_t i = 0; i < n; i++) {
    int w = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0, "%u %u %u\n",
                     m[i].container_id, m[i].host_id, m[i].size);
    len += (size_t)w;
  }
  if (size > 0 && n == 0) buf[0] = '\0';
  return len;
}

static int write_id_map(pid_t pid, const char *file, const struct plan_idmap *m, size_t n, ts_error *err) {
  if (n == 0) return 0;
  size_t need = ns_format_id_map(m, n, NULL, 0) + 1;
  __cleanup_free char *buf = malloc(need);
  if (buf == NULL) return ts_fail(err, ENOMEM, "format %s", file);
  ns_format_id_map(m, n, buf, need);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
  /* write_file writes it in one call, which the kernel requires for maps */
  return write_file(path, buf, need - 1, err);
}

int ns_write_id_maps(pid_t pid, const struct plan *p, ts_error *err) {
  if (write_id_map(pid, "uid_map", p->uid_mappings, p->n_uid_mappings, err) < 0) return ts_wrap(err, "user namespace");
  if (p->n_gid_mappings > 0 && geteuid() != 0) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
    if (write_file(path, "deny", 4, err) < 0) return ts_wrap(err, "user namespace");
  }
  if (write_id_map(pid, "gid_map", p->gid_mappings, p->n_gid_mappings, err) < 0) return ts_wrap(err, "user namespace");
  return 0;
}

int ns_write_time_offsets(const struct plan *p, ts_error *err) {
  if (!p->has_time_offsets) return 0;
  char buf[128];
  int n = snprintf(buf, sizeof buf, "monotonic %lld %lld\nboottime %lld %lld\n",
                   (long long)p->monotonic_secs, (long long)p->monotonic_nsecs,
                   (long long)p->boottime_secs, (long long)p->boottime_nsecs);
  if (write_file("/proc/self/timens_offsets", buf, (size_t)n, err) < 0) return ts_wrap(err, "time namespace offsets");
  return 0;
}
