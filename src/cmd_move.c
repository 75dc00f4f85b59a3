/* cmd_move.c - copy bytes within a segment, overlap-safe (Python's move) */
#include <string.h>

#include "commands.h"
#include "cursor.h"
#include "interrupt.h"
#include "map.h"
#include "number.h"
#include "opt.h"
#include "shm.h"

static const char usage[] =
"usage: shm move NAME DST SRC COUNT\n"
"\n"
"Copy COUNT bytes of NAME from offset SRC to offset DST, as memmove does:\n"
"the ranges may overlap.  Both must lie inside NAME, or nothing changes.\n"
"Negative offsets count from the end.  The cursor does not move.\n";

static const struct opt options[] = {
	{ 0, NULL, false },
};

struct move {
	struct window	 w;
	size_t		 dst, src, count;	/* within the window */
};

static int
move_bytes(void *arg)
{
	struct move *m = arg;

	memmove(m->w.data + m->dst, m->w.data + m->src, m->count);
	return SHM_OK;
}

static int
parse_range(const struct segment *seg, char **argv, uint64_t *dst,
    uint64_t *src, const uint64_t *count)
{
	if (segment_offset(seg, "DST", argv[0], dst) != SHM_OK ||
	    segment_offset(seg, "SRC", argv[1], src) != SHM_OK)
		return SHM_FAIL;
	if (*count > seg->size - *src || *count > seg->size - *dst)
		return shm_error(seg->name, "%llu bytes from %llu to %llu do "
		    "not fit in %llu bytes; nothing moved",
		    (unsigned long long)*count, (unsigned long long)*src,
		    (unsigned long long)*dst, (unsigned long long)seg->size);
	return SHM_OK;
}

/* Under the lock, dst != src: claim the space, then move the bytes. */
static int
move_bytes_at(struct segment *seg, uint64_t dst, uint64_t src,
    uint64_t count)
{
	uint64_t lo = dst < src ? dst : src;
	struct move m;
	int rc;

	/* Pages of a sparse destination are allocated now, or not at all. */
	if ((rc = segment_reserve(seg, dst, count)) != SHM_OK ||
	    (rc = segment_map(seg, lo, (dst > src ? dst : src) + count - lo,
	    &m.w)) != SHM_OK)
		return rc;
	m.dst = (size_t)(dst - lo);
	m.src = (size_t)(src - lo);
	m.count = (size_t)count;
	rc = segment_guard(seg, move_bytes, &m);
	window_unmap(&m.w);
	return rc;
}

static int
move(struct segment *seg, char **argv, uint64_t count)
{
	uint64_t dst, src;
	char was[64];
	int rc;

	if ((rc = segment_lock(seg, true)) != SHM_OK ||
	    (rc = parse_range(seg, argv, &dst, &src, &count)) != SHM_OK)
		return rc;
	if (count == 0 || dst == src)
		return SHM_OK;
	segment_identity(seg, was, sizeof(was));
	rc = move_bytes_at(seg, dst, src, count);
	cursor_keep_up(seg, was);
	return rc;
}

int
cmd_move(int argc, char **argv)
{
	struct opt_parser p;
	struct segment seg;
	const char *err;
	uint64_t count;
	int c, rc;

	opt_init(&p, argc, argv, usage);
	while ((c = opt_next(&p, options)) != OPT_END)
		return opt_stop(c);
	if (opt_operands(&p, 4, 4, "NAME DST SRC COUNT") != SHM_OK)
		return SHM_FAIL;
	/* The offsets need the size, so they wait for the lock; COUNT not. */
	if ((err = number_size(p.argv[3], &count)) != NULL)
		return opt_bad_value("COUNT", p.argv[3], err);
	/* The move, one memmove, is done whole: a signal waits for it. */
	interrupt_catch();
	if ((rc = segment_open(&seg, p.argv[0], SEGMENT_WRITE)) != SHM_OK)
		return rc;
	rc = move(&seg, p.argv + 1, count);
	segment_close(&seg);
	return rc;
}
