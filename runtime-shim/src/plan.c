/* plan.json -> struct plan (docs/plan-format.md). The planner has validated the
 * plan; this checks only types and ranges, so that a planner/shim mismatch is
 * reported with the JSON path rather than acted upon. */
#include "plan.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "plan-json.h"
#include "plan-parse.h"
#include "util.h"

static const char *const ns_plan_names[TS_NS_COUNT] = {
  [TS_NS_PID] = "pid", [TS_NS_NET] = "network", [TS_NS_IPC] = "ipc", [TS_NS_UTS] = "uts",
  [TS_NS_MOUNT] = "mount", [TS_NS_USER] = "user", [TS_NS_CGROUP] = "cgroup", [TS_NS_TIME] = "time",
};

/* A member that must be a one-character string ("c", "b", "a", ...). */
static int get_type_char(struct pj *c, json_object *obj, const char *key, const char *allowed, char *out) {
  __cleanup_free char *s = NULL;
  TRY(pj_get_req_str(c, obj, key, &s));
  if (strlen(s) != 1 || strchr(allowed, s[0]) == NULL) {
    size_t at = pj_push_key(c, key);
    pj_fail(c, "invalid type \"%s\" (expected one of \"%s\")", s, allowed);
    pj_pop(c, at);
    return -1;
  }
  *out = s[0];
  return 0;
}

static int parse_kv_value(struct pj *c, json_object *v, void *item) {
  return pj_str(c, v, &((struct plan_kv *)item)->value);
}

static int parse_annotations(struct pj *c, json_object *root, struct plan *p) {
  json_object *obj;
  TRY(pj_get_obj(c, root, "annotations", &obj));
  if (obj == NULL) return 0;
  size_t n = (size_t)json_object_object_length(obj);
  p->annotations = calloc(n + 1, sizeof *p->annotations);
  if (p->annotations == NULL) return ts_fail(c->err, ENOMEM, "plan.json: /annotations");
  size_t at = pj_push_key(c, "annotations");
  int r = 0;
  json_object_object_foreach(obj, key, val) {
    struct plan_kv *kv = &p->annotations[p->n_annotations++];
    size_t at_k = pj_push_key(c, key);
    kv->key = strdup(key);
    r = kv->key ? parse_kv_value(c, val, kv) : ts_fail(c->err, ENOMEM, "plan.json: %s", c->path);
    pj_pop(c, at_k);
    if (r < 0) break;
  }
  pj_pop(c, at);
  return r;
}

static int parse_namespace(struct pj *c, json_object *v, void *item) {
  struct plan_namespace *ns = item;
  __cleanup_free char *type = NULL;
  TRY(pj_object(c, v));
  TRY(pj_get_req_str(c, v, "type", &type));
  for (ns->type = 0; ns->type < TS_NS_COUNT; ns->type++)
    if (strcmp(type, ns_plan_names[ns->type]) == 0) break;
  if (ns->type == TS_NS_COUNT) {
    size_t at = pj_push_key(c, "type");
    pj_fail(c, "unknown namespace type \"%s\"", type);
    pj_pop(c, at);
    return -1;
  }
  return pj_get_str(c, v, "path", NULL, &ns->path);
}

static int parse_idmap(struct pj *c, json_object *v, void *item) {
  struct plan_idmap *m = item;
  TRY(pj_object(c, v));
  TRY(PJ_INT(c, v, "containerID", 0, UINT32_MAX, 0, m->container_id));
  TRY(PJ_INT(c, v, "hostID", 0, UINT32_MAX, 0, m->host_id));
  return PJ_INT(c, v, "size", 0, UINT32_MAX, 0, m->size);
}

