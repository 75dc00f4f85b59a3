/* cmd/wait.c - wait for a change, a value, or a name to come or go */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/change.h"
#include "lib/fields.h"
#include "cmd/commands.h"
#include "seg/map.h"
#include "fmt/number.h"
#include "util/opt.h"
#include "util/shm.h"
#include "lib/until.h"
#include "util/watch.h"

static const char usage[] =
"usage: shm wait [-o OFFSET] [-n LENGTH] [-t SECONDS] [--no-poll] NAME\n"
"                --change\n"
"       shm wait [-o OFFSET] [-t SECONDS] [--no-poll] NAME --as FORMAT\n"
"                --until 'OP VALUE'\n"
"       shm wait [-o OFFSET] [-t SECONDS] [--no-poll] NAME\n"
"                --as LAYOUT | --layout FILE --until 'FIELD OP VALUE'\n"
"       shm wait [-t SECONDS] NAME --exists | --gone\n"
"\n"
"Wait until the condition holds, then exit 0; exit 1 if SECONDS pass\n"
"first.  Changes by any peer count: shm, write(2), a store through a\n"
"mapping.  The kernel reports write(2), at once; a store through a\n"
"mapping only looking again can see (every ms, more rarely for a\n"
"large range).\n";

enum { OPT_CHANGE = OPT_LONG, OPT_AS, OPT_UNTIL, OPT_EXISTS, OPT_GONE,
	OPT_NO_POLL, OPT_LAYOUT };

static const struct opt options[] = {
	{ 'o', "offset", OPT_VALUE, "OFFSET",
	    "the range or value starts here (default 0)", NULL },
	{ 'n', "length", OPT_VALUE, "LENGTH",
	    "the range is this long (default: to the end)", NULL },
	{ 't', "timeout", OPT_VALUE, "SECONDS",
	    "give up after SECONDS (default: never)", NULL },
	{ OPT_CHANGE, "change", OPT_FLAG, NULL,
	    "until a byte of the range differs from now, the segment grows "
	    "into it or shrinks out of it (-n 0: changes size), or NAME is "
	    "removed or replaced", NULL },
	{ OPT_AS, "as", OPT_VALUE, "FORMAT",
	    "the one value at OFFSET, as read --as reads it; or a LAYOUT "
	    "there, whose FIELD --until names", NULL },
	LAYOUT_OPTION(OPT_LAYOUT),
	{ OPT_UNTIL, "until", OPT_VALUE, "'OP VALUE'",
	    "until it compares so (== != < <= > >=) to VALUE; then print it.  "
	    "A segment that replaces NAME is watched on; NAME removed is an "
	    "error", NULL },
	{ OPT_EXISTS, "exists", OPT_FLAG, NULL,
	    "until NAME exists (it need not yet)", NULL },
	{ OPT_GONE, "gone", OPT_FLAG, NULL,
	    "until NAME is removed or replaced", NULL },
	{ OPT_NO_POLL, "no-poll", OPT_FLAG, NULL,
	    "with --change or --until: peers change the segment only by "
	    "write(2), truncate or rename, never through a mapping, so wait "
	    "for the kernel's reports and do not look again every ms", NULL },
	{ 0 },
};

const struct opt_command wait_help = {
	usage, options, FIELDS_HELP, { OPT_SEGMENT }
};

struct wait_args {
	const char	*name;
	const char	*offset;
	uint64_t	 length;
	double		 timeout;
	int		 condition;	/* OPT_CHANGE ... OPT_GONE */
	const char	*as, *until;
	const char	*layout;	/* --layout FILE */
	bool		 no_poll;
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
		    !shm_same_file(&now, &first)))
			return SHM_OK;
	} while (watch_sleep(&w));
	return SHM_NOMATCH;
}

/*
 * The pace of the looks, from now (after the first look, whose cost is
 * no part of it): with --no-poll, and reports to be had, looks come
 * unprompted only rarely, for what the reports may miss.
 */
static bool
pace_from_now(const struct wait_args *a, const struct segment_notify *n,
    struct watch *w)
{
	watch_start(w, a->timeout);
	if (a->no_poll && segment_notified(n))
		watch_rarely(w);
	return a->no_poll && segment_notified(n);
}

static int
wait_change(struct segment *seg, const struct wait_args *a)
{
	struct segment_notify n;
	struct timespec named;
	struct change c;
	struct watch w;
	unsigned what;
	bool changed, rarely;
	int rc;

	/* Before the first look: what comes after it is reported. */
	segment_notify_start(seg, &n);
	if ((rc = change_start(&c, seg, a->offset, a->length)) != SHM_OK)
		goto out;
	rarely = pace_from_now(a, &n, &w);
	clock_gettime(CLOCK_MONOTONIC, &named);
	rc = SHM_NOMATCH;
	while (segment_notify_sleep(&n, &w, &what)) {
		if ((rc = change_look(&c, seg, change_how(what, rarely, &n,
		    &named), &changed)) != SHM_OK || changed)
			break;
		rc = SHM_NOMATCH;
		watch_pace(&w);
	}
out:
	change_free(&c);
	segment_notify_stop(&n);
	return rc;
}

