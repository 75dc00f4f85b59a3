/*
 * hexrange.c - a hex dump on two cores.  Both threads take chunks in
 * turn: each claims the next, reads it, formats it with a hexdump of its
 * own, and writes the text when the chunk before has all gone out.
 *
 * A chunk starts on a line of the dump, so its thread needs of what
 * came before only the squeeze state, which the last few lines settle
 * (hexdump_resume): the claim hands them over with the chunk.  The
 * claims and reads are in order, under one lock: reads update the
 * segment's record of its holes, and each chunk's lines before are then
 * what its neighbour read.  Reading is the cheaper half, so the lock
 * costs little.  A thread's buffer holds a whole chunk's text, so the
 * turn is waited for only at the end of a chunk, but for a hole's long
 * run shown whole (-v), which fills it and waits.
 *
 * An error stops both, after the chunks before the one that failed have
 * gone out: the thread that failed says so, and the other stops at its
 * next claim or turn.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hexrange.h"
#include "util/shm.h"
#include "util/worker.h"

#define LINE_BYTES	16

struct hexrange;

/* One thread's: its dump, its chunk, and the chunk's place in order. */
struct share {
	struct hexrange		*r;
	struct hexdump		*h;
	unsigned char		*buf;
	const unsigned char	*data;		/* buf, zeros, SysV memory */
	uint64_t		 off;
	size_t			 got;
	uint64_t		 ticket;	/* the chunk's place */
	uint64_t		 next;		/* h's last chunk's end */
	unsigned char		 before[HEXDUMP_RESUME_BYTES];
	size_t			 before_len;
	struct error_line	 line;		/* held while it works */
};

struct hexrange {
	struct segment		*seg;
	const unsigned char	*zeros;
	size_t			 zeros_len;
	uint64_t		 start, end;
	size_t			 size;		/* of a chunk read */
	int			 fd;
	const char		*fdname;
	/* Under read_mu: claims and reads, in order. */
	pthread_mutex_t		 read_mu;
	uint64_t		 off;		/* the next chunk's */
	uint64_t		 claimed;
	unsigned char		 tail[HEXDUMP_RESUME_BYTES];
	size_t			 tail_len;	/* last bytes read */
	struct share		*last;		/* the last chunk's */
	/* Under turn_mu: writes, in order. */
	pthread_mutex_t		 turn_mu;
	pthread_cond_t		 turn_cv;
	uint64_t		 turn;		/* the ticket that writes */
	uint64_t		 stop_at;	/* first chunk failed */
	struct share		*failed;	/* ...by this one */
	bool			 broken_pipe;
	struct share		 share[2];
};

/*
 * The chunks before the one that failed still go out, and no chunk
 * after it: what one thread would have printed.  Only the first
 * failure in that order says so: one cause, one line.
 */
static void
stop(struct share *s, bool broken_pipe)
{
	struct hexrange *r = s->r;

	pthread_mutex_lock(&r->turn_mu);
	if (s->ticket < r->stop_at) {
		r->stop_at = s->ticket;
		r->failed = s;
		r->broken_pipe = broken_pipe;
	}
	pthread_cond_broadcast(&r->turn_cv);
	pthread_mutex_unlock(&r->turn_mu);
}

static bool
stopped(struct hexrange *r)
{
	bool failed;

	pthread_mutex_lock(&r->turn_mu);
	failed = r->failed != NULL;
	pthread_mutex_unlock(&r->turn_mu);
	return failed;
}

/* False if stopped instead: a chunk before this one failed. */
static bool
wait_turn(struct share *s)
{
	struct hexrange *r = s->r;
	bool go;

	pthread_mutex_lock(&r->turn_mu);
	while (r->turn != s->ticket && s->ticket < r->stop_at)
		pthread_cond_wait(&r->turn_cv, &r->turn_mu);
	go = s->ticket < r->stop_at;
	pthread_mutex_unlock(&r->turn_mu);
	return go;
}

