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

void
watch_start(struct watch *w, double timeout)
{
	w->interval = WATCH_INTERVAL_NS;
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

void
watch_slow_down(struct watch *w, const struct timespec *took)
{
	long long ns = (long long)took->tv_sec * 1000000000LL + took->tv_nsec;

	/* A look of 5 ms every 100 ms: no more than 5% of a core. */
	if (ns * 20 > w->interval)
		w->interval = (long)(ns * 20 < 1000000000LL ? ns * 20 :
		    1000000000LL);
}
