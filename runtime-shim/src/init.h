/* `tsrun __init --state-dir DIR --sync-fd N [--console-fd M] [--preserve-fds K]`:
 * the container init, exec'd by the monitor from a sealed memfd copy of this
 * binary. Stage 1 joins and creates the namespaces, forks stage 2 (pid 1 of a
 * new pid namespace) and exits; stage 2 builds the container and waits for
 * start. Both talk to the monitor over the sync socket (sync.h has the order).
 * Returns the exit code. */
#ifndef TS_INIT_H
#define TS_INIT_H
int cmd_init(int argc, char **argv);
#endif
