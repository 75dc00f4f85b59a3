/* follow.h - read --follow: tail -f for a segment */
#ifndef SHM_FOLLOW_H
#define SHM_FOLLOW_H

#include <stdint.h>

#include "lib/cursor.h"
#include "seg/map.h"

/*
 * Copies the segment from off to its end to standard output, then what
 * is added, as it is added, until NAME is removed or replaced (SHM_OK),
 * or timeout seconds pass with nothing new (SHM_NOMATCH; negative: no
 * bound).  With cur (not NULL, opened to move), the cursor follows
 * what each write(2) accepted, so a consumer started again goes on from
 * there.  A segment cut short or rewritten before the position is
 * followed again from 0, with a line on stderr.  A caught signal
 * (interrupt.h) stops it with SHM_FAIL and nothing said.
 */
int	follow(struct segment *, uint64_t off, struct cursor *cur,
	    double timeout);

#endif
