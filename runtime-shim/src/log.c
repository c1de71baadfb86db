#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

static int log_fd = -1;       /* -1: no --log file */
static bool log_json;
static bool log_debug_on;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int log_init(const char *path, const char *format, bool debug, ts_error *err) {
  log_debug_on = debug;
  if (format != NULL && strcmp(format, "json") == 0)
    log_json = true;
  else if (format != NULL && strcmp(format, "text") != 0)
    return ts_fail(err, 0, "invalid log-format: %s", format);
  if (path == NULL || *path == '\0') return 0;
  log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0) return ts_fail(err, errno, "open log file `%s`", path);
  return 0;
}

/* Second precision and a Z, as logrus' default timestamp. */
static void log_time(char *buf, size_t size) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void log_write_entry(int fd, enum log_level level, const char *msg) {
  char when[40];
  log_time(when, sizeof when);
  json_object *m = json_object_new_string(msg);
  char line[TS_ERR_MSG_MAX * 2 + 128];
  int n;
  if (log_json) {
    /* keys in logrus' (alphabetical) order */
    n = snprintf(line, sizeof line, "{\"level\":\"%s\",\"msg\":%s,\"time\":\"%s\"}\n", level_names[level],
                 json_object_to_json_string_ext(m, JSON_C_TO_STRING_NOSLASHESCAPE), when);
  } else {
    n = snprintf(line, sizeof line, "time=\"%s\" level=%s msg=%s\n", when, level_names[level],
                 json_object_to_json_string_ext(m, JSON_C_TO_STRING_NOSLASHESCAPE));
  }
  json_object_put(m);
  if (n > (int)sizeof line - 1) {
    n = (int)sizeof line - 1;
    line[n - 1] = '\n';
  }
  if (write(fd, line, (size_t)n) < 0) { /* nowhere left to report it */ }
}

void log_msg(enum log_level level, const char *fmt, ...) {
  if (level == LOG_LEVEL_DEBUG && !log_debug_on) return;
  char msg[TS_ERR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (log_fd >= 0) log_write_entry(log_fd, level, msg);
  /* Errors and warnings always reach the user; debug goes to stderr only without --log. */
  if (level == LOG_LEVEL_ERROR)
    dprintf(STDERR_FILENO, "tsrun: %s\n", msg);
  else if (level == LOG_LEVEL_WARNING)
    dprintf(STDERR_FILENO, "tsrun: warning: %s\n", msg);
  else if (log_fd < 0)
    log_write_entry(STDERR_FILENO, level, msg);
}
