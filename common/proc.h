/* proc.h: what esc and escd ask of the process: a clock, its memory, a
 * clean stop, and (escd) a reload.
 *
 * A long-running loop (escd serving, esc watching) traps SIGTERM and SIGINT
 * with proc_trap_stop and checks proc_stopping between steps; blocking
 * calls (zmq_poll, nanosleep) return early with EINTR because the handler
 * is installed without SA_RESTART. SIGPIPE is ignored: a closed pipe is an
 * error return, not a death. A daemon that re-reads its settings traps
 * SIGHUP with proc_trap_reload, likewise, and looks with
 * proc_reload_requested. */
#ifndef ESC_PROC_H
#define ESC_PROC_H

#include <stdbool.h>
#include <stdint.h>

/* Milliseconds on the monotonic clock. */
double proc_now_ms (void);

/* The process's resident set and virtual size, in bytes, from
 * /proc/self/statm (a read of one small file). Returns 0, or -1 with both
 * 0 where it cannot be read. */
int proc_memory (int64_t *resident, int64_t *size);

void proc_trap_stop (void);
/* True once SIGTERM or SIGINT arrived. */
bool proc_stopping (void);

void proc_trap_reload (void);
/* True once for each SIGHUP (several before a look count as one). */
bool proc_reload_requested (void);

#endif