/*
 * The value waited for is NAME's: a segment put in its place (create
 * --force) is watched instead, at the same offset.  None there is an
 * error: no value can come to a segment no name reaches.
 */
static int
track_name(struct segment *seg, struct segment_notify *n)
{
	const char *name = seg->name;
	int rc;

	switch (segment_check_name(seg)) {
	case SEGMENT_NAMED:
		return SHM_OK;
	case SEGMENT_REMOVED:
		return shm_error(name, "removed while waiting");
	default:
		segment_notify_stop(n);
		segment_close(seg);
		if ((rc = segment_open(seg, name, SEGMENT_READ)) == SHM_OK)
			segment_notify_start(seg, n);
		return rc;
	}
}

/*
 * --until 'OP VALUE' on the one value --as FORMAT is, or 'FIELD OP
 * VALUE' on a field of a layout: then *field says its name and offset.
 */
static int
parse_until(const struct wait_args *a, struct until *u,
    struct layout_field *field)
{
	const struct layout_field *f;
	struct layout l = { 0 };
	int rc;

	memset(u, 0, sizeof(*u));
	if (!fields_wanted(a->as, a->layout))
		return until_parse(u, a->as, a->until);
	if ((rc = fields_load(a->as, a->layout, &l)) != SHM_OK)
		return rc;
	/* u points into the format: a copy outlives the layout. */
	if (!l.named) {
		if ((field->format = strdup(l.format)) == NULL)
			rc = shm_perror(NULL);
		else
			rc = until_parse(u, field->format, a->until);
	} else if ((rc = fields_until(&l, a->until, &f)) == SHM_OK) {
		field->offset = f->offset;
		field->name = strdup(f->name);
		field->format = strdup(f->format);
		if (field->name == NULL || field->format == NULL)
			rc = shm_perror(NULL);
		else
			rc = until_parse_field(u, field->format,
			    field->name, a->until);
	}
	layout_free(&l);
	return rc;
}

static int
wait_value(struct segment *seg, const struct wait_args *a)
{
	struct segment_notify n;
	struct layout_field field = { 0 };
	struct until u;
	struct watch w;
	uint64_t off = 0;
	unsigned what;
	bool holds;
	int rc;

	segment_notify_start(seg, &n);
	if ((rc = parse_until(a, &u, &field)) != SHM_OK ||
	    (rc = segment_offset(seg, "offset", a->offset, &off)) != SHM_OK ||
	    (rc = until_fit(seg, &u, off += field.offset)) != SHM_OK)
		goto out;
	(void)pace_from_now(a, &n, &w);
	do {
		/* NAME's segment as it is now: it may be replaced, or shrink. */
		if ((rc = track_name(seg, &n)) != SHM_OK ||
		    (rc = until_check(seg, &u, off, &holds)) != SHM_OK)
			break;
		rc = SHM_NOMATCH;
		if (holds) {
			printf("%s%s%s\n", field.name != NULL ? field.name : "",
			    field.name != NULL ? "=" : "", u.text);
			rc = SHM_OK;
			break;
		}
		watch_pace(&w);
	} while (segment_notify_sleep(&n, &w, &what));
out:
	free(field.name);
	free(field.format);
	until_free(&u);
	segment_notify_stop(&n);
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
	case OPT_LAYOUT: a->layout = arg; return set_condition(a, OPT_UNTIL);
	case OPT_UNTIL: a->until = arg; return set_condition(a, OPT_UNTIL);
	case OPT_CHANGE: case OPT_EXISTS: case OPT_GONE:
		return set_condition(a, c);
	case OPT_NO_POLL: a->no_poll = true; return SHM_OK;
	default: return opt_stop(c);
	}
}

static int
parse_args(int argc, char **argv, struct wait_args *a)
{
	struct opt_parser p;
	int c, rc;

	opt_init(&p, argc, argv, &wait_help);
	while ((c = opt_next(&p)) != OPT_END)
		if ((rc = parse_option(a, c, p.arg)) != SHM_OK)
			return rc;
	if (opt_operands(&p, 1, 1, "NAME") != SHM_OK)
		return SHM_FAIL;
	a->name = p.argv[0];
	if (a->condition == 0)
		return shm_usage_error("missing the condition: --change, --as "
		    "with --until, --exists or --gone");
	if (a->as != NULL && a->layout != NULL)
		return shm_usage_error("--as and --layout exclude each other");
	if (a->condition == OPT_UNTIL && ((a->as == NULL &&
	    a->layout == NULL) || a->until == NULL))
		return shm_usage_error("--as and --until go together");
	if ((a->condition == OPT_EXISTS || a->condition == OPT_GONE) &&
	    (a->offset != NULL || a->length != UINT64_MAX))
		return shm_usage_error("--exists and --gone take no -o or -n");
	if ((a->condition == OPT_EXISTS || a->condition == OPT_GONE) &&
	    a->no_poll)
		return shm_usage_error("--exists and --gone take no --no-poll");
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
