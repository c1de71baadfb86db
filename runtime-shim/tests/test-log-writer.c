/* The CRI log's pure pieces (record header, line splitting, rotated names,
 * the attach frame header) and rotation on a temp dir. No root needed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach-server.h"
#include "log-lines.h"
#include "log-writer.h"
#include "util.h"

static void header_format(void **ctx) {
  char buf[CRI_HEADER_MAX];
  /* 2026-11-23T10:00:00Z */
  struct timespec t = {.tv_sec = 1795428000, .tv_nsec = 123456789};
  size_t n = cri_header(buf, &t, LOG_STDOUT, false);
  assert_string_equal(buf, "2026-11-23T10:00:00.123456789Z stdout F ");
  assert_int_equal(n, strlen(buf));
  t.tv_nsec = 5;
  cri_header(buf, &t, LOG_STDERR, true);
  assert_string_equal(buf, "2026-11-23T10:00:00.000000005Z stderr P ");
  /* the date by hand: the epoch, leap days, centuries */
  static const struct { time_t sec; const char *want; } dates[] = {
    {0, "1970-01-01T00:00:00"}, {1709251199, "2024-02-29T23:59:59"},
    {978266096, "2000-12-31T12:34:56"}, {4107542400, "2100-03-01T00:00:00"},
  };
  for (size_t i = 0; i < sizeof dates / sizeof *dates; i++) {
    t = (struct timespec){.tv_sec = dates[i].sec};
    cri_header(buf, &t, LOG_STDOUT, false);
    assert_memory_equal(buf, dates[i].want, strlen(dates[i].want));
  }
}

static void rotated_names(void **ctx) {
  char buf[64];
  assert_int_equal(log_rotated_path(buf, sizeof buf, "/var/log/c.log", 0), 0);
  assert_string_equal(buf, "/var/log/c.log");
  assert_int_equal(log_rotated_path(buf, sizeof buf, "/var/log/c.log", 2), 0);
  assert_string_equal(buf, "/var/log/c.log.2");
  assert_int_equal(log_rotated_path(buf, 16, "/var/log/c.log", 2), -1);
}

struct records { char text[4 * LOG_LINE_MAX]; size_t len; int n; };

/* "F:<len>:<first char>;" or "P:..." per record */
static void collect(void *ctx, bool partial, const char *data, size_t len) {
  struct records *r = ctx;
  r->len += (size_t)snprintf(r->text + r->len, sizeof r->text - r->len, "%c:%zu:%c;", partial ? 'P' : 'F', len,
                             len ? data[0] : '-');
  r->n++;
}

static void push(struct log_lines *l, const char *data, size_t len, struct records *r) {
  while (len > 0) {
    size_t room;
    char *dest = log_lines_space(l, &room);
    size_t n = len < room ? len : room;
    memcpy(dest, data, n);
    log_lines_push(l, n, collect, r);
    data += n;
    len -= n;
  }
}

static void lines_split(void **ctx) {
  static struct log_lines l;
  static struct records r;
  push(&l, "ab\n\ncd", 6, &r);
  assert_string_equal(r.text, "F:2:a;F:0:-;");
  push(&l, "e\nf", 3, &r);
  assert_string_equal(r.text, "F:2:a;F:0:-;F:3:c;");
  log_lines_flush(&l, collect, &r);
  assert_string_equal(r.text, "F:2:a;F:0:-;F:3:c;P:1:f;");
  log_lines_flush(&l, collect, &r);
  assert_int_equal(r.n, 4);
}

static void lines_longer_than_buffer(void **ctx) {
  static struct log_lines l;
  static struct records r;
  size_t len = 2 * LOG_LINE_MAX + 100;
  char *line = malloc(len + 1);
  memset(line, 'x', len);
  line[len] = '\n';
  push(&l, line, len + 1, &r);
  free(line);
  char want[128];
  snprintf(want, sizeof want, "P:%d:x;P:%d:x;F:100:x;", LOG_LINE_MAX, LOG_LINE_MAX);
  assert_string_equal(r.text, want);
}

static void frame_header(void **ctx) {
  uint8_t h[ATTACH_HEADER_SIZE];
  attach_frame_header(h, ATTACH_STDERR, 0x01020304);
  const uint8_t want[] = {2, 0, 0, 0, 1, 2, 3, 4};
  assert_memory_equal(h, want, sizeof want);
}

static char dir[] = "/tmp/test-log-writer-XXXXXX";

/* The numbers of the first and last "record N" in path; checks that it holds
 * whole records only and is no larger than max_size. Returns the count. */
static int records_in(const char *path, size_t max_size, int *first, int *last) {
  char *text = NULL;
  size_t len = 0;
  ts_error err = {0};
  if (read_file(path, &text, &len, &err) < 0) return -1;
  assert_true(len <= max_size);
  assert_true(len > 0 && text[len - 1] == '\n');
  int n = 0;
  for (char *line = text, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1, n++) {
    char *rec = strstr(line, " stdout F record ");
    assert_true(rec != NULL && rec < nl);
    int k = atoi(rec + 17);
    if (n == 0) *first = k;
    *last = k;
  }
  free(text);
  return n;
}

static void write_records(const char *path, unsigned long long max_size, int max_files, int count) {
  struct log_writer w;
  ts_error err = {0};
  assert_int_equal(log_writer_open(&w, path, max_size, max_files, &err), 0);
  char content[64];
  for (int i = 0; i < count; i++) {
    int n = snprintf(content, sizeof content, "record %03d", i);
    assert_int_equal(log_writer_record(&w, LOG_STDOUT, false, content, (size_t)n, &err), 0);
  }
  log_writer_close(&w);
}

static void rotation(void **ctx) {
  char path[128], name[160];
  snprintf(path, sizeof path, "%s/c.log", dir);
  write_records(path, 500, 3, 100);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0640);
  /* 51-byte records: 9 a file; newest last, none lost between the files */
  int first = -1, last = -1, next_first = -1;
  for (int i = 0; i < 3; i++) {
    log_rotated_path(name, sizeof name, path, i);
    assert_true(records_in(name, 500, &first, &last) > 0);
    if (i == 0) assert_int_equal(last, 99);
    else assert_int_equal(last + 1, next_first);
    next_first = first;
  }
  log_rotated_path(name, sizeof name, path, 3);
  assert_int_equal(access(name, F_OK), -1);
}

static void rotation_one_file_and_never(void **ctx) {
  char path[128], name[160];
  int first, last;
  snprintf(path, sizeof path, "%s/one.log", dir);
  write_records(path, 500, 1, 100);
  assert_true(records_in(path, 500, &first, &last) > 0);
  assert_int_equal(last, 99);
  log_rotated_path(name, sizeof name, path, 1);
  assert_int_equal(access(name, F_OK), -1);

  snprintf(path, sizeof path, "%s/never.log", dir);
  write_records(path, 0, 3, 100);
  assert_int_equal(records_in(path, 100 * 51, &first, &last), 100);
  log_rotated_path(name, sizeof name, path, 1);
  assert_int_equal(access(name, F_OK), -1);
}

static int setup(void **ctx) {
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **ctx) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(header_format),
    cmocka_unit_test(rotated_names),
    cmocka_unit_test(lines_split),
    cmocka_unit_test(lines_longer_than_buffer),
    cmocka_unit_test(frame_header),
    cmocka_unit_test(rotation),
    cmocka_unit_test(rotation_one_file_and_never),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
