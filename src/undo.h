/*
 * undo.h - what a write overwrites, kept so that it can be put back.
 *
 * For writes whose length is known only at their end: a stream is
 * written as it comes, and too long a stream, an error or an interrupt
 * must still leave the segment as it was.
 */
#ifndef SHM_UNDO_H
#define SHM_UNDO_H

#include <stdint.h>

#include "map.h"

struct undo;

/* Ready to keep what the segment holds from off on; NULL if no memory. */
struct undo *undo_begin(struct segment *, uint64_t off);
/*
 * Returns once [off, upto) is kept (nothing need be kept past the old
 * size), so that it may be overwritten; an error if it cannot be.
 */
int	undo_keep(struct undo *, uint64_t upto);
/* Puts back every byte kept, and the old size.  This always finishes. */
void	undo_put_back(struct undo *);
void	undo_end(struct undo *);

#endif
