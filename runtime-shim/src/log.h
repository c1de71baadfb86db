/* The front end's log: runc's --log / --log-format / --debug. containerd reads
 * the last "error" entry of the --log file back as the failure's reason. */
#ifndef TS_LOG_H
#define TS_LOG_H
#include <stdbool.h>
#include "error.h"

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* path NULL: log to stderr. format: "text" (logrus-like) or "json". */
int log_init(const char *path, const char *format, bool debug, ts_error *err);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#endif
