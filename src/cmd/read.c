/* cmd/read.c - copy bytes out of a segment, from the cursor or an offset */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "lib/cursor.h"
#include "lib/follow.h"
#include "util/interrupt.h"
#include "seg/map.h"
#include "fmt/number.h"
#include "util/opt.h"
#include "util/progress.h"
#include "util/shm.h"
#include "lib/fields.h"
#include "lib/typed.h"

static const char usage[] =
"usage: shm read [-o OFFSET] [-n LENGTH] [--line] [-O FILE] [--progress]\n"
"                NAME\n"
"       shm read [-o OFFSET] --as FORMAT [--columns N] NAME\n"
"       shm read [-o OFFSET] --as LAYOUT | --layout FILE [-F NAME,...]\n"
"                [--json] NAME\n"
"       shm read [-o OFFSET] --follow [-t SECONDS] [--no-poll] NAME\n"
"\n"
"Copy bytes of NAME to standard output, exactly: from OFFSET, or else\n"
"from the cursor, which then moves past them.  At most LENGTH bytes\n"
"(default: to the end); fewer where the segment ends.  With --as, unpack\n"
"the bytes as Python's struct.unpack(FORMAT) does and print one value a\n"
"line; with a LAYOUT, print NAME=VALUE lines.\n";

enum { OPT_AS = OPT_LONG, OPT_COLUMNS, OPT_PROGRESS, OPT_CURSOR,
	OPT_NO_POLL, OPT_LAYOUT, OPT_JSON };

static const struct opt options[] = {
	{ 'o', "offset", OPT_VALUE, "OFFSET",
	    "read from here (negative: from the end); keep cursor", NULL },
	{ 'n', "length", OPT_VALUE, "LENGTH", "read at most LENGTH bytes",
	    NULL },
	{ 'l', "line", OPT_FLAG, NULL,
	    "stop after the next newline, as readline does", NULL },
	{ 'O', "output", OPT_VALUE, "FILE",
	    "write to FILE instead of standard output", OPT_FILE },
	{ OPT_AS, "as", OPT_VALUE, "FORMAT",
	    "unpack values: '<I', '>q', '4s', '@bq', '10B'...", NULL },
	LAYOUT_OPTION(OPT_LAYOUT),
	{ 'F', "fields", OPT_LIST, "NAME,...",
	    "print these fields of the layout, in this order", NULL },
	{ OPT_JSON, "json", OPT_FLAG, NULL,
	    "print the fields as one JSON object", NULL },
	{ OPT_COLUMNS, "columns", OPT_VALUE, "N",
	    "print N values a line, separated by spaces", NULL },
	PROGRESS_OPTION(OPT_PROGRESS),
	{ 'f', "follow", OPT_FLAG, NULL,
	    "go on copying what is added, as tail -f does, until NAME is "
	    "removed or replaced", NULL },
	{ 't', "timeout", OPT_VALUE, "SECONDS",
	    "with --follow, exit 1 after SECONDS with nothing new", NULL },
	{ OPT_NO_POLL, "no-poll", OPT_FLAG, NULL,
	    "with --follow: peers change the segment only by write(2), "
	    "truncate or rename, never through a mapping, so wait for the "
	    "kernel's reports and do not look again every ms", NULL },
	CURSOR_OPTION(OPT_CURSOR),
	{ 0 },
};

const struct opt_command read_help = {
	usage, options, TYPED_CODES_HELP FIELDS_HELP, { OPT_SEGMENT }
};

struct read_args {
	const char	*name;
	const char	*offset;	/* NULL: at the cursor */
	uint64_t	 length;
	bool		 line;
	const char	*output;
	const char	*as;		/* a struct format or a layout */
	const char	*layout;	/* --layout FILE */
	const char	*fields;	/* -F NAME,... */
	bool		 json;
	uint64_t	 columns;
	bool		 progress;
	const char	*cursor;
	bool		 follow;
	double		 timeout;	/* --follow's; negative: none */
	bool		 no_poll;
};