static int parse_time_offsets(struct pj *c, json_object *root, struct plan *p) {
  json_object *obj, *mono, *boot;
  TRY(pj_get_obj(c, root, "timeOffsets", &obj));
  if (obj == NULL) return 0;
  p->has_time_offsets = true;
  size_t at = pj_push_key(c, "timeOffsets");
  int r = pj_get_obj(c, obj, "monotonic", &mono);
  if (r == 0) r = pj_get_obj(c, obj, "boottime", &boot);
  if (r == 0 && mono) {
    size_t at_m = pj_push_key(c, "monotonic");
    r = PJ_INT(c, mono, "secs", INT64_MIN, INT64_MAX, 0, p->monotonic_secs);
    if (r == 0) r = PJ_INT(c, mono, "nanosecs", 0, 999999999, 0, p->monotonic_nsecs);
    pj_pop(c, at_m);
  }
  if (r == 0 && boot) {
    size_t at_b = pj_push_key(c, "boottime");
    r = PJ_INT(c, boot, "secs", INT64_MIN, INT64_MAX, 0, p->boottime_secs);
    if (r == 0) r = PJ_INT(c, boot, "nanosecs", 0, 999999999, 0, p->boottime_nsecs);
    pj_pop(c, at_b);
  }
  pj_pop(c, at);
  return r;
}

static int parse_ulong(struct pj *c, json_object *v, void *item) {
  uint64_t u;
  TRY(pj_u64(c, v, &u));
  *(unsigned long *)item = u;
  return 0;
}

static int parse_mount(struct pj *c, json_object *v, void *item) {
  struct plan_mount *m = item;
  uint64_t u;
  TRY(pj_object(c, v));
  TRY(pj_get_req_str(c, v, "destination", &m->destination));
  TRY(pj_get_str(c, v, "source", "", &m->source));
  TRY(pj_get_str(c, v, "type", "", &m->type));
  TRY(pj_get_bool(c, v, "bind", false, &m->bind));
  TRY(pj_get_bool(c, v, "recursive", false, &m->recursive));
  TRY(pj_get_u64(c, v, "flags", &u));
  m->flags = u;
  TRY(pj_get_u64(c, v, "clearFlags", &u));
  m->clear_flags = u;
  TRY(pj_get_each(c, v, "propagation", &m->propagation, &m->n_propagation, sizeof *m->propagation, parse_ulong));
  TRY(pj_get_u64(c, v, "attrSet", &m->attr_set));
  TRY(pj_get_u64(c, v, "attrClr", &m->attr_clr));
  TRY(pj_get_str(c, v, "data", "", &m->data));
  return pj_get_bool(c, v, "createDir", true, &m->create_dir);
}

static int parse_device(struct pj *c, json_object *v, void *item) {
  struct plan_device *d = item;
  TRY(pj_object(c, v));
  TRY(pj_get_req_str(c, v, "path", &d->path));
  TRY(get_type_char(c, v, "type", "cbup", &d->type));
  TRY(PJ_INT(c, v, "major", -1, INT64_MAX, 0, d->major));
  TRY(PJ_INT(c, v, "minor", -1, INT64_MAX, 0, d->minor));
  TRY(PJ_INT(c, v, "fileMode", 0, 07777, 0666, d->file_mode));
  TRY(PJ_INT(c, v, "uid", 0, UINT32_MAX, 0, d->uid));
  return PJ_INT(c, v, "gid", 0, UINT32_MAX, 0, d->gid);
}

static int parse_sysctl(struct pj *c, json_object *v, void *item) {
  struct plan_kv *kv = item;
  TRY(pj_object(c, v));
  TRY(pj_get_req_str(c, v, "key", &kv->key));
  return pj_get_req_str(c, v, "value", &kv->value);
}

static int parse_cgroup_write(struct pj *c, json_object *v, void *item) {
  struct plan_cgroup_write *w = item;
  TRY(pj_object(c, v));
  TRY(pj_get_req_str(c, v, "dir", &w->dir));
  TRY(pj_get_req_str(c, v, "file", &w->file));
  return pj_get_req_str(c, v, "value", &w->value);
}

