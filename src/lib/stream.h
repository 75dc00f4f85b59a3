/*
 * stream.h - a write from a pipe, all of it or nothing, in bounded
 * memory.
 */
#ifndef SHM_STREAM_H
#define SHM_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/input.h"
#include "seg/map.h"

struct stream {
	unsigned char	*buf;		/* its first bytes; all of a small one */
	size_t		 buffered;
	uint64_t	 len;		/* bytes read so far */
	bool		 eof;		/* len is all the stream had */
	bool		 too_long;	/* stream_write found more than room */
	int		 unsaid;	/* stream.c's: why it stopped */
	uint64_t	 need;		/* it overwrites up to here at least */
};

void	stream_init(struct stream *);
/*
 * Before the lock: reads from in into memory until its end, more than
 * limit bytes (which can never fit) or a buffer's worth; a later call
 * with a larger limit goes on where this one stopped.
 */
int	stream_read(struct stream *, struct input *, uint64_t limit);
/*
 * Under the lock: writes what was read, then the rest of in, at off.
 * A stream of more than room bytes (too_long is then set), an error,
 * no room for the copy of what it overwrites, or an interrupt puts
 * back every byte, every hole and the size the segment had, then says
 * so in one line (too_long: the caller does).
 */
int	stream_write(struct segment *, struct stream *, struct input *,
	    uint64_t off, uint64_t room);
void	stream_free(struct stream *);

#endif
