/*
 * watch.h - the pace of waiting for a segment to change.
 *
 * A store through a peer's mapping is reported to nobody (inotify sees
 * no write that does not go through write(2)), so waiting means
 * looking again.  Every millisecond: a look is a stat of the name and
 * a pread, a few microseconds, so an idle wait costs about 1% of one
 * core here and sees a change within about a millisecond.
 */
#ifndef SHM_WATCH_H
#define SHM_WATCH_H

#include <stdbool.h>
#include <time.h>

#define WATCH_INTERVAL_NS	1000000L

struct watch {
	struct timespec	 end;
	bool		 bounded;
	long		 interval;	/* ns between looks */
	struct timespec	 woke;		/* when the last sleep ended */
	long long	 cpu;		/* ns of CPU used, when last read */
	long long	 cheap;		/* quick looks since then */
};

/* Starts a wait of at most timeout seconds (negative: no bound). */
void	watch_start(struct watch *, double timeout);
/* Sleeps until the next look; false once the time is up. */
bool	watch_sleep(struct watch *);
/*
 * Called once a look: looks that take long (a large range) are spaced
 * out, so that looking takes a twentieth of one core at most.
 */
void	watch_pace(struct watch *);

#endif
