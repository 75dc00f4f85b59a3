/*
 * change.h - wait --change and watch: a range of a segment, and
 * whether (or where) it has changed since it was last looked at.
 */
#ifndef SHM_CHANGE_H
#define SHM_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "seg/map.h"

/* The largest range --change keeps a copy of, to compare with. */
#define CHANGE_RANGE_MAX	(64U << 20)

/*
 * Runs of changed bytes fewer than this many unchanged bytes apart are
 * handed over as one (watch(1) says so).
 */
#define CHANGE_GAP	16

/*
 * A run of len changed bytes at `at` in the range: was as the copy
 * held them, now as they are.  Nonzero stops the look, and is its
 * result.
 */
typedef int change_emit(void *ctx, size_t at, const unsigned char *was,
    const unsigned char *now, size_t len);

/*
 * [off, end) as asked (end UINT64_MAX: to the end, however far that
 * goes), and what of it the segment held at the start.
 */
struct change {
	uint64_t	 off, end;
	uint64_t	 size;		/* the segment's, at the start */
	size_t		 len;		/* of the range inside it */
	unsigned char	*was;
	struct window	 map;		/* the range, mapped */
	unsigned char	*buf;		/* or a step of it, read */
	unsigned char	*run;		/* a run's bytes, as emitted */
	size_t		 run_cap;
	size_t		 next;		/* where the next step compares */
	/*
	 * Data (no hole) when last asked: asking costs a walk to the
	 * extent's end, which for 64 MiB of data is longer than the
	 * compare.  Data stays data unless punched, which is reported.
	 */
	uint64_t	 data_from, data_to;
	/* Set after change_start: each run that differs; NULL: wait's. */
	change_emit	*emit;
	void		*ctx;
};

/* What a look looks at, as bits. */
enum change_look {
	LOOK_NAME	= 1,	/* the name and the size */
	LOOK_STEP	= 2,	/* the next step of a round through the range */
	LOOK_ALL	= 4,	/* all of it, after a report of a write */
};

/* Takes the first look: offset as the user typed it (NULL: 0). */
int	change_start(struct change *, struct segment *, const char *offset,
	    uint64_t length);
/*
 * Looks again: *changed, or an error.  With an emit, the runs that
 * differ are handed to it and taken into the copy, and all of the
 * look's bytes are compared; without, the first difference ends it.
 */
int	change_look(struct change *, struct segment *, unsigned how,
	    bool *changed);
/*
 * Whether a segment of size (a new one) changes the range: grown into
 * it or cut short in it; for an empty range, any size.
 */
bool	change_resized(const struct change *, uint64_t size);
/*
 * After the segment's size changed (seg->size): fits the range to it,
 * the part grown into it taken as zeros, which the next LOOK_ALL
 * compares with what is there.
 */
int	change_resize(struct change *, struct segment *);
/*
 * What to look at after the reports *what (notify's) came: a report of
 * a write compares all the range; a look that is due, the next step of
 * it, unless rarely (the peers write only with write(2)).  The name
 * (and the size) is looked at each look, or once a second where the
 * kernel reports what happens to it (*named: when it last was).
 */
unsigned change_how(unsigned what, bool rarely,
	    const struct segment_notify *, struct timespec *named);
void	change_free(struct change *);

#endif