/* The hexdump's sink: text goes out only in its chunk's turn. */
static int
write_in_turn(void *arg, const char *text, size_t len)
{
	struct share *s = arg;
	struct hexrange *r = s->r;

	if (!wait_turn(s))
		return -1;
	if (shm_write_all(r->fd, text, len) == 0)
		return 0;
	shm_perror(r->fdname);
	stop(s, errno == EPIPE);
	return -1;
}

static int
pass_turn(struct share *s)
{
	struct hexrange *r = s->r;

	/* A chunk with no text waits too: its turn is passed in order. */
	if (!wait_turn(s) || hexdump_flush(s->h) != 0)
		return -1;
	pthread_mutex_lock(&r->turn_mu);
	r->turn++;
	pthread_cond_broadcast(&r->turn_cv);
	pthread_mutex_unlock(&r->turn_mu);
	return 0;
}

static size_t
past_line(const struct hexrange *r, uint64_t off)
{
	return (size_t)((off - r->start) % LINE_BYTES);
}

/*
 * A chunk ends on a line, or at the end, so that the next one's thread
 * can resume there: a hole's is cut back to its last line; data that a
 * hole cuts short is read on (into buf) to the end of its line.
 */
static int
end_on_line(struct hexrange *r, struct share *s)
{
	uint64_t end = s->off + s->got;
	const unsigned char *data;
	size_t cut = past_line(r, end), got;
	int rc;

	if (end == r->end || cut == 0)
		return SHM_OK;
	if (s->data == r->zeros && s->got > cut) {
		s->got -= cut;
		return SHM_OK;
	}
	if (s->data != s->buf)	/* a part line of zeros */
		memcpy(s->buf, s->data, s->got);
	s->data = s->buf;
	for (; end != r->end && past_line(r, end) != 0; end += got) {
		rc = segment_read_sparse(r->seg, end, s->buf + s->got,
		    (size_t)shm_min(LINE_BYTES - past_line(r, end),
		    r->end - end), &data, &got);
		if (rc != SHM_OK)
			return rc;
		if (data != s->buf + s->got)
			memcpy(s->buf + s->got, data, got);
		s->got += got;
	}
	return SHM_OK;
}

/*
 * Up to a chunk's size, or a hole's run of zeros as long as the shared
 * zeros: a chunk costs a turn passed, a wake-up (60 ms a GiB of holes
 * in 256 KiB chunks), and a squeezed run takes zeros without a look.
 */
static int
read_chunk(struct hexrange *r, struct share *s)
{
	uint64_t data, hole;
	int rc;

	rc = segment_read_sparse(r->seg, s->off, s->buf,
	    (size_t)shm_min(r->end - s->off, r->size), &s->data, &s->got);
	if (rc != SHM_OK)
		return rc;
	if (s->data == r->zeros && segment_in_hole(r->seg, s->off, &data)) {
		hole = shm_min(shm_min(data, r->end), s->off + r->zeros_len) -
		    s->off;
		if (hole > s->got)
			s->got = (size_t)hole;
	}
	return end_on_line(r, s);
}

/* The last HEXDUMP_RESUME_BYTES of what was read, for the next chunk. */
static void
keep_tail(struct hexrange *r, const unsigned char *data, size_t len)
{
	size_t keep;

	if (len >= sizeof(r->tail)) {
		memcpy(r->tail, data + len - sizeof(r->tail), sizeof(r->tail));
		r->tail_len = sizeof(r->tail);
		return;
	}
	keep = shm_min(r->tail_len, sizeof(r->tail) - len);
	memmove(r->tail, r->tail + r->tail_len - keep, keep);
	memcpy(r->tail + keep, data, len);
	r->tail_len = keep + len;
}

