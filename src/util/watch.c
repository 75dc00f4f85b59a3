/* watch.c - sleeping between looks, with a deadline */
#include <errno.h>

#include "util/watch.h"

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
	w->cheap = 0;
	w->bounded = timeout >= 0;
	clock_gettime(CLOCK_MONOTONIC, &w->end);
	w->woke = w->end;
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
	clock_gettime(CLOCK_MONOTONIC, &w->woke);
	return true;
}

/*
 * CPU time, not time passed: on a busy machine a look that waited for
 * a core took no longer, and must not slow the next ones down.  But
 * reading it is a system call, as costly as a small look: it is read
 * only after a look that took long by the clock, and shared out over
 * the cheap looks since it was last read.  Each interval is set anew,
 * so one slow look slows only the next.
 */
void
watch_pace(struct watch *w)
{
	struct timespec now;
	long long ns, cpu;

	w->interval = WATCH_INTERVAL_NS;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(now.tv_sec - w->woke.tv_sec) * 1000000000LL +
	    (now.tv_nsec - w->woke.tv_nsec);
	if (ns <= WATCH_INTERVAL_NS / 20) {
		w->cheap++;
		return;
	}
	cpu = cpu_used();
	ns = (cpu - w->cpu) / (w->cheap + 1);
	w->cpu = cpu;
	w->cheap = 0;
	if (ns > WATCH_INTERVAL_NS / 20)
		w->interval = ns < 1000000000LL / 20 ? (long)(ns * 20) :
		    1000000000L;
}
