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
#endif
