/* cmd_wait.c - wait for a change, a value, or a name to come or go */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "map.h"
#include "number.h"
#include "opt.h"
#include "shm.h"
#include "until.h"
#include "watch.h"

/* The largest range --change keeps a copy of, to compare with. */
#define WAIT_RANGE_MAX	(64U << 20)

static const char usage[] =
"usage: shm wait [-o OFFSET] [-n LENGTH] [-t SECONDS] NAME --change\n"
"       shm wait [-o OFFSET] [-t SECONDS] NAME --as FORMAT --until 'OP VALUE'\n"
"       shm wait [-t SECONDS] NAME --exists | --gone\n"
"\n"
"Wait until the condition holds, then exit 0; exit 1 if SECONDS pass\n"
"first.  Changes by any peer count: shm, write(2), a store through a\n"
"mapping (which only looking again can see: shm looks every ms).\n"
"\n"
"  -o, --offset OFFSET   the range or value starts here (default 0)\n"
"  -n, --length LENGTH   the range is this long (default: to the end)\n"
"  -t, --timeout SECONDS give up after SECONDS (default: never)\n"
"      --change          until a byte of the range differs from now\n"
"      --as FORMAT       the one value at OFFSET, as read --as reads it\n"
"      --until 'OP VALUE'  until it compares so (== != < <= > >=) to\n"
"                        VALUE; then print it\n"
"      --exists          until NAME exists (it need not yet)\n"
"      --gone            until NAME is removed or replaced\n";

enum { OPT_CHANGE = OPT_LONG, OPT_AS, OPT_UNTIL, OPT_EXISTS, OPT_GONE };

static const struct opt options[] = {
	{ 'o', "offset", true },
	{ 'n', "length", true },
	{ 't', "timeout", true },
	{ OPT_CHANGE, "change", false },
	{ OPT_AS, "as", true },
	{ OPT_UNTIL, "until", true },
	{ OPT_EXISTS, "exists", false },
	{ OPT_GONE, "gone", false },
	{ 0, NULL, false },
};

struct wait_args {
	const char	*name;
	const char	*offset;
	uint64_t	 length;
	double		 timeout;
	int		 condition;	/* OPT_CHANGE ... OPT_GONE */
	const char	*as, *until;
};

static int
wait_name(const struct wait_args *a, bool gone)
{
	struct segment seg;
	struct stat first, now;
	struct watch w;
	bool was;
	int rc;

	if ((rc = segment_resolve(&seg, a->name)) != SHM_OK)
		return rc;
	was = segment_present(&seg, &first);
	watch_start(&w, a->timeout);
	do {
		if (!gone && segment_present(&seg, &now))
			return SHM_OK;
		if (gone && (!was || !segment_present(&seg, &now) ||
		    now.st_ino != first.st_ino || now.st_dev != first.st_dev))
			return SHM_OK;
	} while (watch_sleep(&w));
	return SHM_NOMATCH;
}

/* The range to watch, as it is now. */
static int
snapshot(struct segment *seg, const struct wait_args *a, uint64_t *off,
    size_t *len, unsigned char **buf)
{
	uint64_t n;
	int rc;

	*off = 0;
	if ((rc = segment_offset(seg, "offset", a->offset, off)) != SHM_OK)
		return rc;
	n = seg->size - *off < a->length ? seg->size - *off : a->length;
	if (n > WAIT_RANGE_MAX)
		return shm_error(seg->name, "a range of %llu bytes is too "
		    "large to watch; -n %u at most", (unsigned long long)n,
		    WAIT_RANGE_MAX);
	*len = (size_t)n;
	if ((*buf = malloc(2 * *len + 1)) == NULL)
		return shm_perror(seg->name);
	return segment_read_all(seg, *off, *buf, *len);
}

