/* cmd/watch.c - show the changes of a segment as they happen */
#include <unistd.h>

#include "cmd/commands.h"
#include "fmt/number.h"
#include "fmt/structfmt.h"
#include "lib/changelog.h"
#include "lib/fields.h"
#include "lib/screen.h"
#include "lib/typed.h"
#include "lib/watching.h"
#include "seg/map.h"
#include "util/opt.h"
#include "util/shm.h"

static const char usage[] =
"usage: shm watch [-o OFFSET] [-n LENGTH] [--as FORMAT|--layout FILE]\n"
"                 [-i SECONDS] [--count N] [-t SECONDS] [--json]\n"
"                 [--color[=WHEN]] NAME\n"
"\n"
"Show each change of a range of NAME (at most 64 MiB) as it happens, as\n"
"wait --change sees one: write(2) at once, a store through a mapping at\n"
"the next look.  On a terminal, a live hexdump -C view whose changed\n"
"bytes fade out ('q' quits, space pauses); else a change log, a line a\n"
"change: time (UTC), offset, length, old and new bytes in hex.  Runs of\n"
"changed bytes less than 16 bytes apart are one change.  Removal or\n"
"replacement of NAME ends the watch, with a last line saying so.\n"
"Exit 0 if anything changed, 1 if nothing did before -t SECONDS.\n";

enum { OPT_AS = OPT_LONG, OPT_LAYOUT, OPT_COUNT, OPT_JSON, OPT_COLOR };

static const struct opt options[] = {
	{ 'o', "offset", OPT_VALUE, "OFFSET",
	    "the range starts here (default 0; negative: from the end)",
	    NULL },
	{ 'n', "length", OPT_VALUE, "LENGTH",
	    "the range is this long (default: to the end, which moves as the "
	    "segment grows or shrinks)", NULL },
	{ OPT_AS, "as", OPT_VALUE, "FORMAT",
	    "show the values of FORMAT (struct notation) at OFFSET, as many "
	    "records as LENGTH holds (default 1): a line 'INDEX OLD NEW' for "
	    "each that changes; a LAYOUT's fields by name, 'NAME OLD NEW' "
	    "('R.NAME' past the first record)", NULL },
	LAYOUT_OPTION(OPT_LAYOUT),
	{ 'i', "interval", OPT_VALUE, "SECONDS",
	    "look for stores through a mapping every SECONDS (default: as "
	    "wait does, every ms, more rarely for a large range)", NULL },
	{ OPT_COUNT, "count", OPT_VALUE, "N", "end after N changes", NULL },
	{ 't', "timeout", OPT_VALUE, "SECONDS",
	    "end after SECONDS (default: never)", NULL },
	{ OPT_JSON, "json", OPT_FLAG, NULL,
	    "the log as one JSON object a line: time, offset, length, old, "
	    "new (--as: time, index, old, new)", NULL },
	{ OPT_COLOR, "color", OPT_MAYBE, "WHEN",
	    "on a terminal, colour the changed bytes: always (--color "
	    "alone), never (reverse video instead), or auto (the default: "
	    "unless NO_COLOR is set)", "auto always never" },
	{ 0 },
};

const struct opt_command watch_help = {
	usage, options, TYPED_CODES_HELP, { OPT_SEGMENT }
};

struct watch_args {
	const char	*name;
	const char	*offset;
	uint64_t	 length;
	bool		 has_length;
	const char	*as;
	const char	*layout;	/* --layout FILE */
	double		 interval, timeout;
	uint64_t	 count;
	bool		 json;
	const char	*color;
};

/*
 * --as: the records to watch, which must all fit at OFFSET; *length
 * becomes their bytes.
 */
static int
fit_records(struct segment *seg, const struct watch_args *a,
    struct structfmt *sf, uint64_t *records, uint64_t *length)
{
	const char *err;
	uint64_t off = 0;
	int rc;

