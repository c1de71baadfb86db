/* Helpers for the internal entry points (__monitor, __init, __exec).
 * Their argv is written by this binary, not by users, so it is a flat list of
 * "--name VALUE" pairs; lookups by name make them independent of whether
 * main() passes argv with or without the command word. */
#ifndef TS_STAGE_ARGS_H
#define TS_STAGE_ARGS_H
#include "error.h"

/* The value after "--name", or NULL when absent. */
const char *stage_arg(int argc, char **argv, const char *name);

/* "--name N" as a non-negative int; *out = def when absent. */
int stage_arg_int(int argc, char **argv, const char *name, int def, int *out, ts_error *err);

/* The same for a 64-bit count (a size in bytes). */
int stage_arg_u64(int argc, char **argv, const char *name, unsigned long long def, unsigned long long *out, ts_error *err);

/* Unblock every signal and restore every default disposition: the mask and
 * ignored signals survive exec, and the front end's (it may block signals to
 * forward them) must reach neither the hooks nor the container process. */
void stage_reset_signals(void);
#endif