/* The next chunk, read: false at the end, or when stopped. */
static bool
claim(struct hexrange *r, struct share *s)
{
	bool claimed;

	pthread_mutex_lock(&r->read_mu);
	claimed = r->off < r->end && !stopped(r);
	if (claimed) {
		s->off = r->off;
		s->ticket = r->claimed++;
		memcpy(s->before, r->tail, r->tail_len);
		s->before_len = r->tail_len;
		if (read_chunk(r, s) != SHM_OK) {
			stop(s, false);
			claimed = false;
		} else {
			r->off += s->got;
			keep_tail(r, s->data, s->got);
			r->last = s;
		}
	}
	pthread_mutex_unlock(&r->read_mu);
	return claimed;
}

/* Resumes where the chunk starts, unless this dump ended there. */
static int
format(struct share *s)
{
	const struct hexrange *r = s->r;

	if (s->off != s->next)
		hexdump_resume(s->h, s->off, s->before, s->before_len);
	s->next = s->off + s->got;
	if (s->data == r->zeros)
		return hexdump_feed_zeros(s->h, s->data, s->got);
	return hexdump_feed(s->h, s->data, s->got);
}

/* Its messages are held: if both fail, only the first's is printed. */
static void *
work(void *arg)
{
	struct share *s = arg;

	shm_error_hold(&s->line);
	while (claim(s->r, s) && format(s) == 0 && pass_turn(s) == 0)
		continue;
	shm_error_hold(NULL);
	return NULL;
}

static bool
start_share(struct hexrange *r, struct share *s,
    const struct hexdump_options *options)
{
	s->r = r;
	s->next = r->start;
	s->buf = malloc(r->size);
	s->h = hexdump_new(options, r->start, hexdump_room(r->size),
	    write_in_turn, s);
	return s->buf != NULL && s->h != NULL;
}

static void
end_share(struct share *s)
{
	hexdump_free(s->h);
	free(s->buf);
}

/* Both threads' work, or the main thread's alone. */
static void
run(struct hexrange *r, bool threads)
{
	pthread_t thread;

	r->share[1].next = UINT64_MAX;	/* never a chunk's start */
	if (!threads || r->end - r->start <= r->size || !worker_useful() ||
	    !worker_start(&thread, work, &r->share[1])) {
		work(&r->share[0]);
		return;
	}
	work(&r->share[0]);
	pthread_join(thread, NULL);
}

/* The closing lines go after all, from the dump that saw the end. */
static int
finish(struct hexrange *r)
{
	struct share *s = r->last != NULL ? r->last : &r->share[0];

	if (r->failed != NULL)
		return SHM_FAIL;
	s->ticket = r->turn;
	return hexdump_finish(s->h) == 0 ? SHM_OK : SHM_FAIL;
}

int
hexrange_dump(struct segment *seg, const struct hexdump_options *options,
    uint64_t off, uint64_t len, size_t chunk, bool threads, int fd,
    const char *fdname)
{
	struct hexrange *r = calloc(1, sizeof(*r));
	int rc = SHM_FAIL;

	if (r == NULL)
		return shm_perror(seg->name);
	r->seg = seg;
	r->start = r->off = off;
	r->end = off + len;
	r->size = chunk;
	r->fd = fd;
	r->fdname = fdname;
	r->stop_at = UINT64_MAX;
	r->zeros = segment_zeros(&r->zeros_len);
	pthread_mutex_init(&r->read_mu, NULL);
	pthread_mutex_init(&r->turn_mu, NULL);
	pthread_cond_init(&r->turn_cv, NULL);
	if (!start_share(r, &r->share[0], options) ||
	    !start_share(r, &r->share[1], options))
		shm_perror(seg->name);
	else {
		run(r, threads);
		/* Dead of it, as the main thread's own write would be. */
		if (r->broken_pipe)
			raise(SIGPIPE);
		if (r->failed != NULL)
			shm_error_print(&r->failed->line);
		rc = finish(r);
	}
	end_share(&r->share[0]);
	end_share(&r->share[1]);
	pthread_cond_destroy(&r->turn_cv);
	pthread_mutex_destroy(&r->turn_mu);
	pthread_mutex_destroy(&r->read_mu);
	free(r);
	return rc;
}
