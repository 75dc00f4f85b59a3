/*
 * changelog.c - shm watch's change log.
 *
 * A line a change: the look's time, then offset, length, old and new
 * bytes in hex; a change of size "size OLD NEW"; the end "removed" or
 * "replaced".  With --as, a line a value that changed: "INDEX OLD NEW"
 * as read --as prints them, or a layout's "NAME OLD NEW".  Fields are tab-separated; --json gives an
 * object a line instead.  Every look's lines are flushed before the
 * next look, so a reader sees a change as soon as it is seen.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/hex.h"
#include "fmt/json.h"
#include "lib/changelog.h"
#include "util/shm.h"

/* The line's start: the time, then the field or key that follows. */
static void
put_time(const struct changelog *l)
{
	char t[WATCHING_TIME_LEN];

	watching_format_time(&l->v->time, t);
	if (l->json)
		printf("{\"time\":\"%s\",", t);
	else
		printf("%s\t", t);
}

/* One more change printed: SHM_DONE once --count is reached. */
static int
counted(struct changelog *l)
{
	fputs(l->json ? "}\n" : "\n", stdout);
	if (ferror(stdout))
		return shm_flush_output();
	return ++l->count == l->max ? SHM_DONE : SHM_OK;
}

static int
put_bytes(struct changelog *l, uint64_t off, const unsigned char *was,
    const unsigned char *now, size_t len)
{
	put_time(l);
	printf(l->json ? "\"offset\":%" PRIu64 ",\"length\":%zu,\"old\":\"" :
	    "%" PRIu64 "\t%zu\t", off, len);
	hex_print(stdout, was, len);
	fputs(l->json ? "\",\"new\":\"" : "\t", stdout);
	hex_print(stdout, now, len);
	if (l->json)
		putchar('"');
	return counted(l);
}

static int
put_run(void *ctx, size_t at, const unsigned char *was,
    const unsigned char *now, size_t len)
{
	struct changelog *l = ctx;
	const struct change *c = &l->v->c;
	size_t n;
	int rc;

	if (l->sf != NULL) {
		/* The first run of a look: the range is still as it was. */
		if (!l->dirty)
			memcpy(l->before, c->was, c->len);
		l->dirty = true;
		return SHM_OK;
	}
	for (; len > 0; at += n, was += n, now += n, len -= n) {
		n = len < CHANGELOG_LINE_MAX ? len : CHANGELOG_LINE_MAX;
		if ((rc = put_bytes(l, c->off + at, was, now, n)) != SHM_OK)
			return rc;
	}
	return SHM_OK;
}

static int
put_size(void *ctx, uint64_t from, uint64_t to)
{
	struct changelog *l = ctx;

	put_time(l);
	printf(l->json ? "\"event\":\"size\",\"old_size\":%" PRIu64
	    ",\"new_size\":%" PRIu64 : "size\t%" PRIu64 "\t%" PRIu64, from,
	    to);
	return counted(l);
}

static int
put_end(void *ctx, enum watching_end why)
{
	struct changelog *l = ctx;
	const char *what = why == WATCHING_REMOVED ? "removed" : "replaced";

	l->ended = true;
	put_time(l);
	printf(l->json ? "\"event\":\"%s\"}\n" : "%s\n", what);
	return shm_flush_output() == SHM_OK ? SHM_DONE : SHM_FAIL;
}

/* Value i of record r: "LABEL OLD NEW" (values_label's label). */
static int
put_value(struct changelog *l, uint64_t r, size_t i)
{
	char label[VALUES_LABEL_MAX];
	bool named;

	named = values_label(l->names, l->sf, r, l->records, i, label);
	put_time(l);
	if (!l->json) {
		printf("%s\t%s\t%s", label, values_at(&l->values[0], i),
		    values_at(&l->values[1], i));
		return counted(l);
	}
	if (named) {
		fputs("\"field\":", stdout);
		json_string(stdout, label);
	} else {
		printf("\"index\":%s", label);
	}
	fputs(",\"old\":", stdout);
	json_string(stdout, values_at(&l->values[0], i));
	fputs(",\"new\":", stdout);
	json_string(stdout, values_at(&l->values[1], i));
	return counted(l);
}

/* --as: the values that differ between before and now. */
static int
put_values(struct changelog *l, const struct change *c)
{
	size_t size = l->sf->size, i;
	uint64_t r;
	int rc;

	for (r = 0; r < l->records; r++) {
		if (values_unpack(&l->values[0], l->sf, l->before + r * size) ||
		    values_unpack(&l->values[1], l->sf, c->was + r * size))
			return shm_perror(l->v->seg->name);
		for (i = 0; i < l->values[0].n; i++)
			if (values_differ(&l->values[0], &l->values[1], i) &&
			    (rc = put_value(l, r, i)) != SHM_OK)
				return rc;
	}
	return SHM_OK;
}

static int
looked(void *ctx, const struct change *c)
{
	struct changelog *l = ctx;
	int rc = SHM_OK;

	/* Cut short, the records are not all there to compare. */
	if (l->dirty && c->len == l->records * l->sf->size)
		rc = put_values(l, c);
	l->dirty = false;
	if (fflush(stdout) != 0 && rc == SHM_OK)
		return shm_flush_output();
	return rc;
}

int
changelog_init(struct changelog *l, struct watching *v, bool json,
    uint64_t max, const struct structfmt *sf, const struct layout *names,
    uint64_t records, struct watching_sink *s)
{
	memset(l, 0, sizeof(*l));
	l->v = v;
	l->json = json;
	l->max = max;
	l->sf = sf;
	l->names = names;
	l->records = records;
	s->run = put_run;
	s->resized = put_size;
	s->ended = put_end;
	s->looked = looked;
	s->ctx = l;
	if (sf != NULL && (l->before = malloc(records * sf->size + 1)) == NULL)
		return shm_perror(NULL);
	return SHM_OK;
}

void
changelog_free(struct changelog *l)
{
	free(l->before);
	values_free(&l->values[0]);
	values_free(&l->values[1]);
}