	if ((err = structfmt_parse(a->as, sf)) != NULL)
		return shm_error(seg->name, "format '%s': %s", a->as,
		    err);
	if (sf->size == 0)
		return shm_error(seg->name, "format '%s': no bytes to "
		    "watch", a->as);
	*records = a->has_length ? a->length / sf->size : 1;
	if (*records == 0)
		return shm_error(seg->name, "format '%s' of size %zu: -n %llu "
		    "holds none", a->as, sf->size,
		    (unsigned long long)a->length);
	if ((rc = segment_offset(seg, "offset", a->offset, &off)) != SHM_OK)
		return rc;
	if (*records > (seg->size - off) / sf->size)
		return shm_error(seg->name, "format '%s' of size %zu does not "
		    "fit at offset %llu (%llu bytes left)", a->as, sf->size,
		    (unsigned long long)off,
		    (unsigned long long)(seg->size - off));
	*length = *records * sf->size;
	return SHM_OK;
}

static int
watch_log(struct segment *seg, const struct watch_args *a,
    const struct layout *names)
{
	struct watching_sink sink;
	struct changelog log;
	struct watching v = { 0 };
	struct structfmt sf;
	uint64_t records = 0, length = a->length;
	int rc;

	if (a->as != NULL &&
	    (rc = fit_records(seg, a, &sf, &records, &length)) != SHM_OK)
		return rc;
	if ((rc = changelog_init(&log, &v, a->json, a->count,
	    a->as != NULL ? &sf : NULL, names, records, &sink)) == SHM_OK)
		rc = watching_run(&v, seg, a->offset, length, a->timeout,
		    (long)(a->interval * 1e9), &sink);
	changelog_free(&log);
	if (rc == SHM_OK && log.count == 0 && !log.ended)
		return SHM_NOMATCH;
	return rc;
}

static int
parse_option(struct watch_args *a, int c, const char *arg)
{
	const char *err = NULL;

	switch (c) {
	case 'o': a->offset = arg; return SHM_OK;
	case 'n':
		a->has_length = true;
		err = number_size(arg, &a->length);
		break;
	case OPT_AS: a->as = arg; return SHM_OK;
	case OPT_LAYOUT: a->layout = arg; return SHM_OK;
	case 'i':
		if ((err = number_seconds(arg, &a->interval)) == NULL &&
		    a->interval < 1e-6)
			err = "not a positive time";
		break;
	case OPT_COUNT:
		if ((err = number_size(arg, &a->count)) == NULL &&
		    a->count == 0)
			err = "not a positive count";
		break;
	case 't': err = number_seconds(arg, &a->timeout); break;
	case OPT_JSON: a->json = true; return SHM_OK;
	case OPT_COLOR: a->color = arg != NULL ? arg : "always"; break;
	default: return opt_stop(c);
	}
	return err != NULL ? opt_bad_value(c == OPT_COUNT ? "--count" :
	    c == 'n' ? "-n" : c == 'i' ? "-i" : "-t", arg, err) : SHM_OK;
}

/* The view on a terminal, else the log; names: a layout's, or NULL. */
static int
watch(const struct watch_args *a, const struct layout *names, bool color)
{
	struct segment seg;
	bool changed;
	int rc;

	if ((rc = segment_open(&seg, a->name, SEGMENT_READ)) != SHM_OK)
		return rc;
	if (isatty(STDOUT_FILENO) && a->as == NULL && !a->json) {
		rc = screen_run(&seg, a->offset, a->length, a->timeout,
		    (long)(a->interval * 1e9), a->count, color, &changed);
		if (rc == SHM_OK && !changed)
			rc = SHM_NOMATCH;
	} else {
		rc = watch_log(&seg, a, names);
	}
	segment_close(&seg);
	return rc;
}

int
cmd_watch(int argc, char **argv)
{
	struct watch_args a = { .length = UINT64_MAX, .timeout = -1,
	    .color = "auto" };
	struct opt_parser p;
	struct layout names;
	bool color;
	int c, rc;

	opt_init(&p, argc, argv, &watch_help);
	while ((c = opt_next(&p)) != OPT_END)
		if ((rc = parse_option(&a, c, p.arg)) != SHM_OK)
			return rc;
	if (opt_operands(&p, 1, 1, "NAME") != SHM_OK)
		return SHM_FAIL;
	a.name = p.argv[0];
	if ((rc = opt_color(a.color, &color)) != SHM_OK)
		return rc;
	if (!fields_wanted(a.as, a.layout))
		return watch(&a, NULL, color);
	if ((rc = fields_load(a.as, a.layout, &names)) != SHM_OK)
		return rc;
	a.as = names.format;
	rc = watch(&a, &names, color);
	layout_free(&names);
	return rc;
}
