/* One error convention for the whole shim (as crun's libcrun_error_t):
 * every fallible function returns a negative number and fills *err;
 * callers add context on the way up with ts_wrap(); only main() prints. */
#ifndef TS_ERROR_H
#define TS_ERROR_H

#include <stddef.h>

#define TS_ERR_MSG_MAX 2048

typedef struct ts_error {
  int errnum;                 /* errno of the root cause, 0 if none */
  int exit_code;              /* exit code for the CLI, default 1 */
  char msg[TS_ERR_MSG_MAX];   /* "what: to what: why" */
} ts_error;

/* Fill err with a message (printf-style) and, when errnum != 0, ": strerror(errnum)".
 * Always returns -1 so that callers can `return ts_fail(err, errno, "open %s", path);` */
int ts_fail(ts_error *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefix the existing message with context: "context: old message". Returns -1. */
int ts_wrap(ts_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void ts_error_clear(ts_error *err);

/* cleanup helpers, used as `__cleanup_free char *p = NULL;` */
void ts_freep(void *p);
void ts_closep(int *fd);
#define __cleanup_free __attribute__((cleanup(ts_freep)))
#define __cleanup_close __attribute__((cleanup(ts_closep)))

#endif
