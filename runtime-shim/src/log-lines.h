/* Splits one output stream into the CRI log's records (log-writer.h): each
 * line is a full record (F) without its newline; a line longer than the buffer
 * goes out in buffer-sized parts (P), and so does what is left when the stream
 * ends without a newline. The bytes are read straight into the buffer. */
#ifndef TS_LOG_LINES_H
#define TS_LOG_LINES_H
#include <stdbool.h>
#include <stddef.h>

#define LOG_LINE_MAX 16384

struct log_lines {
  size_t len;                  /* bytes of the current, unfinished line */
  char buf[LOG_LINE_MAX];
};

typedef void (*log_record_fn)(void *ctx, bool partial, const char *data, size_t len);

/* Where the next bytes go; *room > 0. */
char *log_lines_space(struct log_lines *l, size_t *room);

/* n bytes were put at log_lines_space(): emit what they complete. */
void log_lines_push(struct log_lines *l, size_t n, log_record_fn emit, void *ctx);

/* The stream ended: the unfinished line, if any, as a P record. */
void log_lines_flush(struct log_lines *l, log_record_fn emit, void *ctx);
#endif
