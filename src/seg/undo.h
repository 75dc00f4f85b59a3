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

#include "seg/map.h"

struct undo;

/* Ready to keep what the segment holds from off on; NULL if no memory. */
struct undo *undo_begin(struct segment *, uint64_t off);
/*
 * Keeps [off, upto) (nothing need be kept past the old size) and
 * returns how far the segment may now be overwritten: upto, or less
 * where the copy could go no further.  Then undo_fail says why, if
 * the write turns out to need more.
 */
uint64_t undo_keep(struct undo *, uint64_t upto);
/*
 * Why the copy stopped short, once the write knows that it overwrites
 * up to need at least: "no room to keep a copy of the N bytes...".
 */
int	undo_fail(struct undo *, uint64_t need);
/*
 * Puts back every byte kept, every hole, and the old size.  This
 * always finishes; SHM_FAIL after a message if a byte could not be.
 */
int	undo_put_back(struct undo *);
void	undo_end(struct undo *);

#endif
