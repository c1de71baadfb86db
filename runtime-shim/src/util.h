#ifndef TS_UTIL_H
#define TS_UTIL_H
#include <stddef.h>
#include <sys/types.h>
#include "error.h"

/* Read a whole file (NUL-terminated; *len without the NUL). */
int read_file(const char *path, char **out, size_t *len, ts_error *err);
/* Write a file: plain write (for /proc and cgroup files). */
int write_file(const char *path, const char *data, size_t len, ts_error *err);
/* Write a file atomically against crashes of processes (tmp in the same dir, rename; no fsync). */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode, ts_error *err);
int mkdir_p(const char *path, mode_t mode, ts_error *err);
/* Field 22 of /proc/<pid>/stat (start time in clock ticks); 0 if the process is
 * gone or a zombie (it has exited; only its parent has not reaped it yet). */
unsigned long long proc_start_time(pid_t pid);
/* RFC 3339 UTC timestamp with nanoseconds into buf (>= 40 bytes). */
void now_rfc3339(char *buf, size_t size);
#endif
