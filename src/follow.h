/* follow.h - read --follow: tail -f for a segment */
#ifndef SHM_FOLLOW_H
#define SHM_FOLLOW_H

#include <stdint.h>

#include "cursor.h"
#include "map.h"

/*
 * Copies the segment from off to its end to standard output, then what
 * is added, as it is added, until NAME is removed or replaced (SHM_OK),
 * or timeout seconds pass with nothing new (SHM_NOMATCH; negative: no
 * bound).  With cur (not NULL, opened to move), the cursor follows
 * what was copied, so a consumer started again goes on from there.
 */
int	follow(struct segment *, uint64_t off, struct cursor *cur,
	    double timeout);

#endif
