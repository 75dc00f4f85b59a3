/*
 * progress.c - "1073741824 bytes (1.1 GB, 1.0 GiB) copied, 0.41 s,
 * 2.6 GB/s" on standard error, redrawn in place once a second, as
 * dd status=progress does.  Only standard error: never in the data.
 */
#include <stdbool.h>
#include <stdio.h>

#include "util/progress.h"
#include "util/shm.h"

/*
 * Whether standard error's last line is a progress line still open:
 * it belongs to the stream, not to any one copy, so an error message
 * (error.c) can end it before it starts its own line.
 */
static bool line_open;
/*
 * Set once an error line is printed: an error is the last line, so no
 * progress line, periodic or final, is drawn after it.
 */
static bool silenced;

struct progress *
progress_start(struct progress *p)
{
	p->done = 0;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->shown = p->start;
	return p;
}

static void
draw(const struct progress *p, const char *end)
{
	double secs = shm_seconds_since(&p->start), b = (double)p->done;

	fprintf(stderr, "\r%llu bytes (%.1f GB, %.1f GiB) copied, %.2f s, "
	    "%.1f MB/s%s", (unsigned long long)p->done, b / 1e9,
	    b / (1024.0 * 1024 * 1024), secs,
	    secs > 0 ? b / secs / 1e6 : 0.0, end);
	line_open = end[0] != '\n';
}

void
progress_add(struct progress *p, uint64_t n)
{
	p->done += n;
	if (silenced || shm_seconds_since(&p->shown) < 1.0)
		return;
	draw(p, "");
	clock_gettime(CLOCK_MONOTONIC, &p->shown);
}

void
progress_finish(struct progress *p)
{
	if (p != NULL && !silenced)
		draw(p, "\n");
}

void
progress_break(void)
{
	if (line_open)
		fputc('\n', stderr);
	line_open = false;
	silenced = true;
}
