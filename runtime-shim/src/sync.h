/* Messages between the monitor and the init stages (or the exec helper and its
 * child) over a SOCK_SEQPACKET socketpair: one text message per packet, so no
 * framing is needed, and the peer's exit (or its exec, the init end being
 * close-on-exec) reads as EOF.
 *
 * Create (monitor <-> init), in order:
 *   init    "init"            stage 1 runs from the memfd copy
 *   monitor "go"              stage 1 is in the container's cgroup
 *   init    "idmap"           (new user ns only) write my uid_map/gid_map
 *   monitor "mapped"
 *   init    "pid N"           stage 2's pid in the monitor's pid namespace; stage 1 exits
 *   monitor "pid-ok"          stage 2 starts only now, so it never talks before stage 1 is done
 *   init    "ready"           rootfs is set up: run prestart and createRuntime hooks
 *   monitor "hooks JSON"      done; JSON is the state for createContainer hooks
 *   init    "created"         waiting for start
 *   monitor "start JSON"      JSON is the state for startContainer hooks
 *   init    EOF               the container process exec'd
 * Either side may send "error MESSAGE" instead, and then exits. */
#ifndef TS_SYNC_H
#define TS_SYNC_H
#include <sys/types.h>
#include "error.h"

/* Both ends close-on-exec. */
int sync_socketpair(int fds[2], ts_error *err);

int sync_send(int fd, const char *msg, ts_error *err);
int sync_sendf(int fd, ts_error *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "error <err->msg>", best effort: the peer may be gone already. */
void sync_send_error(int fd, const ts_error *e);

/* One message into *msg (malloc'ed, NUL-terminated): returns its length, 0 on
 * EOF (*msg NULL). "error TEXT" from the peer returns -1 with TEXT in err. */
int sync_recv(int fd, char **msg, ts_error *err);

/* Receive message `want` (alone or followed by " PAYLOAD"); *payload (if not
 * NULL) gets a malloc'ed copy of PAYLOAD, or NULL when there is none.
 * EOF and any other message are errors. */
int sync_expect(int fd, const char *want, char **payload, ts_error *err);

/* Connect to the unix socket at path (SOCK_STREAM, SOCK_SEQPACKET), close-on-exec. Returns the fd. */
int unix_connect(const char *path, int type, ts_error *err);

/* Receive a pty master (SCM_RIGHTS, runc's --console-socket message; the
 * payload, the pty's name, is not needed). Returns the fd, close-on-exec. */
int unix_recv_fd(int sock, ts_error *err);

/* write(2) that fails with EPIPE instead of raising SIGPIPE when the reader is gone. */
ssize_t write_nosigpipe(int fd, const void *buf, size_t len);

/* One line to a front end's pipe or socket, without dying of SIGPIPE if the
 * reader is gone. */
int sync_write_line(int fd, ts_error *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#endif