static int parse_cgroup_device(struct pj *c, json_object *v, void *item) {
  struct plan_cgroup_device *d = item;
  __cleanup_free char *access = NULL;
  TRY(pj_object(c, v));
  TRY(pj_get_bool(c, v, "allow", false, &d->allow));
  TRY(get_type_char(c, v, "type", "acb", &d->type));
  TRY(PJ_INT(c, v, "major", -1, INT64_MAX, -1, d->major));
  TRY(PJ_INT(c, v, "minor", -1, INT64_MAX, -1, d->minor));
  TRY(pj_get_str(c, v, "access", "rwm", &access));
  if (strlen(access) >= sizeof d->access || strspn(access, "rwm") != strlen(access)) {
    size_t at = pj_push_key(c, "access");
    pj_fail(c, "invalid access \"%s\" (expected letters of \"rwm\")", access);
    pj_pop(c, at);
    return -1;
  }
  strcpy(d->access, access);
  return 0;
}

static int parse_cgroup(struct pj *c, json_object *v, struct plan_cgroup *cg) {
  TRY(PJ_INT(c, v, "version", 1, 2, 1, cg->version));
  TRY(pj_get_strv(c, v, "dirs", &cg->dirs, &cg->n_dirs));
  TRY(pj_get_str(c, v, "freezer", NULL, &cg->freezer));
  TRY(pj_get_each(c, v, "writes", &cg->writes, &cg->n_writes, sizeof *cg->writes, parse_cgroup_write));
  cg->has_devices = pj_member(v, "devices") != NULL;
  return pj_get_each(c, v, "devices", &cg->devices, &cg->n_devices, sizeof *cg->devices, parse_cgroup_device);
}

static int parse_hook(struct pj *c, json_object *v, void *item) {
  struct plan_hook *h = item;
  TRY(pj_object(c, v));
  TRY(pj_get_req_str(c, v, "path", &h->path));
  TRY(pj_get_strv(c, v, "args", &h->args, &h->n_args));
  TRY(pj_get_strv(c, v, "env", &h->env, &h->n_env));
  return PJ_INT(c, v, "timeout", 0, INT32_MAX, 0, h->timeout);
}

static int parse_hooks(struct pj *c, json_object *root, struct plan_hooks *hooks) {
  static const char *const keys[TS_HOOK_COUNT] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
  };
  json_object *obj;
  TRY(pj_get_obj(c, root, "hooks", &obj));
  if (obj == NULL) return 0;
  size_t at = pj_push_key(c, "hooks");
  int r = 0;
  for (int k = 0; k < TS_HOOK_COUNT && r == 0; k++)
    r = pj_get_each(c, obj, keys[k], &hooks->list[k], &hooks->n[k], sizeof(struct plan_hook), parse_hook);
  pj_pop(c, at);
  return r;
}

/* An optional object member parsed into a calloc'ed struct. */
#define PARSE_SECTION(c, root, key, ptr, fn)                                              \
  ({                                                                                      \
    json_object *o_;                                                                      \
    int r_ = pj_get_obj((c), (root), (key), &o_);                                         \
    if (r_ == 0 && o_) {                                                                  \
      (ptr) = calloc(1, sizeof *(ptr));                                                   \
      size_t at_ = pj_push_key((c), (key));                                               \
      r_ = (ptr) ? fn((c), o_, (ptr)) : ts_fail((c)->err, ENOMEM, "plan.json: %s", (c)->path); \
      pj_pop((c), at_);                                                                   \
    }                                                                                     \
    r_;                                                                                   \
  })