/* How far a line reaches: up to and including its newline. */
static int
line_length(struct segment *seg, uint64_t off, uint64_t *len)
{
	unsigned char buf[65536];
	uint64_t done = 0;
	unsigned char *nl;
	size_t want, got;
	int rc;

	while (done < *len) {
		want = *len - done < sizeof(buf) ? *len - done : sizeof(buf);
		if ((rc = segment_read(seg, off + done, buf, want, &got)) !=
		    SHM_OK)
			return rc;
		if ((nl = memchr(buf, '\n', got)) != NULL) {
			*len = done + (uint64_t)(nl - buf) + 1;
			return SHM_OK;
		}
		if (got < want)
			break;
		done += got;
	}
	return SHM_OK;
}

/*
 * Raw bytes on a terminal can reprogram it; refuse binary there, as
 * gzip and zstd do, and point at the tool for looking at bytes.
 */
static int
check_terminal(struct segment *seg, uint64_t off, uint64_t len)
{
	unsigned char buf[4096];
	size_t got;
	int rc;

	if (!isatty(STDOUT_FILENO))
		return SHM_OK;
	if ((rc = segment_read(seg, off, buf, len < sizeof(buf) ? len :
	    sizeof(buf), &got)) != SHM_OK)
		return rc;
	if (memchr(buf, '\0', got) != NULL)
		return shm_error(seg->name, "binary data, not written to a "
		    "terminal (see 'shm dump', or redirect it)");
	return SHM_OK;
}

