#include "log-lines.h"

#include <string.h>

char *log_lines_space(struct log_lines *l, size_t *room) {
  *room = sizeof l->buf - l->len;
  return l->buf + l->len;
}

void log_lines_push(struct log_lines *l, size_t n, log_record_fn emit, void *ctx) {
  /* the bytes before the new ones hold no newline */
  size_t start = 0, end = l->len + n;
  for (char *nl; (nl = memchr(l->buf + l->len, '\n', end - l->len)) != NULL;) {
    size_t at = (size_t)(nl - l->buf);
    emit(ctx, false, l->buf + start, at - start);
    start = l->len = at + 1;
  }
  l->len = end - start;
  if (start > 0) memmove(l->buf, l->buf + start, l->len);
  if (l->len == sizeof l->buf) log_lines_flush(l, emit, ctx);
}

void log_lines_flush(struct log_lines *l, log_record_fn emit, void *ctx) {
  if (l->len > 0) emit(ctx, true, l->buf, l->len);
  l->len = 0;
}
