/* Re-exec this binary from a sealed memfd copy (CVE-2019-5736): a process that
 * later runs inside the container sees /proc/self/exe as an immutable anonymous
 * file, so a malicious container cannot overwrite the host's tsrun through it. */
#ifndef TS_MEMFD_EXEC_H
#define TS_MEMFD_EXEC_H
#include "error.h"

/* Copy /proc/self/exe into a memfd, seal it against every change, and fexecve
 * it with argv and the current environment. Returns only on failure. */
int memfd_exec_self(char *const argv[], ts_error *err);

/* Open a sealed memfd copy of the file at path (close-on-exec). Returns the fd. */
int memfd_sealed_copy(const char *path, ts_error *err);
#endif
