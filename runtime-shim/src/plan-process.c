/* plan.json "process" and "seccomp": the container process's attributes. */
#include "plan-parse.h"

#include <stdint.h>
#include <stdlib.h>

static int parse_gid(struct pj *c, json_object *v, void *item) {
  int64_t i;
  TRY(pj_int(c, v, 0, UINT32_MAX, &i));
  *(gid_t *)item = (gid_t)i;
  return 0;
}

static int parse_rlimit(struct pj *c, json_object *v, void *item) {
  struct plan_rlimit *rl = item;
  TRY(pj_object(c, v));
  TRY(PJ_INT(c, v, "resource", 0, 63, -2, rl->resource));
  if (rl->resource == -2) {
    size_t at = pj_push_key(c, "resource");
    pj_fail(c, "missing (expected a number)");
    pj_pop(c, at);
    return -1;
  }
  TRY(PJ_INT(c, v, "soft", -1, INT64_MAX, -1, rl->soft));
  return PJ_INT(c, v, "hard", -1, INT64_MAX, -1, rl->hard);
}

static int parse_process_objects(struct pj *c, json_object *v, struct plan_process *pr) {
  json_object *o;
  TRY(pj_get_obj(c, v, "consoleSize", &o));
  if (o) {
    size_t at = pj_push_key(c, "consoleSize");
    pr->has_console_size = true;
    int r = PJ_INT(c, o, "height", 0, UINT16_MAX, 0, pr->console_height);
    if (r == 0) r = PJ_INT(c, o, "width", 0, UINT16_MAX, 0, pr->console_width);
    pj_pop(c, at);
    TRY(r);
  }
  TRY(pj_get_obj(c, v, "capabilities", &o));
  if (o) {
    size_t at = pj_push_key(c, "capabilities");
    pr->has_caps = true;
    int r = pj_get_u64(c, o, "bounding", &pr->caps.bounding);
    if (r == 0) r = pj_get_u64(c, o, "effective", &pr->caps.effective);
    if (r == 0) r = pj_get_u64(c, o, "inheritable", &pr->caps.inheritable);
    if (r == 0) r = pj_get_u64(c, o, "permitted", &pr->caps.permitted);
    if (r == 0) r = pj_get_u64(c, o, "ambient", &pr->caps.ambient);
    pj_pop(c, at);
    TRY(r);
  }
  TRY(pj_get_obj(c, v, "ioPriority", &o));
  if (o) {
    size_t at = pj_push_key(c, "ioPriority");
    pr->has_io_priority = true;
    int r = PJ_INT(c, o, "class", 0, 7, 0, pr->io_priority_class);
    if (r == 0) r = PJ_INT(c, o, "priority", 0, 7, 0, pr->io_priority_level);
    pj_pop(c, at);
    TRY(r);
  }
  return 0;
}

int plan_parse_process(struct pj *c, json_object *v, struct plan_process *pr) {
  TRY(pj_get_bool(c, v, "terminal", false, &pr->terminal));
  TRY(pj_get_strv(c, v, "args", &pr->args, &pr->n_args));
  if (pr->n_args == 0) {
    size_t at = pj_push_key(c, "args");
    pj_fail(c, "expected a non-empty array of strings");
    pj_pop(c, at);
    return -1;
  }
  TRY(pj_get_strv(c, v, "env", &pr->env, &pr->n_env));
  TRY(pj_get_str(c, v, "cwd", "/", &pr->cwd));
  TRY(PJ_INT(c, v, "uid", 0, UINT32_MAX, 0, pr->uid));
  TRY(PJ_INT(c, v, "gid", 0, UINT32_MAX, 0, pr->gid));
  pr->has_umask = pj_member(v, "umask") != NULL;
  TRY(PJ_INT(c, v, "umask", 0, 0777, 022, pr->umask));
  TRY(pj_get_each(c, v, "additionalGids", &pr->additional_gids, &pr->n_additional_gids, sizeof(gid_t), parse_gid));
  TRY(pj_get_bool(c, v, "noNewPrivileges", false, &pr->no_new_privileges));
  TRY(pj_get_each(c, v, "rlimits", &pr->rlimits, &pr->n_rlimits, sizeof *pr->rlimits, parse_rlimit));
  pr->has_oom_score_adj = pj_member(v, "oomScoreAdj") != NULL;
  TRY(PJ_INT(c, v, "oomScoreAdj", -1000, 1000, 0, pr->oom_score_adj));
  return parse_process_objects(c, v, pr);
}

static int parse_seccomp_arg(struct pj *c, json_object *v, void *item) {
  struct plan_seccomp_arg *a = item;
  TRY(pj_object(c, v));
  TRY(PJ_INT(c, v, "index", 0, 5, 0, a->index));
  TRY(pj_get_u64(c, v, "value", &a->value));
  TRY(pj_get_u64(c, v, "valueTwo", &a->value_two));
  return pj_get_req_str(c, v, "op", &a->op);
}

static int parse_seccomp_rule(struct pj *c, json_object *v, void *item) {
  struct plan_seccomp_rule *r = item;
  TRY(pj_object(c, v));
  TRY(pj_get_strv(c, v, "names", &r->names, &r->n_names));
  TRY(pj_get_req_str(c, v, "action", &r->action));
  r->has_errno_ret = pj_member(v, "errnoRet") != NULL;
  TRY(PJ_INT(c, v, "errnoRet", 0, 4095, 0, r->errno_ret));
  return pj_get_each(c, v, "args", &r->args, &r->n_args, sizeof *r->args, parse_seccomp_arg);
}

int plan_parse_seccomp(struct pj *c, json_object *v, struct plan_seccomp *s) {
  TRY(pj_get_req_str(c, v, "defaultAction", &s->default_action));
  s->has_default_errno_ret = pj_member(v, "defaultErrnoRet") != NULL;
  TRY(PJ_INT(c, v, "defaultErrnoRet", 0, 4095, 0, s->default_errno_ret));
  TRY(pj_get_strv(c, v, "architectures", &s->architectures, &s->n_architectures));
  TRY(pj_get_strv(c, v, "flags", &s->flags, &s->n_flags));
  return pj_get_each(c, v, "syscalls", &s->syscalls, &s->n_syscalls, sizeof *s->syscalls, parse_seccomp_rule);
}
