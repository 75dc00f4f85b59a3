/* worker.h - a second thread, for work that can use another core */
#ifndef SHM_WORKER_H
#define SHM_WORKER_H

#include <pthread.h>
#include <stdbool.h>

/*
 * Runs fn(arg) on a thread of its own.  The thread takes no
 * asynchronous signal: HUP, INT, PIPE and TERM go to the main thread,
 * whose blocked reads they must interrupt.  It still gets the signals
 * its own faults raise (SIGBUS from a mapping, for segment_guard).
 * False if no thread can be had; the caller then does the work itself.
 */
bool	worker_start(pthread_t *, void *(*fn)(void *), void *arg);
/* More than one processor online: a worker would run beside us. */
bool	worker_useful(void);

#endif