static int parse_plan(struct pj *c, json_object *root, struct plan *p) {
  json_object *proc;
  TRY(pj_object(c, root));
  if (pj_member(root, "planVersion") == NULL) return pj_fail(c, "/planVersion: missing (expected 1)");
  TRY(PJ_INT(c, root, "planVersion", 0, INT32_MAX, 0, p->plan_version));
  if (p->plan_version != 1) return pj_fail(c, "/planVersion: unsupported plan version %d (this shim reads version 1)", p->plan_version);
  TRY(pj_get_req_str(c, root, "id", &p->id));
  TRY(pj_get_str(c, root, "ociVersion", "", &p->oci_version));
  TRY(pj_get_str(c, root, "bundle", "", &p->bundle));
  TRY(pj_get_str(c, root, "stateDir", "", &p->state_dir));
  TRY(pj_get_req_str(c, root, "rootfs", &p->rootfs));
  TRY(pj_get_bool(c, root, "rootfsReadonly", false, &p->rootfs_readonly));
  TRY(PJ_INT(c, root, "rootfsPropagation", 0, UINT32_MAX, MS_SLAVE | MS_REC, p->rootfs_propagation));
  TRY(pj_get_bool(c, root, "noPivot", false, &p->no_pivot));
  TRY(pj_get_bool(c, root, "newKeyring", true, &p->new_keyring));
  TRY(parse_annotations(c, root, p));
  TRY(pj_get_each(c, root, "namespaces", &p->namespaces, &p->n_namespaces, sizeof *p->namespaces, parse_namespace));
  TRY(pj_get_each(c, root, "uidMappings", &p->uid_mappings, &p->n_uid_mappings, sizeof *p->uid_mappings, parse_idmap));
  TRY(pj_get_each(c, root, "gidMappings", &p->gid_mappings, &p->n_gid_mappings, sizeof *p->gid_mappings, parse_idmap));
  TRY(parse_time_offsets(c, root, p));
  TRY(pj_get_str(c, root, "hostname", NULL, &p->hostname));
  TRY(pj_get_str(c, root, "domainname", NULL, &p->domainname));
  TRY(pj_get_each(c, root, "mounts", &p->mounts, &p->n_mounts, sizeof *p->mounts, parse_mount));
  TRY(pj_get_each(c, root, "devices", &p->devices, &p->n_devices, sizeof *p->devices, parse_device));
  TRY(pj_get_strv(c, root, "maskedPaths", &p->masked_paths, &p->n_masked_paths));
  TRY(pj_get_strv(c, root, "readonlyPaths", &p->readonly_paths, &p->n_readonly_paths));
  TRY(pj_get_each(c, root, "sysctl", &p->sysctl, &p->n_sysctl, sizeof *p->sysctl, parse_sysctl));
  TRY(pj_get_obj(c, root, "process", &proc));
  if (proc == NULL) return pj_fail(c, "/process: missing (expected an object)");
  size_t at = pj_push_key(c, "process");
  int r = plan_parse_process(c, proc, &p->process);
  pj_pop(c, at);
  TRY(r);
  TRY(PARSE_SECTION(c, root, "seccomp", p->seccomp, plan_parse_seccomp));
  TRY(PARSE_SECTION(c, root, "cgroup", p->cgroup, parse_cgroup));
  return parse_hooks(c, root, &p->hooks);
}

int plan_parse(const char *json, size_t len, struct plan **out, ts_error *err) {
  struct pj c = { .err = err };
  json_tokener *tok = json_tokener_new();
  if (tok == NULL) return ts_fail(err, ENOMEM, "plan.json: parse");
  json_object *root = json_tokener_parse_ex(tok, json, (int)len);
  enum json_tokener_error jerr = json_tokener_get_error(tok);
  size_t offset = json_tokener_get_parse_end(tok);
  json_tokener_free(tok);
  while (offset < len && strchr(" \t\r\n", json[offset]) != NULL) offset++;
  if (root == NULL || jerr != json_tokener_success || offset != len) {
    json_object_put(root);
    if (jerr == json_tokener_success) jerr = json_tokener_error_parse_unexpected;
    const char *why = jerr == json_tokener_continue ? "unexpected end of input" : json_tokener_error_desc(jerr);
    return ts_fail(err, 0, "plan.json: invalid JSON at byte %zu: %s", offset, why);
  }
  struct plan *p = calloc(1, sizeof *p);
  if (p == NULL) {
    json_object_put(root);
    return ts_fail(err, ENOMEM, "plan.json: parse");
  }
  int r = parse_plan(&c, root, p);
  json_object_put(root);
  if (r < 0) {
    plan_free(p);
    return r;
  }
  *out = p;
  return 0;
}

int plan_load(const char *path, struct plan **out, ts_error *err) {
  __cleanup_free char *json = NULL;
  size_t len;
  TRY(read_file(path, &json, &len, err));
  return plan_parse(json, len, out, err);
}
