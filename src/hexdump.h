/* hexdump.h - stream bytes out as `hexdump -C` or `xxd` lines */
#ifndef SHM_HEXDUMP_H
#define SHM_HEXDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Output is batched: one write(2) per this many bytes of text. */
#define HEXDUMP_BUFSIZE	(256 * 1024)

enum hexdump_format {
	HEXDUMP_CANONICAL,	/* util-linux hexdump -C (-v) */
	HEXDUMP_XXD		/* xxd (-a) */
};

struct hexdump_options {
	enum hexdump_format	 format;
	bool			 squeeze;	/* hexdump -C without -v; xxd -a */
	bool			 color;		/* ANSI colours by byte class */
};

/*
 * Public so that a caller can keep it on its stack (it is a little over
 * HEXDUMP_BUFSIZE bytes); only this module touches the fields.
 */
struct hexdump {
	struct hexdump_options	 opt;
	int			 fd;
	uint64_t		 off;		/* offset of the next line */
	uint64_t		 run;		/* lines in the squeezable run */
	bool			 have_prev;	/* prev holds a shown line */
	size_t			 linelen;	/* bytes waiting in line */
	unsigned char		 line[16];	/* a line split across feeds */
	unsigned char		 prev[16];
	size_t			 outlen;
	char			 out[HEXDUMP_BUFSIZE];
};

/* Lines are numbered from start, as with `hexdump -C -s start`. */
void	hexdump_init(struct hexdump *, const struct hexdump_options *,
	    uint64_t start, int fd);

/*
 * Any number of bytes, 0 included; lines may span calls.  Returns 0, or
 * -1 with errno set when write(2) failed; the dump is then unusable.
 */
int	hexdump_feed(struct hexdump *, const unsigned char *buf, size_t len);

/* Writes the last partial line and the closing lines; 0 or -1 as above. */
int	hexdump_finish(struct hexdump *);

#endif
