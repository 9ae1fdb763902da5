/* proc.c: the monotonic clock, the process's memory, the stop signals and
 * the reload signal. */
#include "proc.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested, reload_requested;

double
proc_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
proc_memory (int64_t *resident, int64_t *size)
{
    long pages = 0, in_core = 0;
    *resident = *size = 0;
    FILE *f = fopen ("/proc/self/statm", "r");
    if (!f)
        return -1;
    int got = fscanf (f, "%ld %ld", &pages, &in_core);
    fclose (f);
    if (got != 2)
        return -1;
    long page = sysconf (_SC_PAGESIZE);
    *size = (int64_t) pages * page;
    *resident = (int64_t) in_core * page;
    return 0;
}

/* Has HANDLER catch SIG (not restarting what it interrupts). */
static void
trap (int sig, void (*handler) (int))
{
    struct sigaction sa;
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset (&sa.sa_mask);
    sigaction (sig, &sa, NULL);
}

static void
on_stop (int sig)
{
    (void) sig;
    stop_requested = 1;
}

void
proc_trap_stop (void)
{
    trap (SIGTERM, on_stop);
    trap (SIGINT, on_stop);
    signal (SIGPIPE, SIG_IGN);
}

bool
proc_stopping (void)
{
    return stop_requested != 0;
}

static void
on_reload (int sig)
{
    (void) sig;
    reload_requested = 1;
}

void
proc_trap_reload (void)
{
    trap (SIGHUP, on_reload);
}

bool
proc_reload_requested (void)
{
    if (!reload_requested)
        return false;
    /* a SIGHUP from here on asks again: the file is read after this */
    reload_requested = 0;
    return true;
}
