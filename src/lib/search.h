/* search.h - finding bytes in a segment, in linear time */
#ifndef SHM_SEARCH_H
#define SHM_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seg/map.h"

enum search_mode {
	SEARCH_FIRST,		/* Python's find */
	SEARCH_LAST,		/* rfind */
	SEARCH_ALL,		/* every match, not overlapping */
};

struct search {
	struct segment		*seg;
	const unsigned char	*needle;
	size_t			 len;
	uint64_t		 start, end;	/* matches in [start, end) */
	enum search_mode	 mode;
	/* Called with each match's offset; a non-zero return stops. */
	int			(*emit)(void *ctx, uint64_t off);
	void			*ctx;
};

/* SHM_OK with *found set, or SHM_FAIL after a message. */
int	search_run(const struct search *, bool *found);

#endif
