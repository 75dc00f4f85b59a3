/*
 * watching.h - shm watch's loop: looks at a range of a segment as wait
 * --change does (change.h, at watch.h's pace, woken by notify's
 * reports), and hands what it sees to a sink: the change log or the
 * live view.
 */
#ifndef SHM_WATCHING_H
#define SHM_WATCHING_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "lib/change.h"
#include "seg/map.h"

/* What ends a watch besides a sink's SHM_DONE. */
enum watching_end {
	WATCHING_REMOVED,	/* the name names nothing now */
	WATCHING_REPLACED,	/* it names another segment */
};

/*
 * What a watch hands over.  Each returns SHM_OK to go on, SHM_DONE to
 * end the watch (status 0), or an error.  time is the look's, by the
 * clock (CLOCK_REALTIME), the same for all it saw.
 */
struct watching_sink {
	/* A run of changed bytes (change.h): at is in the range. */
	change_emit	*run;
	/* The segment's size changed into or out of the range. */
	int	(*resized)(void *ctx, uint64_t from, uint64_t to);
	/* The watch ends so. */
	int	(*ended)(void *ctx, enum watching_end);
	/* After each look (or instead of it, while paused). */
	int	(*looked)(void *ctx, const struct change *);
	void	*ctx;
};

struct watching {
	struct segment		*seg;
	struct change		 c;
	struct timespec		 time;		/* the look's, CLOCK_REALTIME */
	bool			 paused;	/* set by a sink: no looks */
};

/*
 * Watches [offset, +length) of seg (as change_start takes them) until
 * timeout seconds pass (negative: no bound), a sink says SHM_DONE, or
 * the name goes; a look unprompted every interval_ns at the least (0:
 * watch.h's pace).  SHM_OK, or an error.
 */
int	watching_run(struct watching *, struct segment *, const char *offset,
	    uint64_t length, double timeout, long interval_ns,
	    const struct watching_sink *);

/* "2026-12-05T14:03:07.123456Z", t (CLOCK_REALTIME) in UTC. */
#define WATCHING_TIME_LEN	28
void	watching_format_time(const struct timespec *t, char *buf);

#endif
