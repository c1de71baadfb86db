/* The plan's seccomp profile (the OCI linux.seccomp object) through libseccomp. */
#include "process.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

struct name_value { const char *name; unsigned value; };

static int parse_action(const char *name, bool has_ret, int ret, uint32_t *out, ts_error *err) {
  int code = has_ret ? ret : EPERM;
  if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0) *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0) *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp(name, "SCMP_ACT_TRAP") == 0) *out = SCMP_ACT_TRAP;
  else if (strcmp(name, "SCMP_ACT_ERRNO") == 0) *out = SCMP_ACT_ERRNO(code);
  else if (strcmp(name, "SCMP_ACT_TRACE") == 0) *out = SCMP_ACT_TRACE(code);
  else if (strcmp(name, "SCMP_ACT_ALLOW") == 0) *out = SCMP_ACT_ALLOW;
  else if (strcmp(name, "SCMP_ACT_LOG") == 0) *out = SCMP_ACT_LOG;
  else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0) return ts_fail(err, 0, "seccomp: action SCMP_ACT_NOTIFY: seccomp notify is not supported");
  else return ts_fail(err, 0, "seccomp: unknown action `%s`", name);
  return 0;
}

static int parse_op(const char *name, enum scmp_compare *out, ts_error *err) {
  static const struct name_value ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
    { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp(name, ops[i].name) == 0) {
      *out = ops[i].value;
      return 0;
    }
  return ts_fail(err, 0, "seccomp: unknown operator `%s`", name);
}

static int set_flag(scmp_filter_ctx ctx, const char *flag, ts_error *err) {
  static const struct name_value flags[] = {
    { "SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC },
    { "SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG },
    { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB },
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
    { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SCMP_FLTATR_CTL_WAITKILL },
#endif
  };
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    if (strcmp(flag, flags[i].name) != 0) continue;
    int rc = seccomp_attr_set(ctx, flags[i].value, 1);
    return rc < 0 ? ts_fail(err, -rc, "seccomp: set flag %s", flag) : 0;
  }
  return ts_fail(err, 0, "seccomp: flag %s is not supported by this runtime (libseccomp %d.%d.%d)", flag, SCMP_VER_MAJOR,
                 SCMP_VER_MINOR, SCMP_VER_MICRO);
}

static int add_arch(scmp_filter_ctx ctx, const char *name, ts_error *err) {
  char token[64];
  const char *p = strncmp(name, "SCMP_ARCH_", 10) == 0 ? name + 10 : name;
  size_t n = 0;
  for (; p[n] && n + 1 < sizeof token; n++) token[n] = (char)tolower((unsigned char)p[n]);
  token[n] = '\0';
  uint32_t arch = seccomp_arch_resolve_name(token);
  if (arch == 0) return ts_fail(err, 0, "seccomp: unknown architecture `%s`", name);
  int rc = seccomp_arch_add(ctx, arch);
  if (rc < 0 && rc != -EEXIST) return ts_fail(err, -rc, "seccomp: add architecture `%s`", name);
  return 0;
}

static int add_rule(scmp_filter_ctx ctx, const struct plan_seccomp_rule *r, uint32_t default_action, ts_error *err) {
  uint32_t action;
  struct scmp_arg_cmp cmp[6];
  if (parse_action(r->action, r->has_errno_ret, r->errno_ret, &action, err) < 0) return -1;
  /* libseccomp refuses rules that repeat the default action; they change nothing */
  if (action == default_action) return 0;
  if (r->n_args > sizeof cmp / sizeof cmp[0]) return ts_fail(err, 0, "seccomp: %zu argument conditions (at most 6)", r->n_args);
  for (size_t i = 0; i < r->n_args; i++) {
    const struct plan_seccomp_arg *a = &r->args[i];
    cmp[i] = (struct scmp_arg_cmp){ .arg = a->index, .datum_a = a->value, .datum_b = a->value_two };
    if (parse_op(a->op, &cmp[i].op, err) < 0) return -1;
  }
  for (size_t i = 0; i < r->n_names; i++) {
    int nr = seccomp_syscall_resolve_name(r->names[i]);
    /* a syscall this libseccomp does not know cannot be filtered; runc skips it too */
    if (nr == __NR_SCMP_ERROR) continue;
    int rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)r->n_args, cmp);
    if (rc < 0) return ts_fail(err, -rc, "seccomp: add rule %s for syscall `%s`", r->action, r->names[i]);
  }
  return 0;
}

static int build(scmp_filter_ctx ctx, const struct plan_seccomp *s, uint32_t default_action, ts_error *err) {
  /* no_new_privs is process.noNewPrivileges' business, not a side effect of the filter */
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc < 0) return ts_fail(err, -rc, "seccomp: clear the no_new_privs attribute");
  for (size_t i = 0; i < s->n_architectures; i++)
    if (add_arch(ctx, s->architectures[i], err) < 0) return -1;
  for (size_t i = 0; i < s->n_flags; i++)
    if (set_flag(ctx, s->flags[i], err) < 0) return -1;
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (add_rule(ctx, &s->syscalls[i], default_action, err) < 0) return -1;
  rc = seccomp_load(ctx);
  if (rc < 0) return ts_fail(err, -rc, "seccomp: load the filter");
  return 0;
}

int seccomp_apply(const struct plan_seccomp *s, ts_error *err) {
  uint32_t default_action;
  if (parse_action(s->default_action, s->has_default_errno_ret, s->default_errno_ret, &default_action, err) < 0) return -1;
  scmp_filter_ctx ctx = seccomp_init(default_action);
  if (ctx == NULL) return ts_fail(err, EINVAL, "seccomp: init with default action %s", s->default_action);
  int r = build(ctx, s, default_action, err);
  seccomp_release(ctx);
  return r;
}
