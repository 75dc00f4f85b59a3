/* cmd/diff.c - show where two segments differ, as cmp and hexdump -C */
#include <inttypes.h>
#include <string.h>

#include "cmd/commands.h"
#include "fmt/number.h"
#include "lib/compare.h"
#include "lib/diffout.h"
#include "lib/fields.h"
#include "lib/typed.h"
#include "seg/map.h"
#include "util/opt.h"
#include "util/shm.h"

static const char usage[] =
"usage: shm diff [-o OFFSET] [-n LENGTH] [--as FORMAT|--layout FILE] [-q]\n"
"                [--json] [--color[=WHEN]] A B\n"
"\n"
"Compare the segments or files A and B (one may be '-', standard input)\n"
"and exit 0 if they are the same, 1 if they differ, 2 on error, as cmp\n"
"does.  Each line that differs is shown as hexdump -C shows it, A's\n"
"line marked '-' and B's '+', with a line of context around; sizes that\n"
"differ are said on a last line, 'size: A -> B'.  Holes are zeros, and\n"
"are not read where both sides have one.\n";

enum { OPT_AS = OPT_LONG, OPT_LAYOUT, OPT_JSON, OPT_COLOR };

static const struct opt options[] = {
	{ 'o', "offset", OPT_VALUE, "OFFSET",
	    "start here in both (negative: from the end of the shorter)",
	    NULL },
	{ 'n', "length", OPT_VALUE, "LENGTH", "compare at most LENGTH bytes",
	    NULL },
	{ OPT_AS, "as", OPT_VALUE, "FORMAT",
	    "compare the values of FORMAT (struct notation) at OFFSET, as "
	    "many records as LENGTH holds (default 1), and print each that "
	    "differs as 'INDEX: A -> B'; a LAYOUT's fields by name, "
	    "'NAME: A -> B' ('R.NAME' past the first record)", NULL },
	LAYOUT_OPTION(OPT_LAYOUT),
	{ 'q', "quiet", OPT_FLAG, NULL, "print nothing: the exit status says",
	    NULL },
	{ OPT_JSON, "json", OPT_FLAG, NULL,
	    "one JSON object a line for each range that differs: offset, "
	    "length, and the bytes of a and b in hex", NULL },
	{ OPT_COLOR, "color", OPT_MAYBE, "WHEN",
	    "colour the bytes that differ: always (--color alone), never, or "
	    "auto (the default: on a terminal, unless NO_COLOR is set)",
	    "auto always never" },
	{ 0 },
};

const struct opt_command diff_help = {
	usage, options, TYPED_CODES_HELP, { OPT_SEGMENT, OPT_SEGMENT }
};

struct diff_args {
	const char		*name[2];
	const char		*offset;
	uint64_t		 length;
	bool			 has_length;
	const char		*as;
	const char		*layout;	/* --layout FILE */
	const struct layout	*names;		/* of as, where it has some */
	enum diffout_kind	 kind;
	bool			 color;
};

/*
 * OFFSET in both: a negative one counts from the end of the shorter,
 * and one past the end of both is an error.  A stream's size is not
 * known, so it takes no negative OFFSET.
 */
static int
resolve_offset(const struct diff_args *a, const struct compare *c,
    uint64_t *off)
{
	const struct compare_side *s = c->side;
	bool streamed = s[0].seg == NULL || s[1].seg == NULL;
	const char *err;
	int64_t value;
	char sign;

	*off = 0;
	if (a->offset == NULL)
		return SHM_OK;
	if ((err = number_signed(a->offset, &sign, &value)) != NULL)
		return opt_bad_value("-o", a->offset, err);
	if (sign == '-' && streamed)
		return opt_bad_value("-o", a->offset, "standard input has no "
		    "end to count from");
	if (streamed)
		return (err = number_size(a->offset, off)) == NULL ? SHM_OK :
		    opt_bad_value("-o", a->offset, err);
	if ((err = number_offset(a->offset, sign == '-' ?
	    shm_min(s[0].size, s[1].size) : s[0].size > s[1].size ?
	    s[0].size : s[1].size, off)) != NULL)
		return shm_error(NULL, "offset '%s': %s (sizes %" PRIu64
		    " and %" PRIu64 ")", a->offset, err, s[0].size, s[1].size);
	return SHM_OK;
}

