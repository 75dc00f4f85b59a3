/*
 * watch.h - the pace of waiting for a segment to change.
 *
 * A store through a peer's mapping is reported to nobody (inotify sees
 * no write that does not go through write(2)), so waiting means
 * looking again.  Every millisecond: a look at a small range is a
 * compare and the one system call that sleeps (measured here, 10 to
 * 40 us under load, about 1% of a core idle), and a change is seen
 * within about a millisecond.  What the kernel does report (seg/map.h's
 * segment_notify) wakes a waiter at once, but no sooner than the pace
 * allows, so that a flood of reports costs no more than looking does.
 */
#ifndef SHM_WATCH_H
#define SHM_WATCH_H

#include <stdbool.h>
#include <time.h>

#define WATCH_INTERVAL_NS	1000000L
/* Between looks when peers are said to change nothing through a map. */
#define WATCH_RARE_NS		1000000000L

struct watch {
	struct timespec	 end;
	bool		 bounded;
	long		 base;		/* ns between looks at the least */
	long		 interval;	/* ns between looks, unprompted */
	long		 gap;		/* ns after a look before any other */
	struct timespec	 woke;		/* when the last sleep ended */
	struct timespec	 looked;	/* when the last look ended */
	bool		 paced;		/* watch_pace since the last wake */
	long long	 cpu;		/* ns of CPU used, when last read */
	long long	 cheap;		/* quick looks since then */
};

/* Starts a wait of at most timeout seconds (negative: no bound). */
void	watch_start(struct watch *, double timeout);
/*
 * Looks only every WATCH_RARE_NS unprompted: for a wait that is told
 * of every change, and looks only for what it might not be told of.
 */
void	watch_rarely(struct watch *);
/* Looks every ns unprompted at the least (watch -i), not every ms. */
void	watch_every(struct watch *, long ns);
/*
 * When the next look may come: not before *soonest, and unprompted at
 * *due (never past the end).  False once the time is up.
 */
bool	watch_next(const struct watch *, struct timespec *soonest,
	    struct timespec *due);
/* Sleeps until t (CLOCK_MONOTONIC), whatever signal comes. */
void	watch_sleep_until(const struct timespec *t);
/* Notes that the sleep before a look has ended. */
void	watch_woke(struct watch *);
/* Sleeps until the next look is due; false once the time is up. */
bool	watch_sleep(struct watch *);
/*
 * Called once a look: looks that take long (a large range) are spaced
 * out, so that looking takes a twentieth of one core at most.
 */
void	watch_pace(struct watch *);

#endif
