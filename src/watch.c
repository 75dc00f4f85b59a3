/* watch.c - sleeping between looks, with a deadline */
#include <errno.h>

#include "watch.h"

static void
add_ns(struct timespec *t, long long ns)
{
	t->tv_sec += (time_t)(ns / 1000000000LL);
	t->tv_nsec += (long)(ns % 1000000000LL);
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static bool
before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* The CPU time this process has used, in ns; 0 where it is not known. */
static long long
cpu_used(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0)
		return 0;
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

void
watch_start(struct watch *w, double timeout)
{
	w->interval = WATCH_INTERVAL_NS;
	w->cpu = cpu_used();
	w->bounded = timeout >= 0;
	clock_gettime(CLOCK_MONOTONIC, &w->end);
	if (w->bounded)
		add_ns(&w->end, (long long)(timeout * 1e9));
}

bool
watch_sleep(struct watch *w)
{
	struct timespec now, next;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (w->bounded && !before(&now, &w->end))
		return false;
	next = now;
	add_ns(&next, w->interval);
	if (w->bounded && before(&w->end, &next))
		next = w->end;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) ==
	    EINTR)
		;
	return true;
}

/*
 * CPU time, not time passed: on a busy machine a look that waited for
 * a core took no longer, and must not slow the next ones down.  Each
 * interval is set anew, so one slow look slows only the next.
 */
void
watch_pace(struct watch *w)
{
	long long now = cpu_used(), ns = now - w->cpu;

	w->cpu = now;
	w->interval = WATCH_INTERVAL_NS;
	if (ns > WATCH_INTERVAL_NS / 20)
		w->interval = ns < 1000000000LL / 20 ? (long)(ns * 20) :
		    1000000000L;
}
