/* Typed access to json-c values that remembers where it is, so that every
 * error names the JSON path: "plan.json: /process/args/2: expected a string".
 * Private to the plan parser. */
#ifndef TS_PLAN_JSON_H
#define TS_PLAN_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "error.h"

struct pj {
  ts_error *err;
  char path[1024];
  size_t len;
};

/* Path bookkeeping: push returns the length to pop back to. */
size_t pj_push_key(struct pj *c, const char *key);
size_t pj_push_index(struct pj *c, size_t i);
void pj_pop(struct pj *c, size_t at);

int pj_fail(struct pj *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The member, or NULL when absent or JSON null (both mean "use the default"). */
json_object *pj_member(json_object *obj, const char *key);

/* Values at the current path. */
int pj_object(struct pj *c, json_object *v);
int pj_str(struct pj *c, json_object *v, char **out);
int pj_int(struct pj *c, json_object *v, int64_t min, int64_t max, int64_t *out);
int pj_u64(struct pj *c, json_object *v, uint64_t *out);

/* Members of obj: absent/null gives the default (a NULL def string stays NULL). */
int pj_get_str(struct pj *c, json_object *obj, const char *key, const char *def, char **out);
int pj_get_req_str(struct pj *c, json_object *obj, const char *key, char **out);
int pj_get_int(struct pj *c, json_object *obj, const char *key, int64_t min, int64_t max, int64_t def, int64_t *out);
int pj_get_u64(struct pj *c, json_object *obj, const char *key, uint64_t *out);
int pj_get_bool(struct pj *c, json_object *obj, const char *key, bool def, bool *out);
/* *out is NULL when absent or null; otherwise it must be an object. */
int pj_get_obj(struct pj *c, json_object *obj, const char *key, json_object **out);
/* A NULL-terminated string array; absent or null gives an empty one. */
int pj_get_strv(struct pj *c, json_object *obj, const char *key, char ***out, size_t *n);

/* Allocate *items (n elements of elsize, zeroed) for the array member key and
 * call fn on each element with the path pointing at it. Absent or null: none. */
typedef int (*pj_item_fn)(struct pj *c, json_object *v, void *item);
int pj_get_each(struct pj *c, json_object *obj, const char *key, void *items, size_t *n, size_t elsize, pj_item_fn fn);

#define TRY(x)              \
  do {                      \
    if ((x) < 0) return -1; \
  } while (0)

/* Assign an integer member to an lvalue of any integer type. */
#define PJ_INT(c, obj, key, min, max, def, lval)                      \
  ({                                                                  \
    int64_t v_;                                                       \
    int r_ = pj_get_int((c), (obj), (key), (min), (max), (def), &v_); \
    if (r_ == 0) (lval) = v_;                                         \
    r_;                                                               \
  })

#endif
