/* follow.h - read --follow: tail -f for a segment */
#ifndef SHM_FOLLOW_H
#define SHM_FOLLOW_H

#include <stdbool.h>
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
 * (interrupt.h) stops it with SHM_FAIL and nothing said.  no_poll:
 * peers write only with write(2), so wait for the kernel's reports
 * and look unprompted only rarely (where there are reports).
 */
int	follow(struct segment *, uint64_t off, struct cursor *cur,
	    double timeout, bool no_poll);

#endif
