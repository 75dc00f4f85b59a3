/* cmd/seek.c - set or print a segment's cursor (Python's seek and tell) */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "lib/cursor.h"
#include "util/interrupt.h"
#include "seg/map.h"
#include "fmt/number.h"
#include "util/opt.h"
#include "util/shm.h"

static const char usage[] =
"usage: shm seek [--cursor NAME] NAME [POS]\n"
"\n"
"Move the cursor of NAME to POS and print where it now is; without POS,\n"
"just print it.  POS is one of:\n"
"  N        N bytes from the start\n"
"  +N, -N   N bytes forward or back from the cursor\n"
"  end      the end; end-N is N bytes before it\n"
"The cursor stays within the segment: 0 to its size.\n";

enum { OPT_CURSOR = OPT_LONG };

static const struct opt options[] = {
	CURSOR_OPTION(OPT_CURSOR),
	{ 0 },
};

const struct opt_command seek_help = {
	usage, options, NULL, { OPT_SEGMENT, "end" }
};

/* A POS that needs the cursor's old value: +N, -N. */
static bool
is_relative(const char *text)
{
	return text[0] == '+' || text[0] == '-';
}

/* Python's whence: from the start, the cursor or the end. */
static int
resolve(const struct segment *seg, const char *text, uint64_t cur,
    uint64_t *pos)
{
	bool from_end = strncmp(text, "end", 3) == 0;
	const char *err, *num = from_end ? text + 3 : text;
	uint64_t base;
	int64_t delta = 0;
	char sign = 0;

	if (from_end && *num != '\0' && *num != '-')
		return shm_error(seg->name, "position '%s': only -N may "
		    "follow 'end'", text);
	if ((*num != '\0' || !from_end) &&
	    (err = number_signed(num, &sign, &delta)) != NULL)
		return shm_error(seg->name, "position '%s': %s", text, err);
	base = from_end ? seg->size : sign != 0 ? cur : 0;
	if ((delta < 0 && (uint64_t)-delta > base) ||
	    (delta > 0 && (uint64_t)delta > seg->size - base))
		return shm_error(seg->name, "position '%s' is outside the "
		    "segment (0 to %llu)", text,
		    (unsigned long long)seg->size);
	*pos = delta < 0 ? base - (uint64_t)-delta : base + (uint64_t)delta;
	return SHM_OK;
}

/* The new position is printed first: output that fails moves nothing. */
static int
seek_under_lock(struct segment *seg, const char *pos_text, struct cursor *cur)
{
	enum cursor_use use = pos_text == NULL ? CURSOR_LOOK :
	    is_relative(pos_text) ? CURSOR_MOVE : CURSOR_SET;
	uint64_t pos;
	int rc;

	if ((rc = segment_lock(seg, pos_text != NULL)) != SHM_OK ||
	    (rc = cursor_open(seg, cur, use)) != SHM_OK)
		return rc;
	pos = cur->pos;
	if (pos_text != NULL &&
	    (rc = resolve(seg, pos_text, cur->pos, &pos)) != SHM_OK)
		return rc;
	printf("%llu\n", (unsigned long long)pos);
	if ((rc = shm_flush_output()) != SHM_OK || pos_text == NULL)
		return rc;
	return cursor_save(cur, pos);
}

static int
seek(struct segment *seg, const char *pos_text)
{
	struct cursor cur = { .fd = -1 };
	int rc;

	rc = seek_under_lock(seg, pos_text, &cur);
	cursor_close(&cur);
	return rc;
}

int
cmd_seek(int argc, char **argv)
{
	const char *cursor = NULL;
	struct opt_parser p;
	struct segment seg;
	int c, rc;

	opt_init(&p, argc, argv, &seek_help);
	while ((c = opt_next(&p)) != OPT_END) {
		if (c != OPT_CURSOR)
			return opt_stop(c);
		if (cursor_option(p.arg, &cursor) != SHM_OK)
			return SHM_FAIL;
	}
	if (opt_operands(&p, 1, 2, "NAME POS") != SHM_OK)
		return SHM_FAIL;
	/* A cursor moved is moved whole: a signal waits for it. */
	interrupt_catch();
	if ((rc = segment_open(&seg, p.argv[0], SEGMENT_READ)) != SHM_OK)
		return rc;
	seg.cursor_name = cursor;
	rc = seek(&seg, p.npos == 2 ? p.argv[1] : NULL);
	segment_close(&seg);
	return rc;
}
