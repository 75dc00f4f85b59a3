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
};

/* Chooses the method once, for a needle of len >= 1 bytes. */
void	scan_init(struct scan *, const unsigned char *needle, size_t len);
/* The first match in hay[0, n), or NULL; linear in n + len. */
const unsigned char *scan_find(const struct scan *,
	    const unsigned char *hay, size_t n);

#endif
