/* `tsrun __monitor --state-dir DIR --sync-fd N [--console-socket PATH] [--preserve-fds N]
 * [--log-path FILE ...]`: the per-container monitor (shim-proto.h). Creates the
 * container, answers the front end on the sync fd, then serves
 * <stateDir>/shim.sock (and in daemon mode relays the container's stdio) and
 * reaps until the container's init exits. Returns the exit code. */
#ifndef TS_MONITOR_H
#define TS_MONITOR_H
int cmd_monitor(int argc, char **argv);
#endif