static int
copy_range(struct segment *seg, const struct read_args *a, uint64_t off,
    uint64_t len, uint64_t *copied)
{
	int fd = STDOUT_FILENO, rc;

	if (a->output == NULL) {
		if ((rc = check_terminal(seg, off, len)) != SHM_OK)
			return rc;
		return segment_copy_out_sparse(seg, off, len, fd,
		    "standard output", copied);
	}
	/* Truncated only once known not to be the segment itself. */
	fd = open(a->output, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
	if (fd < 0)
		return shm_perror(a->output);
	if ((rc = segment_distinct(seg, fd, a->output)) != SHM_OK) {
		close(fd);
		return rc;
	}
	if (ftruncate(fd, 0) != 0 && errno != EINVAL)
		rc = shm_perror(a->output);
	if (rc == SHM_OK)
		rc = segment_copy_out_sparse(seg, off, len, fd, a->output,
		    copied);
	if (close(fd) != 0 && rc == SHM_OK)
		rc = shm_perror(a->output);
	return rc;
}

static int
read_under_lock(const struct read_args *a, struct segment *seg,
    struct cursor *cur)
{
	struct progress progress;
	uint64_t off, len, copied;
	int rc;

	if ((rc = cursor_lock_at(seg, false, a->offset, cur, &off)) != SHM_OK)
		return rc;
	len = segment_clamp(seg, off, a->length);
	if (a->line && (rc = line_length(seg, off, &len)) != SHM_OK)
		return rc;
	seg->progress = a->progress ? progress_start(&progress) : NULL;
	rc = copy_range(seg, a, off, len, &copied);
	progress_finish(seg->progress);
	if (rc != SHM_OK)
		return rc;
	if (copied < len)
		return segment_shrank(seg);
	return a->offset == NULL ? cursor_save(cur, off + copied) : SHM_OK;
}

/*
 * Where the cursor (or -o) is, then follow() from there.  A follower
 * is stopped by a signal: caught, so that the cursor is saved at what
 * the last write(2) accepted before main dies of it.
 */
static int
read_following(const struct read_args *a, struct segment *seg,
    struct cursor *cur)
{
	uint64_t off;
	int rc;

	interrupt_catch();
	if ((rc = cursor_lock_at(seg, false, a->offset, cur, &off)) != SHM_OK ||
	    (rc = segment_unlock(seg)) != SHM_OK)
		return rc;
	return follow(seg, off, a->offset == NULL ? cur : NULL, a->timeout,
	    a->no_poll);
}

static int
read_segment(const struct read_args *a, struct segment *seg)
{
	struct cursor cur = { .fd = -1 };
	int rc;

	rc = a->follow ? read_following(a, seg, &cur) :
	    read_under_lock(a, seg, &cur);
	cursor_close(&cur);
	return rc;
}

static int
parse_args(int argc, char **argv, struct read_args *a)
{
	struct opt_parser p;
	const char *err;
	int c;

	opt_init(&p, argc, argv, &read_help);
	while ((c = opt_next(&p)) != OPT_END) {
		switch (c) {
		case 'o': a->offset = p.arg; break;
		case 'n':
			if ((err = number_size(p.arg, &a->length)) != NULL)
				return opt_bad_value("-n", p.arg, err);
			break;
		case 'l': a->line = true; break;
		case 'O': a->output = p.arg; break;
		case OPT_AS: a->as = p.arg; break;
		case OPT_LAYOUT: a->layout = p.arg; break;
		case 'F': a->fields = p.arg; break;
		case OPT_JSON: a->json = true; break;
		case OPT_PROGRESS: a->progress = true; break;
		case OPT_CURSOR:
			if (cursor_option(p.arg, &a->cursor) != SHM_OK)
				return SHM_FAIL;
			break;
		case 'f': a->follow = true; break;
		case OPT_NO_POLL: a->no_poll = true; break;
		case 't':
			if ((err = number_seconds(p.arg, &a->timeout)) != NULL)
				return opt_bad_value("--timeout", p.arg, err);
			break;
		case OPT_COLUMNS:
			if ((err = number_size(p.arg, &a->columns)) != NULL ||
			    a->columns == 0)
				return opt_bad_value("--columns", p.arg,
				    err != NULL ? err : "not positive");
			break;
		default: return opt_stop(c);
		}
	}
	if (opt_operands(&p, 1, 1, "NAME") != SHM_OK)
		return SHM_FAIL;
	if (a->as != NULL && a->layout != NULL)
		return shm_usage_error("--as and --layout exclude each other");
	if (a->layout != NULL)
		a->as = "";
	if (a->as != NULL && (a->line || a->output != NULL ||
	    a->length != UINT64_MAX))
		return shm_usage_error("--as takes no -n, --line or -O");
	if (a->as == NULL && a->columns != 1)
		return shm_usage_error("--columns goes with --as");
	if (a->follow && (a->as != NULL || a->line || a->output != NULL ||
	    a->length != UINT64_MAX))
		return shm_usage_error("--follow takes no -n, --line, -O or "
		    "--as");
	if (!a->follow && a->timeout >= 0)
		return shm_usage_error("--timeout goes with --follow");
	if (!a->follow && a->no_poll)
		return shm_usage_error("--no-poll goes with --follow");
	a->name = p.argv[0];
	return SHM_OK;
}

/*
 * The layout --as or --layout asks for, if either does: one without
 * names is a FORMAT, which read --as reads.
 */
static int
load_layout(struct read_args *a, struct layout *l)
{
	int rc;

	if (fields_wanted(a->as, a->layout) &&
	    (rc = fields_load(a->as, a->layout, l)) != SHM_OK)
		return rc;
	if (!l->named) {
		if (a->fields != NULL || a->json)
			return shm_usage_error("-F and --json need a layout "
			    "with names");
		if (a->layout != NULL)
			a->as = l->format;
		return SHM_OK;
	}
	if (a->columns != 1)
		return shm_usage_error("--columns goes with a FORMAT, not a "
		    "layout with names");
	if (a->cursor != NULL)
		return shm_usage_error("a layout with names is read at -o or "
		    "0, not at a --cursor");
	return SHM_OK;
}

/* Fields by name, values, or bytes, as the options ask. */
static int
read_as_asked(struct read_args *a, const struct layout *l)
{
	struct segment seg;
	int rc;

	if ((rc = segment_open(&seg, a->name, SEGMENT_READ)) != SHM_OK)
		return rc;
	seg.cursor_name = a->cursor;
	if (l->named)
		rc = fields_read(&seg, l, a->offset, a->fields, a->json);
	else if (a->as != NULL)
		rc = typed_read(&seg, a->as, a->offset, a->columns);
	else
		rc = read_segment(a, &seg);
	segment_close(&seg);
	return rc;
}

int
cmd_read(int argc, char **argv)
{
	struct read_args a = { .length = UINT64_MAX, .columns = 1,
	    .timeout = -1 };
	struct layout l = { 0 };
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != SHM_OK)
		return rc;
	if ((rc = load_layout(&a, &l)) == SHM_OK)
		rc = read_as_asked(&a, &l);
	layout_free(&l);
	return rc;
}
