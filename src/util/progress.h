/* progress.h - dd-style progress on standard error, for long copies */
#ifndef SHM_PROGRESS_H
#define SHM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct progress {
	uint64_t	 done;
	struct timespec	 start;
	struct timespec	 shown;		/* when the line was last drawn */
};

/* The --progress row of an option table (util/opt.h), for every copy. */
#define PROGRESS_OPTION(key) { key, "progress", OPT_FLAG, NULL, \
	"show the bytes copied so far on standard error", NULL }

/* Starts counting; returns p, for seg->progress = on ? start(p) : NULL. */
struct progress *progress_start(struct progress *p);
/* Count n more bytes; redraws the line at most once a second. */
void	progress_add(struct progress *, uint64_t n);
/* The final line, ended with a newline; nothing for NULL. */
void	progress_finish(struct progress *);
/*
 * Before an error line: ends a progress line left open, so the error
 * starts afresh, and draws no more progress, so the error is the last.
 */
void	progress_break(void);

#endif