static int
compare(const struct diff_args *a, struct compare *c)
{
	struct diffout d;
	bool differ = false;
	int rc;

	if ((rc = resolve_offset(a, c, &c->start)) != SHM_OK)
		return rc;
	c->len = a->length;
	if (a->as != NULL) {
		rc = diffout_values(c, a->as, a->names, c->start, a->length,
		    a->has_length, a->kind, &differ);
	} else {
		diffout_init(&d, a->kind, a->color, c);
		if ((rc = compare_run(c, &differ)) == SHM_OK)
			rc = diffout_finish(&d);
	}
	return rc != SHM_OK ? rc : differ ? SHM_NOMATCH : SHM_OK;
}

/* Opens and locks the segments, "-" standard input, then compares. */
static int
diff(const struct diff_args *a)
{
	struct segment seg[2];
	struct compare c;
	int i, opened = 0, rc = SHM_OK;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < 2 && rc == SHM_OK; i++) {
		if (strcmp(a->name[i], "-") == 0) {
			compare_side_init(&c.side[i], NULL);
			continue;
		}
		if ((rc = segment_open(&seg[i], a->name[i], SEGMENT_READ)) !=
		    SHM_OK)
			break;
		opened |= 1 << i;
		if ((rc = segment_lock(&seg[i], false)) == SHM_OK)
			compare_side_init(&c.side[i], &seg[i]);
	}
	if (rc == SHM_OK)
		rc = compare(a, &c);
	for (i = 0; i < 2; i++) {
		compare_side_free(&c.side[i]);
		if (opened & 1 << i)
			segment_close(&seg[i]);
	}
	return rc;
}

static int
parse_option(struct diff_args *a, int c, const char *arg)
{
	const char *err;

	switch (c) {
	case 'o':
		a->offset = arg;
		return SHM_OK;
	case 'n':
		if ((err = number_size(arg, &a->length)) != NULL)
			return opt_bad_value("-n", arg, err);
		a->has_length = true;
		return SHM_OK;
	case OPT_AS:
		a->as = arg;
		return SHM_OK;
	case OPT_LAYOUT:
		a->layout = arg;
		return SHM_OK;
	case 'q':
		a->kind = DIFFOUT_QUIET;
		return SHM_OK;
	case OPT_JSON:
		a->kind = DIFFOUT_JSON;
		return SHM_OK;
	case OPT_COLOR:
		return opt_color(arg, &a->color);
	default: return opt_stop(c);
	}
}

/* A layout's values compare as its FORMAT's, and are called by name. */
static int
diff_layout(struct diff_args *a)
{
	struct layout l;
	int rc;

	if (!fields_wanted(a->as, a->layout))
		return diff(a);
	if ((rc = fields_load(a->as, a->layout, &l)) != SHM_OK)
		return rc;
	a->as = l.format;
	a->names = &l;
	rc = diff(a);
	layout_free(&l);
	return rc;
}

int
cmd_diff(int argc, char **argv)
{
	struct diff_args a = { .length = UINT64_MAX, .kind = DIFFOUT_TEXT };
	struct opt_parser p;
	bool quiet = false;
	int c, rc;

	if ((rc = opt_color("auto", &a.color)) != SHM_OK)
		return rc;
	opt_init(&p, argc, argv, &diff_help);
	while ((c = opt_next(&p)) != OPT_END) {
		quiet = quiet || c == 'q';
		if ((rc = parse_option(&a, c, p.arg)) != SHM_OK)
			return rc;
	}
	if (opt_operands(&p, 2, 2, "A B") != SHM_OK)
		return SHM_FAIL;
	if (quiet)
		a.kind = DIFFOUT_QUIET;
	a.name[0] = p.argv[0];
	a.name[1] = p.argv[1];
	if (strcmp(a.name[0], "-") == 0 && strcmp(a.name[1], "-") == 0)
		return shm_usage_error("only one of A and B can be standard "
		    "input");
	return diff_layout(&a);
}
