/* Shared between the monitor's create phase (monitor.c) and its serve loop (monitor-serve.c). */
#ifndef TS_MONITOR_INTERNAL_H
#define TS_MONITOR_INTERNAL_H
#include <stdbool.h>

#include "error.h"
#include "monitor-io.h"
#include "state.h"

struct monitor {
  const char *state_dir;
  struct ts_state state;   /* what state.json says; status points to a literal */
  int init_sync;           /* our end of the sync socket with the init, -1 once it exec'd */
  int listen_fd;           /* shim.sock */
  /* The caller of `tsrun create` is a subreaper (containerd's shim, conmon):
   * like runc, we hand the init over to it, since it reaps the init and reads
   * its exit status. The monitor then only serves `start` and leaves. */
  bool handoff;
  bool poststart_hooks;    /* the plan has some: start reloads it to run them */
  struct monitor_io *io;   /* daemon mode (monitor-io.h), else NULL */
};

/* Set the status and write state.json. */
int monitor_write_state(struct monitor *m, const char *status, ts_error *err);

/* Free what create needed: the heap's unused top and the mapped pages of this
 * binary's code, which the kernel faulted in by the hundreds of kB (fault-around)
 * while the plan was parsed and the hooks ran. Only the text is dropped: it is
 * never written, so its pages come back from the page cache on use. */
void monitor_shrink(void);

/* Listen on shim.sock, and in daemon mode on attach.sock (cwd becomes the
 * state dir): before the front end hears "ok", so that its `start` finds the
 * socket and an attach client connected before start misses no output. */
int monitor_listen(struct monitor *m, ts_error *err);

/* Serve shim.sock ("start"), relay the container's stdio in daemon mode, and
 * reap until the init exits; then drain the output, record the exit in
 * state.json, remove shim.sock and close the attach clients. In handoff mode: serve shim.sock
 * until the container has started (or its init died first), then leave. */
int monitor_serve(struct monitor *m, ts_error *err);
#endif
