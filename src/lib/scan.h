/* scan.h - find a needle in memory, with SIMD where the CPU has it */
#ifndef SHM_SCAN_H
#define SHM_SCAN_H

#include <stddef.h>

struct scan {
	const unsigned char	*needle;
	size_t			 len;
	/* The method chosen for this CPU: see scan.c. */
	const unsigned char	*(*find)(const struct scan *,
				    const unsigned char *, size_t);
	const unsigned char	*(*find_last)(const struct scan *,
				    const unsigned char *, size_t, size_t *);
};

/* Chooses the method once, for a needle of len >= 1 bytes. */
void	scan_init(struct scan *, const unsigned char *needle, size_t len);
/* The first match in hay[0, n), or NULL; linear in n + len. */
const unsigned char *scan_find(const struct scan *,
	    const unsigned char *hay, size_t n);
/*
 * The last match in hay[0, n); or NULL, with *left the number of
 * positions from 0 on that it left unsearched (none if 0): all of them
 * without vectors, some where verifying cost too much.  There is no
 * memrmem to hand those to; the caller's own search does them.
 */
const unsigned char *scan_find_last(const struct scan *,
	    const unsigned char *hay, size_t n, size_t *left);

#endif