static int
wait_change(struct segment *seg, const struct wait_args *a)
{
	unsigned char *buf = NULL;
	struct timespec t0, t1;
	struct watch w;
	uint64_t off;
	size_t len = 0, got;
	int rc;

	if ((rc = snapshot(seg, a, &off, &len, &buf)) != SHM_OK)
		goto out;
	watch_start(&w, a->timeout);
	rc = SHM_NOMATCH;
	while (watch_sleep(&w)) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((rc = segment_read(seg, off, buf + len, len, &got)) !=
		    SHM_OK)
			break;
		/* Shorter: bytes of the range are gone, which is a change. */
		if (got < len || memcmp(buf, buf + len, len) != 0) {
			rc = SHM_OK;
			break;
		}
		rc = SHM_NOMATCH;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		t1.tv_sec -= t0.tv_sec;
		if ((t1.tv_nsec -= t0.tv_nsec) < 0) {
			t1.tv_sec--;
			t1.tv_nsec += 1000000000L;
		}
		watch_slow_down(&w, &t1);
	}
out:
	free(buf);
	return rc;
}

static int
wait_value(struct segment *seg, const struct wait_args *a)
{
	struct until u;
	struct watch w;
	uint64_t off = 0;
	bool holds;
	int rc;

	if ((rc = until_parse(&u, a->as, a->until)) != SHM_OK ||
	    (rc = segment_offset(seg, "offset", a->offset, &off)) != SHM_OK)
		goto out;
	watch_start(&w, a->timeout);
	do {
		/* The size as it is now: the segment may grow or shrink. */
		if ((rc = segment_refresh(seg)) != SHM_OK ||
		    (rc = until_check(seg, &u, off, &holds)) != SHM_OK)
			break;
		rc = SHM_NOMATCH;
		if (holds) {
			puts(u.text);
			rc = SHM_OK;
			break;
		}
	} while (watch_sleep(&w));
out:
	until_free(&u);
	return rc;
}

static int
set_condition(struct wait_args *a, int c)
{
	if (a->condition != 0 && a->condition != c)
		return shm_usage_error("one condition: --change, --as with "
		    "--until, --exists or --gone");
	a->condition = c;
	return SHM_OK;
}

static int
parse_option(struct wait_args *a, int c, const char *arg)
{
	const char *err;

	switch (c) {
	case 'o': a->offset = arg; return SHM_OK;
	case 'n':
		if ((err = number_size(arg, &a->length)) != NULL)
			return opt_bad_value("-n", arg, err);
		return SHM_OK;
	case 't':
		if ((err = number_seconds(arg, &a->timeout)) != NULL)
			return opt_bad_value("-t", arg, err);
		return SHM_OK;
	case OPT_AS: a->as = arg; return set_condition(a, OPT_UNTIL);
	case OPT_UNTIL: a->until = arg; return set_condition(a, OPT_UNTIL);
	case OPT_CHANGE: case OPT_EXISTS: case OPT_GONE:
		return set_condition(a, c);
	default:
		return opt_stop(c);
	}
}

static int
parse_args(int argc, char **argv, struct wait_args *a)
{
	struct opt_parser p;
	int c, rc;

	opt_init(&p, argc, argv, usage);
	while ((c = opt_next(&p, options)) != OPT_END)
		if ((rc = parse_option(a, c, p.arg)) != SHM_OK)
			return rc;
	if (opt_operands(&p, 1, 1, "NAME") != SHM_OK)
		return SHM_FAIL;
	a->name = p.argv[0];
	if (a->condition == 0)
		return shm_usage_error("missing the condition: --change, --as "
		    "with --until, --exists or --gone");
	if (a->condition == OPT_UNTIL && (a->as == NULL || a->until == NULL))
		return shm_usage_error("--as and --until go together");
	if ((a->condition == OPT_EXISTS || a->condition == OPT_GONE) &&
	    (a->offset != NULL || a->length != UINT64_MAX))
		return shm_usage_error("--exists and --gone take no -o or -n");
	return SHM_OK;
}

int
cmd_wait(int argc, char **argv)
{
	struct wait_args a = { .length = UINT64_MAX, .timeout = -1 };
	struct segment seg;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != SHM_OK)
		return rc;
	if (a.condition == OPT_EXISTS || a.condition == OPT_GONE)
		return wait_name(&a, a.condition == OPT_GONE);
	if ((rc = segment_open(&seg, a.name, SEGMENT_READ)) != SHM_OK)
		return rc;
	rc = a.condition == OPT_CHANGE ? wait_change(&seg, &a) :
	    wait_value(&seg, &a);
	segment_close(&seg);
	return rc;
}
