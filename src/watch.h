/*
 * watch.h - the pace of waiting for a segment to change.
 *
 * A store through a peer's mapping is reported to nobody (inotify sees
 * no write that does not go through write(2)), so waiting means
 * looking again.  Every millisecond: a look is a pread or an fstat of
 * a few microseconds, so an idle wait costs about 1% of one core here
 * and sees a change within about a millisecond.
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
};

/* Starts a wait of at most timeout seconds (negative: no bound). */
void	watch_start(struct watch *, double timeout);
/* Sleeps until the next look; false once the time is up. */
bool	watch_sleep(struct watch *);
/* Looks take long (a large range): keep them to a small share. */
void	watch_slow_down(struct watch *, const struct timespec *took);

#endif
