/* hexdump.h - stream bytes out as `hexdump -C` or `xxd` lines */
#ifndef SHM_HEXDUMP_H
#define SHM_HEXDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hexdump_format {
	HEXDUMP_CANONICAL,	/* util-linux hexdump -C */
	HEXDUMP_XXD		/* xxd */
};

struct hexdump_options {
	enum hexdump_format	 format;
	bool			 squeeze;	/* hexdump -C sans -v; xxd -a */
	bool			 color;		/* ANSI colours by byte class */
	bool			 scalar;	/* never the SSSE3 path: tests */
};

/* A dump in progress. */
struct hexdump;

/*
 * Where the text goes, a buffer at a time: write(2) to one descriptor,
 * or (shm dump on two cores) a wait for this dump's turn first.
 * Returns 0, or -1 with errno set.
 */
typedef int hexdump_sink(void *arg, const char *text, size_t len);

/*
 * Lines are numbered from start, as by `hexdump -C -s start`; start
 * plus the bytes fed must stay below 2^64.  Text is batched in a buffer
 * of room bytes (at least HEXDUMP_ROOM_MIN) and goes out by sink(arg).
 * NULL if out of memory.
 */
struct hexdump *hexdump_new(const struct hexdump_options *, uint64_t start,
	    size_t room, hexdump_sink *sink, void *arg);
void	hexdump_free(struct hexdump *);

/* The least room, and the room that len bytes' text never overflows. */
#define HEXDUMP_ROOM_MIN	(64 * 1024)
size_t	hexdump_room(size_t len);

/* The squeeze looks back this far: see hexdump_resume. */
#define HEXDUMP_RESUME_BYTES	64

/*
 * Any number of bytes, none included (buf may then be NULL); lines may
 * span calls.  Returns 0, or -1 with errno set when write(2) failed,
 * after which the dump is unusable.
 */
int	hexdump_feed(struct hexdump *, const unsigned char *buf, size_t len);
/*
 * The same for len bytes that are all zeros (a hole's): where they
 * only lengthen a squeezed run, nothing of them is looked at.
 */
int	hexdump_feed_zeros(struct hexdump *, const unsigned char *zeros,
	    size_t len);

/* Sends what text is buffered to the sink. */
int	hexdump_flush(struct hexdump *);

/*
 * Goes on at off, a whole number of lines past start, as if fed all the
 * bytes before it, of which before holds the last before_len: as many
 * as HEXDUMP_RESUME_BYTES, fewer only where the dump started closer.
 * For a dump cut in pieces that two threads format, each with its own
 * hexdump.  Nothing may be buffered: flush first.
 */
void	hexdump_resume(struct hexdump *, uint64_t off,
	    const unsigned char *before, size_t before_len);

/* Call once: the short last line, the closing lines, the flush. */
int	hexdump_finish(struct hexdump *);

/*
 * Room for one line of hexdump_line: the prefix, the widest offset, the
 * columns, and a mark (up to 8 bytes) and a reset around each of the 32
 * pairs and characters.
 */
#define HEXDUMP_LINE_MAX	(1 + 16 + 2 + 51 + 16 + 2 + 2 * 16 * (8 + 4))

/*
 * One hexdump -C line of n bytes (1 to 16) at off, after the character
 * prefix (shm diff's '-', '+' or ' '), into out (HEXDUMP_LINE_MAX).
 * With a mark (an ANSI escape), the bytes that differ from other's
 * other_len bytes (those past them all differ) are shown in it.
 * Returns the length of the line, its newline included.
 */
size_t	hexdump_line(char *out, char prefix, uint64_t off,
	    const unsigned char *b, size_t n, const unsigned char *other,
	    size_t other_len, const char *mark);

/*
 * The same with a mark of each byte's own: marks[i] (an ANSI escape of
 * 8 bytes at most) or NULL for none, for n bytes.
 */
size_t	hexdump_line_marked(char *out, char prefix, uint64_t off,
	    const unsigned char *b, size_t n, const char *const *marks);

#endif
