/* watch.c - sleeping between looks, with a deadline */
#include <errno.h>

#include "util/watch.h"

/* A look that takes no longer than this by the clock is cheap. */
#define CHEAP_NS	(WATCH_INTERVAL_NS / 20)
/*
 * After a cheap look, before a prompted one: its time by the clock
 * would do, but a look the scheduler held up would then hold up the
 * next report.  At most 10,000 cheap looks a second, a few percent of
 * a core, however fast the reports come.
 */
#define CHEAP_GAP_NS	(WATCH_INTERVAL_NS / 10)

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
	w->base = w->interval = WATCH_INTERVAL_NS;
	w->gap = 0;
	w->cpu = cpu_used();
	w->cheap = 0;
	w->bounded = timeout >= 0;
	clock_gettime(CLOCK_MONOTONIC, &w->end);
	w->woke = w->looked = w->end;
	w->paced = true;
	if (w->bounded)
		add_ns(&w->end, (long long)(timeout * 1e9));
}

void
watch_rarely(struct watch *w)
{
	w->base = w->interval = WATCH_RARE_NS;
}

void
watch_every(struct watch *w, long ns)
{
	w->base = w->interval = ns;
}

bool
watch_next(const struct watch *w, struct timespec *soonest,
    struct timespec *due)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (w->bounded && !before(&now, &w->end))
		return false;
	/* A caller that does not pace its looks counts from now. */
	*soonest = *due = w->paced ? w->looked : now;
	add_ns(soonest, w->gap);
	add_ns(due, w->interval);
	if (w->bounded && before(&w->end, due))
		*due = w->end;
	if (before(due, soonest))
		*soonest = *due;
	return true;
}

void
watch_sleep_until(const struct timespec *t)
{
	struct timespec now;

	/* Often come already (no gap): reading the clock is no system call. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!before(&now, t))
		return;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) ==
	    EINTR)
		;
}

void
watch_woke(struct watch *w)
{
	clock_gettime(CLOCK_MONOTONIC, &w->woke);
	w->paced = false;
}

bool
watch_sleep(struct watch *w)
{
	struct timespec soonest, due;

	if (!watch_next(w, &soonest, &due))
		return false;
	watch_sleep_until(&due);
	watch_woke(w);
	return true;
}

/*
 * CPU time, not time passed: on a busy machine a look that waited for
 * a core took no longer, and must not slow the next ones down.  But
 * reading it is a system call, as costly as a small look: it is read
 * only after a look that took long by the clock, and shared out over
 * the cheap looks since it was last read.  Each interval is set anew,
 * so one slow look slows only the next.  The gap keeps even prompted
 * looks (a report of a write) to a twentieth of a core.
 */
void
watch_pace(struct watch *w)
{
	long long ns, cpu;

	clock_gettime(CLOCK_MONOTONIC, &w->looked);
	w->paced = true;
	ns = (long long)(w->looked.tv_sec - w->woke.tv_sec) * 1000000000LL +
	    (w->looked.tv_nsec - w->woke.tv_nsec);
	w->interval = w->base;
	w->gap = CHEAP_GAP_NS;
	if (ns <= CHEAP_NS) {
		w->cheap++;
		return;
	}
	cpu = cpu_used();
	ns = (cpu - w->cpu) / (w->cheap + 1);
	w->cpu = cpu;
	w->cheap = 0;
	ns = ns < 1000000000LL / 20 ? ns : 1000000000LL / 20;
	w->gap = (long)(ns * 19);
	if (ns * 20 > w->base)
		w->interval = (long)(ns * 20);
}
