/* input.h - where bytes come from: a file, or standard input */
#ifndef SHM_INPUT_H
#define SHM_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct input {
	int		 fd;
	const char	*name;		/* for messages */
	bool		 sized;		/* a regular file: len is known */
	uint64_t	 len;		/* bytes from its offset to its end */
};

/* PATH, or standard input for "-" or NULL. */
int	input_open(struct input *, const char *path);
void	input_close(struct input *);
/* A stream read into memory, perhaps in several goes. */
struct slurp {
	unsigned char	*buf;		/* the caller frees it */
	size_t		 len, cap;
	bool		 eof;		/* len is all the stream had */
};

/*
 * Reads on into s until end of file or until s->len exceeds limit: more
 * than limit bytes can never fit where they go.  A later call with a
 * larger limit goes on where this one stopped.
 */
int	input_slurp(struct input *, uint64_t limit, struct slurp *s);

#endif
