#include "state.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "cgroup.h"
#include "shim-proto.h"
#include "util.h"

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static const char *get_str(json_object *o, const char *key) {
  json_object *v;
  if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) return NULL;
  return json_object_get_string(v);
}

/* -1 when absent or null, so that callers can tell "null" from a value. */
static int get_int(json_object *o, const char *key, int64_t *out) {
  json_object *v;
  if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int)) return -1;
  *out = json_object_get_int64(v);
  return 0;
}

static int state_from_json(json_object *root, const char *path, struct ts_state *s, ts_error *err) {
  if (!json_object_is_type(root, json_type_object)) return ts_fail(err, 0, "`%s`: not a JSON object", path);
  const char *id = get_str(root, "id"), *status = get_str(root, "status");
  if (id == NULL || status == NULL) return ts_fail(err, 0, "`%s`: \"id\" or \"status\" missing", path);
  s->id = strdup(id);
  s->status = strdup(status);
  s->oci_version = strdup(get_str(root, "ociVersion") ?: "");
  s->bundle = strdup(get_str(root, "bundle") ?: "");
  s->rootfs = strdup(get_str(root, "rootfs") ?: "");
  s->created = strdup(get_str(root, "created") ?: "");
  s->owner = strdup(get_str(root, "owner") ?: "");
  int64_t n;
  if (get_int(root, "pid", &n) == 0) s->pid = (pid_t)n;
  json_object *ann;
  if (json_object_object_get_ex(root, "annotations", &ann) && json_object_is_type(ann, json_type_object))
    s->annotations_json = strdup(json_object_to_json_string_ext(ann, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  else
    s->annotations_json = strdup("{}");
  json_object *ts;
  if (json_object_object_get_ex(root, "tsrun", &ts) && json_object_is_type(ts, json_type_object)) {
    if (get_int(ts, "monitorPid", &n) == 0) s->monitor_pid = (pid_t)n;
    if (get_int(ts, "initStartTime", &n) == 0) s->init_start_time = (unsigned long long)n;
    if (get_int(ts, "exitCode", &n) == 0) {
      s->has_exit = true;
      s->exit_code = (int)n;
    }
    if (get_int(ts, "exitSignal", &n) == 0) s->exit_signal = (int)n;
    s->finished_at = dup_or_null(get_str(ts, "finishedAt"));
  }
  return 0;
}

int state_read(const char *state_dir, struct ts_state **out, ts_error *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", state_dir, TS_STATE_FILE);
  __cleanup_free char *text = NULL;
  size_t len;
  if (read_file(path, &text, &len, err) < 0) return -1;
  struct json_tokener *tok = json_tokener_new();
  json_object *root = json_tokener_parse_ex(tok, text, (int)len);
  enum json_tokener_error jerr = json_tokener_get_error(tok);
  json_tokener_free(tok);
  if (root == NULL || jerr != json_tokener_success) {
    json_object_put(root);
    return ts_fail(err, 0, "parse `%s`: %s", path, json_tokener_error_desc(jerr));
  }
  struct ts_state *s = calloc(1, sizeof *s);
  if (s == NULL) {
    json_object_put(root);
    return ts_fail(err, ENOMEM, "read `%s`", path);
  }
  int r = state_from_json(root, path, s, err);
  json_object_put(root);
  if (r < 0) {
    state_free(s);
    return r;
  }
  *out = s;
  return 0;
}

static json_object *str_or_null(const char *s) { return s ? json_object_new_string(s) : NULL; }

static json_object *parse_annotations(const char *text) {
  json_object *ann = text ? json_tokener_parse(text) : NULL;
  if (ann == NULL || !json_object_is_type(ann, json_type_object)) {
    json_object_put(ann);
    ann = json_object_new_object();
  }
  return ann;
}

int state_write(const char *state_dir, const struct ts_state *s, ts_error *err) {
  json_object *root = json_object_new_object();
  json_object_object_add(root, "ociVersion", json_object_new_string(s->oci_version ?: ""));
  json_object_object_add(root, "id", json_object_new_string(s->id ?: ""));
  json_object_object_add(root, "status", json_object_new_string(s->status ?: ""));
  json_object_object_add(root, "pid", json_object_new_int(s->pid));
  json_object_object_add(root, "bundle", json_object_new_string(s->bundle ?: ""));
  json_object_object_add(root, "rootfs", json_object_new_string(s->rootfs ?: ""));
  json_object_object_add(root, "created", json_object_new_string(s->created ?: ""));
  json_object_object_add(root, "owner", json_object_new_string(s->owner ?: ""));
  json_object_object_add(root, "annotations", parse_annotations(s->annotations_json));
  json_object *ts = json_object_new_object();
  json_object_object_add(ts, "monitorPid", json_object_new_int(s->monitor_pid));
  json_object_object_add(ts, "initStartTime", json_object_new_int64((int64_t)s->init_start_time));
  json_object_object_add(ts, "exitCode", s->has_exit ? json_object_new_int(s->exit_code) : NULL);
  json_object_object_add(ts, "exitSignal", s->has_exit && s->exit_signal ? json_object_new_int(s->exit_signal) : NULL);
  json_object_object_add(ts, "finishedAt", str_or_null(s->finished_at));
  json_object_object_add(root, "tsrun", ts);
  const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", state_dir, TS_STATE_FILE);
  int r = write_file_atomic(path, text, strlen(text), 0644, err);
  json_object_put(root);
  return r;
}

void state_free(struct ts_state *s) {
  if (s == NULL) return;
  free(s->oci_version);
  free(s->id);
  free(s->bundle);
  free(s->rootfs);
  free(s->created);
  free(s->owner);
  free(s->status);
  free(s->finished_at);
  free(s->annotations_json);
  free(s);
}

const char *state_live_status(const struct ts_state *s, const struct plan_cgroup *cg) {
  if (strcmp(s->status, "stopped") == 0) return "stopped";
  if (s->pid <= 0) return s->status;  /* "creating": no init yet */
  if (s->init_start_time != 0 ? proc_start_time(s->pid) != s->init_start_time : kill(s->pid, 0) < 0 && errno == ESRCH)
    return "stopped";
  if (cg != NULL && cg->freezer != NULL) {
    ts_error err = { 0 };
    if (cgroup_is_frozen(cg, &err) == 1) return "paused";
  }
  return s->status;
}

/* Go prints time.Time as RFC 3339 with the trailing zeros of the fraction trimmed. */
static void trim_fraction(const char *in, char *out, size_t size) {
  snprintf(out, size, "%s", in);
  char *dot = strchr(out, '.'), *z = dot ? strpbrk(dot, "Z+-") : NULL;
  if (z == NULL) return;
  char *end = z;
  while (end > dot + 1 && end[-1] == '0') end--;
  if (end == dot + 1) end = dot;
  memmove(end, z, strlen(z) + 1);
}

/* Go marshals a map with sorted keys. */
static int cmp_key(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static json_object *sorted_annotations(const char *text) {
  json_object *ann = parse_annotations(text);
  size_t n = (size_t)json_object_object_length(ann), i = 0;
  if (n == 0) {
    json_object_put(ann);
    return NULL;  /* omitempty */
  }
  const char **keys = calloc(n, sizeof *keys);
  json_object_object_foreach(ann, k, v) { (void)v; keys[i++] = k; }
  qsort(keys, n, sizeof *keys, cmp_key);
  json_object *sorted = json_object_new_object();
  for (i = 0; i < n; i++)
    json_object_object_add(sorted, keys[i], json_object_get(json_object_object_get(ann, keys[i])));
  free(keys);
  json_object_put(ann);
  return sorted;
}

static json_object *state_to_oci_object(const struct ts_state *s, const char *status) {
  char created[64];
  trim_fraction(s->created ?: "", created, sizeof created);
  json_object *o = json_object_new_object();
  json_object_object_add(o, "ociVersion", json_object_new_string(s->oci_version ?: ""));
  json_object_object_add(o, "id", json_object_new_string(s->id ?: ""));
  /* runc reports pid 0 once the container has stopped */
  json_object_object_add(o, "pid", json_object_new_int(strcmp(status, "stopped") == 0 ? 0 : s->pid));
  json_object_object_add(o, "status", json_object_new_string(status));
  json_object_object_add(o, "bundle", json_object_new_string(s->bundle ?: ""));
  json_object_object_add(o, "rootfs", json_object_new_string(s->rootfs ?: ""));
  json_object_object_add(o, "created", json_object_new_string(created));
  json_object_object_add(o, "owner", json_object_new_string(s->owner ?: ""));
  json_object *ann = sorted_annotations(s->annotations_json);
  if (ann != NULL) json_object_object_add(o, "annotations", ann);
  return o;
}

char *state_to_oci_json(const struct ts_state *s, const char *status) {
  json_object *o = state_to_oci_object(s, status);
  char *text = strdup(json_object_to_json_string_ext(
      o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(o);
  return text;
}
