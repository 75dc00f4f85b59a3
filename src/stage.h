/*
 * stage.h - a stream set aside before it is written, so that a write
 * from a pipe fits whole or changes nothing, in bounded memory.
 */
#ifndef SHM_STAGE_H
#define SHM_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "map.h"

struct stage {
	unsigned char	*buf;		/* a small stream, whole */
	size_t		 buffered;
	int		 fd;		/* a large one spills here; or -1 */
	uint64_t	 len;		/* bytes read so far */
	bool		 eof;		/* len is all the stream had */
	bool		 no_splice;	/* the input is no pipe: read it */
};

void	stage_init(struct stage *);
/*
 * Reads on from in until its end or until more than limit bytes are
 * set aside (more than limit can never fit); a later call with a larger
 * limit goes on where this one stopped.
 */
int	stage_read(struct segment *, struct stage *, struct input *,
	    uint64_t limit);
/* Writes all st->len bytes into the segment at off. */
int	stage_write(struct segment *, struct stage *, uint64_t off);
void	stage_free(struct stage *);

#endif
