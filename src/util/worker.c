/* worker.c - a second thread, for work that can use another core */
#include <signal.h>
#include <unistd.h>

#include "util/worker.h"

bool
worker_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	sigset_t async, old;
	bool started;

	sigfillset(&async);
	/* Blocked, these would kill the process when a fault raised them. */
	sigdelset(&async, SIGBUS);
	sigdelset(&async, SIGSEGV);
	sigdelset(&async, SIGFPE);
	sigdelset(&async, SIGILL);
	if (pthread_sigmask(SIG_BLOCK, &async, &old) != 0)
		return false;
	started = pthread_create(thread, NULL, fn, arg) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return started;
}

bool
worker_useful(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}
