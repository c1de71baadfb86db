#include "log-writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define LOG_MODE 0640

/* n digits of v, zero-padded, at p; returns the end */
static char *put_digits(char *p, unsigned long v, int n) {
  for (int i = n - 1; i >= 0; i--, v /= 10) p[i] = (char)('0' + v % 10);
  return p + n;
}

static char *put_str(char *p, const char *s) {
  while (*s) *p++ = *s++;
  return p;
}

/* By hand, not gmtime_r + strftime + snprintf: the monitor formats this for
 * every record, and those pull hundreds of kB of libc text into its RSS. The
 * date from the day number: Howard Hinnant's civil_from_days. */
size_t cri_header(char *buf, const struct timespec *t, enum log_stream s, bool partial) {
  long long days = t->tv_sec / 86400, secs = t->tv_sec % 86400;
  if (secs < 0) secs += 86400, days--;
  long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  unsigned day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
  long long year = (long long)yoe + era * 400 + (month <= 2);
  char *p = put_digits(buf, (unsigned long)year, 4);
  *p++ = '-';
  p = put_digits(p, month, 2);
  *p++ = '-';
  p = put_digits(p, day, 2);
  *p++ = 'T';
  p = put_digits(p, (unsigned long)secs / 3600, 2);
  *p++ = ':';
  p = put_digits(p, (unsigned long)secs / 60 % 60, 2);
  *p++ = ':';
  p = put_digits(p, (unsigned long)secs % 60, 2);
  *p++ = '.';
  p = put_digits(p, (unsigned long)t->tv_nsec, 9);
  p = put_str(p, s == LOG_STDERR ? "Z stderr " : "Z stdout ");
  *p++ = partial ? 'P' : 'F';
  *p++ = ' ';
  *p = '\0';
  return (size_t)(p - buf);
}

/* Without snprintf, for the same reason as cri_header. */
int log_rotated_path(char *buf, size_t size, const char *path, int index) {
  char suffix[16], *p = suffix + sizeof suffix;
  *--p = '\0';
  for (unsigned v = (unsigned)index; index > 0 && v > 0; v /= 10) *--p = (char)('0' + v % 10);
  if (index > 0) *--p = '.';
  size_t len = strlen(path), slen = (size_t)(suffix + sizeof suffix - 1 - p);
  if (len + slen >= size) return -1;
  memcpy(buf, path, len);
  memcpy(buf + len, p, slen + 1);
  return 0;
}

static int open_log(const char *path, unsigned long long *size, ts_error *err) {
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, LOG_MODE);
  if (fd < 0) return ts_fail(err, errno, "open the log `%s`", path);
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int e = errno;
    close(fd);
    return ts_fail(err, e, "stat the log `%s`", path);
  }
  *size = (unsigned long long)st.st_size;
  return fd;
}

int log_writer_open(struct log_writer *w, const char *path, unsigned long long max_size, int max_files, ts_error *err) {
  char probe[4096];
  if (log_rotated_path(probe, sizeof probe, path, max_files) < 0) return ts_fail(err, ENAMETOOLONG, "the log `%s`", path);
  *w = (struct log_writer){.path = path, .max_size = max_size, .max_files = max_files < 1 ? 1 : max_files};
  w->fd = open_log(path, &w->size, err);
  return w->fd < 0 ? -1 : 0;
}

/* The oldest copy is overwritten by the rename onto it; a copy that is missing
 * (fewer rotations so far) is no error. With one file, FILE starts over. */
static int rotate(struct log_writer *w, ts_error *err) {
  char from[4096], to[4096];
  for (int i = w->max_files - 1; i >= 1; i--) {
    log_rotated_path(from, sizeof from, w->path, i - 1);
    log_rotated_path(to, sizeof to, w->path, i);
    if (rename(from, to) < 0 && errno != ENOENT) return ts_fail(err, errno, "rotate the log: rename `%s` to `%s`", from, to);
  }
  if (w->max_files == 1 && unlink(w->path) < 0 && errno != ENOENT)
    return ts_fail(err, errno, "rotate the log: remove `%s`", w->path);
  unsigned long long size;
  int fd = open_log(w->path, &size, err);
  if (fd < 0) return ts_wrap(err, "rotate the log");
  close(w->fd);
  w->fd = fd;
  w->size = size;
  return 0;
}

int log_writer_record(struct log_writer *w, enum log_stream s, bool partial, const char *data, size_t len, ts_error *err) {
  char header[CRI_HEADER_MAX];
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  size_t hlen = cri_header(header, &now, s, partial);
  unsigned long long total = hlen + len + 1;
  if (w->max_size > 0 && w->size > 0 && w->size + total > w->max_size && rotate(w, err) < 0) return -1;
  struct iovec iov[3] = {{header, hlen}, {(void *)data, len}, {"\n", 1}};
  /* a local file: short writes only on a full disk, where the rest is lost too */
  ssize_t n;
  while ((n = writev(w->fd, iov, 3)) < 0 && errno == EINTR) {}
  if (n < 0) return ts_fail(err, errno, "write to the log `%s`", w->path);
  w->size += (unsigned long long)n;
  return 0;
}

void log_writer_close(struct log_writer *w) {
  if (w->fd >= 0) close(w->fd);
  w->fd = -1;
}
