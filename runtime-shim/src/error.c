#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ts_fail(ts_error *err, int errnum, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if (errnum != 0 && (size_t)n < sizeof err->msg)
    snprintf(err->msg + n, sizeof err->msg - (size_t)n, ": %s", strerror(errnum));
  err->errnum = errnum;
  if (err->exit_code == 0) err->exit_code = 1;
  return -1;
}

int ts_wrap(ts_error *err, const char *fmt, ...) {
  char prefix[TS_ERR_MSG_MAX];
  char old[TS_ERR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof old);
  snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
  if (err->exit_code == 0) err->exit_code = 1;
  return -1;
}

void ts_error_clear(ts_error *err) {
  err->errnum = 0;
  err->exit_code = 0;
  err->msg[0] = '\0';
}

void ts_freep(void *p) {
  free(*(void **)p);
}

void ts_closep(int *fd) {
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
  }
}
