/*
 * watching.c - shm watch's loop.
 *
 * Each look compares the range with the copy the last look left (the
 * first, with what it was at the start), so changes made between two
 * looks are seen as one, old and new: none is lost, though a byte
 * changed and changed back between two looks is not seen to change.
 * The name, and the size with it, is looked at as wait --change looks.
 */
#include <stdio.h>
#include <time.h>

#include "lib/watching.h"
#include "util/shm.h"

void
watching_format_time(const struct timespec *t, char *buf)
{
	struct tm tm;
	size_t n;

	gmtime_r(&t->tv_sec, &tm);
	n = strftime(buf, WATCHING_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, WATCHING_TIME_LEN - n, ".%06ldZ",
	    t->tv_nsec / 1000);
}

/*
 * The name and the size: a change of size is told, then the range is
 * fitted to it, and all of it compared (the grown part with zeros).
 */
static int
look_at_name(struct watching *v, const struct watching_sink *s,
    unsigned *how)
{
	struct change *c = &v->c;
	uint64_t was = c->size;
	bool told;
	int rc;

	switch (segment_check_name(v->seg)) {
	case SEGMENT_REMOVED:
		return s->ended(s->ctx, WATCHING_REMOVED);
	case SEGMENT_REPLACED:
		return s->ended(s->ctx, WATCHING_REPLACED);
	default:
		break;
	}
	if (v->seg->size == was)
		return SHM_OK;
	told = change_resized(c, v->seg->size);
	if ((rc = change_resize(c, v->seg)) != SHM_OK)
		return rc;
	if (!told)
		return SHM_OK;
	*how |= LOOK_ALL;
	return s->resized(s->ctx, was, v->seg->size);
}

static int
look(struct watching *v, const struct watching_sink *s, unsigned how)
{
	bool changed;
	int rc;

	clock_gettime(CLOCK_REALTIME, &v->time);
	if ((how & LOOK_NAME) && (rc = look_at_name(v, s, &how)) != SHM_OK)
		return rc;
	/* Paused, changes wait to be seen together, after. */
	how &= v->paused ? 0U : ~(unsigned)LOOK_NAME;
	if ((rc = change_look(&v->c, v->seg, how, &changed)) != SHM_OK)
		return rc;
	return s->looked(s->ctx, &v->c);
}

int
watching_run(struct watching *v, struct segment *seg, const char *offset,
    uint64_t length, double timeout, long interval_ns,
    const struct watching_sink *s)
{
	struct segment_notify n;
	struct timespec named;
	struct watch w;
	unsigned what;
	int rc;

	v->seg = seg;
	/* Before the first look: what comes after it is reported. */
	segment_notify_start(seg, &n);
	if ((rc = change_start(&v->c, seg, offset, length)) != SHM_OK)
		goto out;
	v->c.emit = s->run;
	v->c.ctx = s->ctx;
	watch_start(&w, timeout);
	if (interval_ns > 0)
		watch_every(&w, interval_ns);
	clock_gettime(CLOCK_MONOTONIC, &named);
	while (segment_notify_sleep(&n, &w, &what)) {
		if ((rc = look(v, s, change_how(what, false, &n, &named))) !=
		    SHM_OK)
			break;
		watch_pace(&w);
	}
out:
	change_free(&v->c);
	segment_notify_stop(&n);
	return rc == SHM_DONE ? SHM_OK : rc;
}
