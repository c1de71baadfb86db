#ifndef TSRUN_TRACE_H
#define TSRUN_TRACE_H
/* Timing marks for profiling the create path, off unless $TSRUN_TRACE names a
 * file: each mark appends "<monotonic seconds> <pid> <what>\n" to it. A process
 * opens the file at its first mark and keeps it (the init, past pivot_root,
 * could not open it again). */
void ts_trace(const char *what);
#endif
