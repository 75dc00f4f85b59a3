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
	size_t		 next;		/* where the next step compares */
};

/* How much of the range a look compares. */
enum change_look {
	LOOK_NAME,	/* none: the name and the size only */
	LOOK_STEP,	/* the next step of a round through it */
	LOOK_ALL,	/* all of it */
};

/* Takes the first look: offset as the user typed it (NULL: 0). */
int	change_start(struct change *, struct segment *, const char *offset,
	    uint64_t length);
/* Looks again: *changed, or an error. */
int	change_look(struct change *, struct segment *, enum change_look,
	    bool *changed);
void	change_free(struct change *);

#endif
