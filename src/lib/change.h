/*
 * change.h - wait --change: a range of a segment, and whether it has
 * changed since it was first looked at.
 */
#ifndef SHM_CHANGE_H
#define SHM_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seg/map.h"

/* The largest range --change keeps a copy of, to compare with. */
#define CHANGE_RANGE_MAX	(64U << 20)

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
	size_t		 next;		/* where the next step compares */
	/*
	 * Data (no hole) when last asked: asking costs a walk to the
	 * extent's end, which for 64 MiB of data is longer than the
	 * compare.  Data stays data unless punched, which is reported.
	 */
	uint64_t	 data_from, data_to;
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
/* Looks again: *changed, or an error. */
int	change_look(struct change *, struct segment *, unsigned how,
	    bool *changed);
void	change_free(struct change *);

#endif
