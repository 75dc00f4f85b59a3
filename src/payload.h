/*
 * payload.h - the bytes one write puts into a segment: in memory (-s,
 * -x), a regular file whose length is known, or a stream read whole
 * before the segment is locked.
 */
#ifndef SHM_PAYLOAD_H
#define SHM_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "map.h"
#include "stage.h"

struct payload {
	const unsigned char	*buf;	/* in memory; NULL otherwise */
	uint64_t		 len;	/* all of it, or what was read */
	struct input		 in;	/* -i FILE or standard input */
	struct stage		 stream;
};

/* Bytes in memory, which must outlive the payload. */
void	payload_bytes(struct payload *, const void *buf, size_t len);
/*
 * FILE (NULL or "-": standard input), never the segment itself.  A
 * stream is read now, up to limit + 1 bytes: more can never fit.
 */
int	payload_open(struct payload *, struct segment *, const char *path,
	    uint64_t limit);
/* Under the lock: the segment grew, so read a stream on up to room. */
int	payload_read_on(struct payload *, struct segment *, uint64_t room);
/* A stream whose end was not reached: it holds more than len. */
bool	payload_has_more(const struct payload *);
/*
 * Claims the space and writes all of it at off, growing the segment if
 * it runs past the end; a failure leaves the size as it was.
 */
int	payload_store(struct payload *, struct segment *, uint64_t off);
void	payload_free(struct payload *);

#endif
