#include "plan-json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t pj_push_key(struct pj *c, const char *key) {
  size_t at = c->len;
  /* JSON Pointer escaping (RFC 6901), so annotation keys with '/' stay unambiguous */
  if (c->len + 1 < sizeof c->path) c->path[c->len++] = '/';
  for (const char *k = key; *k && c->len + 2 < sizeof c->path; k++) {
    if (*k == '~' || *k == '/') {
      c->path[c->len++] = '~';
      c->path[c->len++] = *k == '~' ? '0' : '1';
    } else {
      c->path[c->len++] = *k;
    }
  }
  c->path[c->len] = '\0';
  return at;
}

size_t pj_push_index(struct pj *c, size_t i) {
  char buf[32];
  snprintf(buf, sizeof buf, "%zu", i);
  return pj_push_key(c, buf);
}

void pj_pop(struct pj *c, size_t at) {
  c->len = at;
  c->path[at] = '\0';
}

int pj_fail(struct pj *c, const char *fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (c->len == 0) return ts_fail(c->err, 0, "plan.json: %s", what);
  return ts_fail(c->err, 0, "plan.json: %s: %s", c->path, what);
}

static int pj_oom(struct pj *c) {
  return ts_fail(c->err, ENOMEM, "plan.json: %s", c->len ? c->path : "/");
}

json_object *pj_member(json_object *obj, const char *key) {
  json_object *v = NULL;
  if (!json_object_object_get_ex(obj, key, &v)) return NULL;
  return v; /* JSON null is a NULL json_object */
}

int pj_object(struct pj *c, json_object *v) {
  if (!json_object_is_type(v, json_type_object)) return pj_fail(c, "expected an object");
  return 0;
}

int pj_str(struct pj *c, json_object *v, char **out) {
  if (!json_object_is_type(v, json_type_string)) return pj_fail(c, "expected a string");
  *out = strdup(json_object_get_string(v));
  return *out ? 0 : pj_oom(c);
}

/* json-c keeps integers as int64 (or uint64 above INT64_MAX) and the rest as double */
static int pj_integral(struct pj *c, json_object *v, bool *is_u64_big, int64_t *out) {
  *is_u64_big = false;
  if (json_object_is_type(v, json_type_int)) {
    int64_t i = json_object_get_int64(v);
    if (i == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX) *is_u64_big = true;
    *out = i;
    return 0;
  }
  if (json_object_is_type(v, json_type_double)) {
    double d = json_object_get_double(v);
    if (d != floor(d) || d < -9007199254740992.0 || d > 9007199254740992.0) return pj_fail(c, "expected an integer");
    *out = (int64_t)d;
    return 0;
  }
  return pj_fail(c, "expected a number");
}

int pj_int(struct pj *c, json_object *v, int64_t min, int64_t max, int64_t *out) {
  bool big;
  int64_t i;
  if (pj_integral(c, v, &big, &i) < 0) return -1;
  if (big || i < min || i > max) return pj_fail(c, "%s out of range [%" PRId64 ", %" PRId64 "]", json_object_get_string(v), min, max);
  *out = i;
  return 0;
}

int pj_u64(struct pj *c, json_object *v, uint64_t *out) {
  bool big;
  int64_t i;
  if (pj_integral(c, v, &big, &i) < 0) return -1;
  if (i < 0) return pj_fail(c, "%" PRId64 " out of range (expected a non-negative integer)", i);
  *out = big ? json_object_get_uint64(v) : (uint64_t)i;
  return 0;
}

int pj_get_str(struct pj *c, json_object *obj, const char *key, const char *def, char **out) {
  json_object *v = pj_member(obj, key);
  if (v == NULL) {
    *out = NULL;
    if (def == NULL) return 0;
    *out = strdup(def);
    return *out ? 0 : pj_oom(c);
  }
  size_t at = pj_push_key(c, key);
  int r = pj_str(c, v, out);
  pj_pop(c, at);
  return r;
}

int pj_get_req_str(struct pj *c, json_object *obj, const char *key, char **out) {
  if (pj_member(obj, key) != NULL) return pj_get_str(c, obj, key, NULL, out);
  size_t at = pj_push_key(c, key);
  int r = pj_fail(c, "missing (expected a string)");
  pj_pop(c, at);
  return r;
}

int pj_get_int(struct pj *c, json_object *obj, const char *key, int64_t min, int64_t max, int64_t def, int64_t *out) {
  json_object *v = pj_member(obj, key);
  if (v == NULL) {
    *out = def;
    return 0;
  }
  size_t at = pj_push_key(c, key);
  int r = pj_int(c, v, min, max, out);
  pj_pop(c, at);
  return r;
}

int pj_get_u64(struct pj *c, json_object *obj, const char *key, uint64_t *out) {
  json_object *v = pj_member(obj, key);
  *out = 0;
  if (v == NULL) return 0;
  size_t at = pj_push_key(c, key);
  int r = pj_u64(c, v, out);
  pj_pop(c, at);
  return r;
}

int pj_get_bool(struct pj *c, json_object *obj, const char *key, bool def, bool *out) {
  json_object *v = pj_member(obj, key);
  *out = def;
  if (v == NULL) return 0;
  if (json_object_is_type(v, json_type_boolean)) {
    *out = json_object_get_boolean(v);
    return 0;
  }
  size_t at = pj_push_key(c, key);
  int r = pj_fail(c, "expected a boolean");
  pj_pop(c, at);
  return r;
}

int pj_get_obj(struct pj *c, json_object *obj, const char *key, json_object **out) {
  json_object *v = pj_member(obj, key);
  *out = v;
  if (v == NULL) return 0;
  size_t at = pj_push_key(c, key);
  int r = pj_object(c, v);
  pj_pop(c, at);
  return r;
}

static int strv_item(struct pj *c, json_object *v, void *item) {
  return pj_str(c, v, (char **)item);
}

int pj_get_strv(struct pj *c, json_object *obj, const char *key, char ***out, size_t *n) {
  /* one spare element: the arrays double as argv/envp */
  if (pj_get_each(c, obj, key, out, n, sizeof(char *), strv_item) < 0) return -1;
  if (*out == NULL) {
    *out = calloc(1, sizeof(char *));
    if (*out == NULL) return pj_oom(c);
  }
  return 0;
}

int pj_get_each(struct pj *c, json_object *obj, const char *key, void *items, size_t *n, size_t elsize, pj_item_fn fn) {
  json_object *v = pj_member(obj, key);
  *(void **)items = NULL;
  *n = 0;
  if (v == NULL) return 0;
  size_t at = pj_push_key(c, key);
  int r = 0;
  if (!json_object_is_type(v, json_type_array)) {
    r = pj_fail(c, "expected an array");
    goto out;
  }
  size_t count = json_object_array_length(v);
  /* +1 zeroed element keeps string arrays NULL-terminated */
  char *arr = calloc(count + 1, elsize);
  if (arr == NULL) {
    r = pj_oom(c);
    goto out;
  }
  *(void **)items = arr;
  *n = count;
  for (size_t i = 0; i < count && r == 0; i++) {
    size_t at_i = pj_push_index(c, i);
    r = fn(c, json_object_array_get_idx(v, i), arr + i * elsize);
    pj_pop(c, at_i);
  }
out:
  pj_pop(c, at);
  return r;
}
