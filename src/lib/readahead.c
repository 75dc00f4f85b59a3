/*
 * readahead.c - two chunks of a range: the caller's, and the next, which
 * a worker thread reads meanwhile.  With one processor, or no thread to
 * be had, the caller reads each chunk itself when it asks for it.
 *
 * Only the reader touches the segment while it runs: its reads update
 * the segment's record of where the holes are.
 */
#include <stdlib.h>

#include "lib/readahead.h"
#include "util/worker.h"

/*
 * Reads the next chunk of the range into c: nothing past the end.  A
 * hole's chunk costs no reading, and a chunk handed over costs two
 * threads a wake-up each (some 15 us here, 60 ms a GiB of holes in
 * 256 KiB chunks): it takes as much of the hole as the shared zeros
 * hold.
 */
static void
read_chunk(struct readahead *ra, struct readahead_chunk *c, uint64_t off)
{
	uint64_t data, hole;
	size_t zeros;

	c->got = 0;
	c->data = c->buf;
	c->rc = off == ra->end ? SHM_OK : segment_read_sparse(ra->seg, off,
	    c->buf, (size_t)shm_min(ra->end - off, ra->size), &c->data,
	    &c->got);
	if (c->rc != SHM_OK || c->data != segment_zeros(&zeros) ||
	    !segment_in_hole(ra->seg, off, &data))
		return;
	hole = shm_min(shm_min(data, ra->end), off + zeros) - off;
	if (hole > c->got)
		c->got = (size_t)hole;
}

static void *
reader(void *arg)
{
	struct readahead *ra = arg;
	struct readahead_chunk *c;
	unsigned i = 0;
	uint64_t off;

	shm_error_hold(&ra->line);
	pthread_mutex_lock(&ra->mu);
	for (;;) {
		c = &ra->chunk[i];
		while (!ra->stop && c->ready)
			pthread_cond_wait(&ra->cv, &ra->mu);
		if (ra->stop)
			break;
		off = ra->off;
		pthread_mutex_unlock(&ra->mu);
		read_chunk(ra, c, off);
		pthread_mutex_lock(&ra->mu);
		ra->off += c->got;
		c->ready = true;
		pthread_cond_broadcast(&ra->cv);
		/* The end, or an error: the caller gets it, and stops. */
		if (c->got == 0 || c->rc != SHM_OK)
			break;
		i ^= 1;
	}
	pthread_mutex_unlock(&ra->mu);
	return NULL;
}

int
readahead_start(struct readahead *ra, struct segment *seg, uint64_t off,
    uint64_t len, size_t size)
{
	*ra = (struct readahead){ .seg = seg, .off = off, .end = off + len,
	    .size = size };
	ra->chunk[0].buf = malloc(size);
	ra->chunk[1].buf = malloc(size);
	if (ra->chunk[0].buf == NULL || ra->chunk[1].buf == NULL) {
		readahead_end(ra);
		return shm_perror(seg->name);
	}
	/* Two chunks' worth at least, or there is nothing to overlap. */
	if (len <= size || !worker_useful())
		return SHM_OK;
	pthread_mutex_init(&ra->mu, NULL);
	pthread_cond_init(&ra->cv, NULL);
	ra->threaded = worker_start(&ra->thread, reader, ra);
	if (!ra->threaded) {
		pthread_cond_destroy(&ra->cv);
		pthread_mutex_destroy(&ra->mu);
	}
	return SHM_OK;
}

int
readahead_next(struct readahead *ra, const unsigned char **data,
    size_t *got)
{
	struct readahead_chunk *c = &ra->chunk[ra->next];

	if (!ra->threaded) {
		read_chunk(ra, c, ra->off);
		ra->off += c->got;
	} else {
		pthread_mutex_lock(&ra->mu);
		if (ra->given) {
			ra->chunk[ra->next ^ 1].ready = false;
			pthread_cond_broadcast(&ra->cv);
		}
		while (!c->ready)
			pthread_cond_wait(&ra->cv, &ra->mu);
		pthread_mutex_unlock(&ra->mu);
		if (c->rc != SHM_OK)
			shm_error_print(&ra->line);
	}
	ra->given = true;
	ra->next ^= 1;
	*data = c->data;
	*got = c->got;
	return c->rc;
}

void
readahead_end(struct readahead *ra)
{
	if (ra->threaded) {
		pthread_mutex_lock(&ra->mu);
		ra->stop = true;
		pthread_cond_broadcast(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
		pthread_join(ra->thread, NULL);
		pthread_cond_destroy(&ra->cv);
		pthread_mutex_destroy(&ra->mu);
		ra->threaded = false;
	}
	free(ra->chunk[0].buf);
	free(ra->chunk[1].buf);
	ra->chunk[0].buf = ra->chunk[1].buf = NULL;
}
