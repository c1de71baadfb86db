/* The container's log in daemon mode, in the CRI format that the kubelet reads
 * (as conmon writes it): one record per line,
 *   "<RFC 3339 UTC, nanoseconds> <stdout|stderr> <F|P> <content>\n"
 * F: a full line (its newline is the record's); P: part of a longer line, or
 * the end of a stream that was not a newline. The file rotates by size:
 * FILE.(N-2) -> FILE.(N-1), ..., FILE -> FILE.1, then a fresh FILE. */
#ifndef TS_LOG_WRITER_H
#define TS_LOG_WRITER_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "error.h"

/* The numbers are the attach frames' (attach-server.h). */
enum log_stream { LOG_STDOUT = 1, LOG_STDERR = 2 };

struct log_writer {
  const char *path;            /* absolute: the monitor's cwd is the state dir */
  int fd;
  unsigned long long size;     /* of FILE so far */
  unsigned long long max_size; /* 0: never rotate */
  int max_files;               /* FILE and its rotated copies, >= 1 */
};

/* Longest "<time> <stream> <tag> " there is. */
#define CRI_HEADER_MAX 64

/* "<time> <stream> <tag> " into buf (>= CRI_HEADER_MAX); returns its length. */
size_t cri_header(char *buf, const struct timespec *t, enum log_stream s, bool partial);

/* FILE for index 0, "FILE.<index>" otherwise; -1 when it does not fit. */
int log_rotated_path(char *buf, size_t size, const char *path, int index);

/* Appends to FILE (mode 0640 when created). path must outlive the writer. */
int log_writer_open(struct log_writer *w, const char *path, unsigned long long max_size, int max_files, ts_error *err);

/* One record, never split across files: rotates first when it would take FILE
 * past max_size. On error (a full disk) the record is lost; the writer goes on. */
int log_writer_record(struct log_writer *w, enum log_stream s, bool partial, const char *data, size_t len, ts_error *err);

void log_writer_close(struct log_writer *w);
#endif
