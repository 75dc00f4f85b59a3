/*
 * values.h - the values of a record, as read --as prints them, kept to
 * compare with another's: diff --as and watch --as.
 */
#ifndef SHM_VALUES_H
#define SHM_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt/layout.h"
#include "fmt/structfmt.h"

/* Zeroed to start; each value is a string in text. */
struct values {
	char		*text;
	size_t		 len, cap;
	size_t		*ends;		/* past each value's NUL */
	size_t		 n, cap_n;
};

/* Unpacks sf->size bytes at buf anew: 0, or -1 with errno set. */
int	values_unpack(struct values *, const struct structfmt *,
	    const unsigned char *buf);
/* Value i, as read --as prints it. */
const char *values_at(const struct values *, size_t i);
/* Whether value i differs between a and b. */
bool	values_differ(const struct values *a, const struct values *b,
	    size_t i);
void	values_free(struct values *);

/* Room for any label values_label writes. */
#define VALUES_LABEL_MAX	(LAYOUT_NAME_MAX + 48)

/*
 * What diff --as and watch --as call value i of record r (of records,
 * each of sf's count values): with a layout that names it, its name,
 * "R.NAME" where there are several records (true); else its index
 * among all the values, in decimal (false).
 */
bool	values_label(const struct layout *, const struct structfmt *sf,
	    uint64_t r, uint64_t records, size_t i,
	    char buf[VALUES_LABEL_MAX]);

#endif
