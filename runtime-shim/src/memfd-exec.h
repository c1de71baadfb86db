/* Re-exec this binary from a sealed memfd copy (CVE-2019-5736): a process that
 * later runs inside the container sees /proc/self/exe as an immutable anonymous
 * file, so a malicious container cannot overwrite the host's tsrun through it. */
#ifndef TS_MEMFD_EXEC_H
#define TS_MEMFD_EXEC_H
#include "error.h"

/* The fd number of the sealed copy that `tsrun __server` makes once and shares
 * with the commands it runs, so that a container's stage 1 needs no copy of its own. */
#define TS_SEALED_EXE_ENV "TSRUN_SEALED_EXE_FD"

/* fexecve the sealed copy of this binary with argv and the current environment:
 * the shared one when $TSRUN_SEALED_EXE_FD names a valid one, else a fresh copy
 * of /proc/self/exe. Returns only on failure. */
int memfd_exec_self(char *const argv[], ts_error *err);

/* Open a sealed memfd copy of the file at path (close-on-exec). Returns the fd. */
int memfd_sealed_copy(const char *path, ts_error *err);

/* The shared copy, made close-on-exec, so that no hook or container process
 * inherits it; -1 when $TSRUN_SEALED_EXE_FD is unset or does not name an fd
 * that is a memfd of ours with every seal set. */
int memfd_shared_exe(void);

/* Before exec'ing the monitor: let the shared copy through that exec, unless
 * its number is below min_fd (it would pass for a preserved fd), in which case
 * it is dropped from the environment and the monitor makes its own copy. */
void memfd_shared_exe_inherit(int min_fd);
#endif
