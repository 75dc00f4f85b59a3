/* hexdump.h - stream bytes out as `hexdump -C` or `xxd` lines */
#ifndef SHM_HEXDUMP_H
#define SHM_HEXDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Output is batched: one write(2) per this many bytes of text. */
#define HEXDUMP_BUFSIZE	(256 * 1024)

enum hexdump_format {
	HEXDUMP_CANONICAL,	/* util-linux hexdump -C */
	HEXDUMP_XXD		/* xxd */
};

struct hexdump_options {
	enum hexdump_format	 format;
	bool			 squeeze;	/* hexdump -C sans -v; xxd -a */
	bool			 color;		/* ANSI colours by byte class */
};

/*
 * Public so that a caller can keep one on its stack (a little over
 * HEXDUMP_BUFSIZE bytes); only hexdump.c touches the fields.
 */
struct hexdump {
	struct hexdump_options	 options;
	int			 fd;
	uint64_t		 off;		/* offset of the next line */
	uint64_t		 run;		/* lines squeezed so far */
	bool			 have_last;
	unsigned char		 last[16];	/* last full line, to compare */
	unsigned char		 line[16];	/* a line split across feeds */
	size_t			 line_len;
	bool			 vector;	/* the CPU has SSSE3 */
	size_t			 out_len;
	char			 out[HEXDUMP_BUFSIZE];
};

/*
 * Lines are numbered from start, as by `hexdump -C -s start`; start
 * plus the bytes fed must stay below 2^64.
 */
void	hexdump_init(struct hexdump *, const struct hexdump_options *,
	    uint64_t start, int fd);

/*
 * Any number of bytes, none included (buf may then be NULL); lines may
 * span calls.  Returns 0, or -1 with errno set when write(2) failed,
 * after which the dump is unusable.
 */
int	hexdump_feed(struct hexdump *, const unsigned char *buf, size_t len);

/* Call once: the short last line, the closing lines, the flush. */
int	hexdump_finish(struct hexdump *);

#endif
