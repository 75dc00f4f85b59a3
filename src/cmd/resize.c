/* cmd/resize.c - change a segment's size (Python's resize) */
#include "cmd/commands.h"
#include "lib/cursor.h"
#include "util/interrupt.h"
#include "seg/map.h"
#include "fmt/number.h"
#include "util/opt.h"
#include "util/shm.h"

static const char usage[] =
"usage: shm resize [--shrink] NAME SIZE\n"
"\n"
"Set the size of NAME to SIZE bytes; +N and -N change it by N.  Bytes\n"
"below the new size keep their values; new bytes read as zero.  A\n"
"cursor past the new end moves to it.\n";

static const struct opt options[] = {
	{ 's', "shrink", OPT_FLAG, NULL,
	    "allow a smaller size, destroying the bytes cut off", NULL },
	{ 0 },
};

const struct opt_command resize_help = {
	usage, options, NULL, { OPT_SEGMENT }
};

/* SIZE as typed: N, +N or -N, checked against the size under the lock. */
struct new_size {
	const char	*text;
	char		 sign;		/* 0, '+' or '-' */
	int64_t		 value;
};

static int
new_size(const struct segment *seg, const struct new_size *n, uint64_t *size)
{
	uint64_t v = n->sign == '-' ? (uint64_t)-n->value : (uint64_t)n->value;

	if (n->sign == '-' && v > seg->size)
		return shm_error(seg->name, "SIZE '%s': smaller than nothing "
		    "(size %llu)", n->text, (unsigned long long)seg->size);
	if (n->sign == '+' && v > INT64_MAX - seg->size)
		return shm_error(seg->name, "SIZE '%s': number too large",
		    n->text);
	*size = n->sign == 0 ? v : n->sign == '+' ? seg->size + v :
	    seg->size - v;
	return SHM_OK;
}

static int
resize_under_lock(struct segment *seg, const struct new_size *n, bool shrink,
    struct cursor *cur)
{
	uint64_t size = 0;
	char was[64];
	int rc;

	/* Exclusive: no shm reader or writer is inside the part cut off. */
	if ((rc = segment_lock(seg, true)) != SHM_OK ||
	    (rc = new_size(seg, n, &size)) != SHM_OK)
		return rc;
	segment_identity(seg, was, sizeof(was));
	/* --shrink would not help one whose size cannot change. */
	if (size != seg->size &&
	    (rc = segment_resizable(seg, "be resized")) != SHM_OK)
		return rc;
	if (size < seg->size && !shrink)
		return shm_error(seg->name, "shrinking to %llu bytes destroys "
		    "%llu; --shrink allows it", (unsigned long long)size,
		    (unsigned long long)(seg->size - size));
	/* A cursor cut off is made ready to move before anything is cut. */
	if ((rc = cursor_open(seg, cur, CURSOR_LOOK)) != SHM_OK ||
	    (cur->pos > size && (rc = cursor_open(seg, cur, CURSOR_MOVE)) !=
	    SHM_OK) ||
	    (rc = segment_resize(seg, size)) != SHM_OK)
		return rc;
	cursor_keep_up(seg, was);
	return cur->pos > size ? cursor_save(cur, size) : SHM_OK;
}

static int
resize(struct segment *seg, const struct new_size *n, bool shrink)
{
	struct cursor cur = { .fd = -1 };
	int rc;

	rc = resize_under_lock(seg, n, shrink, &cur);
	cursor_close(&cur);
	return rc;
}

int
cmd_resize(int argc, char **argv)
{
	struct opt_parser p;
	struct segment seg;
	struct new_size n;
	bool shrink = false;
	const char *err;
	int c, rc;

	opt_init(&p, argc, argv, &resize_help);
	while ((c = opt_next(&p)) != OPT_END) {
		if (c != 's')
			return opt_stop(c);
		shrink = true;
	}
	if (opt_operands(&p, 2, 2, "NAME SIZE") != SHM_OK)
		return SHM_FAIL;
	n.text = p.argv[1];
	if ((err = number_signed(n.text, &n.sign, &n.value)) != NULL)
		return opt_bad_value("SIZE", n.text, err);
	/* One ftruncate, done whole: a signal waits for it. */
	interrupt_catch();
	if ((rc = segment_open(&seg, p.argv[0], SEGMENT_WRITE)) != SHM_OK)
		return rc;
	rc = resize(&seg, &n, shrink);
	segment_close(&seg);
	return rc;
}
