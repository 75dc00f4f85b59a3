/* cmd/create.c - make a new segment, zero-filled or from a file */
#include <stdio.h>

#include "cmd/commands.h"
#include "lib/cursor.h"
#include "lib/input.h"
#include "util/interrupt.h"
#include "seg/map.h"
#include "fmt/number.h"
#include "util/opt.h"
#include "util/progress.h"
#include "util/shm.h"

static const char usage[] =
"usage: shm create [-m MODE] [--force | --exist-ok] NAME SIZE\n"
"       shm create [-m MODE] [--force | --exist-ok] [--progress]\n"
"                  --from FILE NAME [SIZE]\n"
"\n"
"Make a segment of SIZE zero bytes, or one holding FILE ('-' for standard\n"
"input) and sized to it, or to SIZE if that is larger.  No reader ever\n"
"sees it half-filled: it is built under a hidden name, then published.\n";

enum { OPT_FROM = OPT_LONG, OPT_PROGRESS };

static const struct opt options[] = {
	{ 'm', "mode", OPT_VALUE, "MODE", "permissions, in octal (default 600)",
	    NULL },
	{ 'f', "force", OPT_FLAG, NULL,
	    "replace an existing NAME, in one atomic step", NULL },
	{ 'e', "exist-ok", OPT_FLAG, NULL,
	    "leave an existing NAME as it is and succeed", NULL },
	{ OPT_FROM, "from", OPT_VALUE, "FILE",
	    "copy FILE in ('-': standard input)", OPT_FILE },
	PROGRESS_OPTION(OPT_PROGRESS),
	{ 0 },
};

const struct opt_command create_help = {
	usage, options, NULL, { OPT_SEGMENT }
};

struct create_args {
	const char	*name;
	const char	*from;
	uint64_t	 size;
	bool		 sized;
	unsigned	 mode;
	bool		 force;
	bool		 exist_ok;
	bool		 progress;
};

static int
fill_from(struct segment *seg, const struct create_args *a,
    struct input *src)
{
	uint64_t size = a->sized && a->size > src->len ? a->size : src->len;
	uint64_t copied;
	int rc;

	if (!src->sized) {
		/* One byte more than SIZE is enough to know it is too long. */
		copied = 0;
		if ((rc = segment_copy_stream(seg, 0, src->fd, src->name,
		    a->sized ? a->size + 1 : UINT64_MAX, &copied)) != SHM_OK)
			return rc;
		if (interrupt_caught())
			return shm_error(a->name, "interrupted by %s after "
			    "%llu bytes", interrupt_name(),
			    (unsigned long long)copied);
		if (a->sized && copied > a->size)
			return shm_error(a->name, "%s has more than SIZE (%llu "
			    "bytes); nothing created", src->name,
			    (unsigned long long)a->size);
		return segment_resize(seg, a->sized ? a->size : copied);
	}
	if (a->sized && src->len > a->size)
		return shm_error(a->name, "%s has %llu bytes, more than SIZE "
		    "(%llu); nothing created", src->name,
		    (unsigned long long)src->len, (unsigned long long)a->size);
	/*
	 * The copy claims the space of the source's data first: not for
	 * atomicity (a failed copy into the unpublished file leaves nothing
	 * behind anyway) but for speed, as tmpfs allocates a fallocate'd
	 * range in one go, faster and steadier than page by page.  Holes
	 * are not claimed, and stay holes.
	 */
	if ((rc = segment_resize(seg, size)) != SHM_OK)
		return rc;
	return segment_copy_in_sparse(seg, 0, src->fd, src->name, src->len);
}

static int
fill(struct segment *seg, const struct create_args *a)
{
	struct input src;
	int rc;

	/* Zero-filled is sparse, as ftruncate makes it: no memory till used. */
	if (a->from == NULL)
		return segment_resize(seg, a->size);
	if ((rc = input_open(&src, a->from)) == SHM_OK)
		rc = fill_from(seg, a, &src);
	input_close(&src);
	return rc;
}

static int
create(const struct create_args *a)
{
	struct progress progress;
	struct segment seg;
	bool exists;
	int rc;

	if (a->exist_ok) {
		if ((rc = segment_trust(a->name, a->mode, &exists)) != SHM_OK)
			return rc;
		if (exists)
			return SHM_OK;
	}
	if ((rc = segment_create(&seg, a->name, a->mode)) != SHM_OK)
		goto out;
	seg.progress = a->progress ? progress_start(&progress) : NULL;
	/* Its inode may be a removed segment's: drop that one's cursor. */
	if ((rc = fill(&seg, a)) != SHM_OK ||
	    (rc = cursor_forget(&seg.st)) != SHM_OK)
		goto out;
	rc = segment_publish(&seg, a->force ? PUBLISH_REPLACE :
	    a->exist_ok ? PUBLISH_KEEP : PUBLISH_NEW);
	progress_finish(seg.progress);
out:
	segment_close(&seg);
	return rc;
}

static int
parse_args(int argc, char **argv, struct create_args *a)
{
	struct opt_parser p;
	const char *err;
	int c;

	opt_init(&p, argc, argv, &create_help);
	while ((c = opt_next(&p)) != OPT_END) {
		switch (c) {
		case 'm':
			if ((err = number_mode(p.arg, &a->mode)) != NULL)
				return opt_bad_value("-m", p.arg, err);
			if (a->mode & 07000)
				return opt_bad_value("-m", p.arg, "setuid, "
				    "setgid and sticky bits are not for "
				    "segments");
			break;
		case 'f': a->force = true; break;
		case 'e': a->exist_ok = true; break;
		case OPT_FROM: a->from = p.arg; break;
		case OPT_PROGRESS: a->progress = true; break;
		default: return opt_stop(c);
		}
	}
	if (a->force && a->exist_ok)
		return shm_usage_error("--force and --exist-ok exclude each "
		    "other");
	if (opt_operands(&p, a->from != NULL ? 1 : 2, 2, "NAME SIZE") !=
	    SHM_OK)
		return SHM_FAIL;
	a->name = p.argv[0];
	if (p.npos == 2) {
		if ((err = number_size(p.argv[1], &a->size)) != NULL)
			return opt_bad_value("SIZE", p.argv[1], err);
		a->sized = true;
	}
	return SHM_OK;
}

int
cmd_create(int argc, char **argv)
{
	struct create_args a = { .mode = 0600 };
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != SHM_OK)
		return rc;
	interrupt_catch();
	return create(&a);
}
