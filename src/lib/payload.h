/*
 * payload.h - the bytes one write puts into a segment: in memory (-s,
 * -x), a regular file whose length is known, or a stream (stream.h).
 */
#ifndef SHM_PAYLOAD_H
#define SHM_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/input.h"
#include "seg/map.h"
#include "lib/stream.h"

struct payload {
	const unsigned char	*buf;	/* in memory; NULL otherwise */
	uint64_t		 len;	/* all of it, or what was read */
	struct input		 in;	/* -i FILE or standard input */
	struct stream		 stream;
};

/* Bytes in memory, which must outlive the payload. */
void	payload_bytes(struct payload *, const void *buf, size_t len);
/*
 * FILE (NULL or "-": standard input), never the segment itself.  A
 * stream's first bytes are read now, up to limit + 1: more can never
 * fit.
 */
int	payload_open(struct payload *, struct segment *, const char *path,
	    uint64_t limit);
/*
 * Under the lock: an error unless what is known of the payload fits at
 * off (with grow, as far as a file can grow).  A stream is read on if
 * the segment grew since it was opened.
 */
int	payload_fits(struct payload *, struct segment *, uint64_t off,
	    bool grow);
/*
 * Claims the space and writes all of it at off, growing the segment if
 * it runs past the end and grow allows; a failure (a stream found too
 * long, too) leaves every byte and the size as they were.
 */
int	payload_store(struct payload *, struct segment *, uint64_t off,
	    bool grow);
void	payload_free(struct payload *);

#endif
