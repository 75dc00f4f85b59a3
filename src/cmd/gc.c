/* cmd/gc.c - remove the objects nothing uses and nothing changed for long */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "fmt/json.h"
#include "fmt/number.h"
#include "lib/cursor.h"
#include "lib/users.h"
#include "seg/map.h"
#include "seg/sysv.h"
#include "util/opt.h"
#include "util/shm.h"
#include "util/text.h"

static const char usage[] =
"usage: shm gc --older-than DURATION [-n] [--json] [--sysv] [--all-users]\n"
"\n"
"Remove the POSIX objects that no process maps, holds open or locks, and\n"
"that nothing modified for DURATION (30s, 10m, 2h, 7d), with the hidden\n"
"temporaries a killed shm command left; print each one's name and size.\n"
"Only the caller's own objects, unless --all-users.\n";

enum { OPT_OLDER = OPT_LONG, OPT_SYSV, OPT_ALL_USERS };

static const struct opt options[] = {
	{ OPT_OLDER, "older-than", OPT_VALUE, "DURATION",
	    "only what nothing modified for this long: digits and s, m, h or "
	    "d (required)", NULL },
	{ 'n', "dry-run", OPT_FLAG, NULL,
	    "remove nothing; print what would be removed", NULL },
	{ 'j', "json", OPT_FLAG, NULL, "print a JSON array of objects instead",
	    NULL },
	{ OPT_SYSV, "sysv", OPT_FLAG, NULL,
	    "also remove SysV segments nothing is attached to whose creator "
	    "process is gone", NULL },
	{ OPT_ALL_USERS, "all-users", OPT_FLAG, NULL,
	    "every user's objects, not only the caller's (root)", NULL },
	{ 0 },
};

const struct opt_command gc_help = {
	usage, options, NULL, { NULL }
};

/* The options, set once by cmd_gc. */
static struct {
	bool	 dry_run, json, sysv, all_users;
	time_t	 before;	/* modified at or before: old enough */
} opts;

/* What the run met, for the end. */
struct tally {
	int			 printed;
	int			 unsure;	/* kept: users not all seen */
	struct users_missed	 missed;
	int			 rc;
};

static void
print_removed(struct tally *t, const char *kind, const char *name,
    uint64_t size, uint64_t allocated)
{
	if (!opts.json) {
		text_print(stdout, name);
		printf("\t%llu\n", (unsigned long long)size);
	} else {
		printf("%s\n  {\"name\": ", t->printed == 0 ? "[" : ",");
		json_string(stdout, name);
		printf(", \"kind\": \"%s\", \"size\": %llu, \"allocated\": "
		    "%llu}", kind, (unsigned long long)size,
		    (unsigned long long)allocated);
	}
	t->printed++;
}

/*
 * Whether anyone else maps it, holds it open or holds or waits for its
 * lock.  A process that could not be inspected (another user's, when
 * not root) may use it only if its mode lets others open it: then the
 * object is kept, as unsure.
 */
static bool
in_use(const struct segment *seg, struct tally *t)
{
	struct users_missed m;
	int users;

	if (users_count(&seg->st, &users, &m) != SHM_OK) {
		t->rc = SHM_FAIL;
		return true;
	}
	if (users > 0)
		return true;
	if (m.total == 0 ||
	    (users_only_denied(&m) && (seg->st.st_mode & 077) == 0))
		return false;
	users_join_missed(&t->missed, &m);
	t->unsure++;
	return true;
}

static bool
candidate(const struct segment_entry *e)
{
	if (e->name[0] == '.' && !segment_is_temporary(e->name))
		return false;
	if (strncmp(e->name, "sem.", 4) == 0)
		return false;
	if (!opts.all_users && e->st.st_uid != getuid())
		return false;
	return e->st.st_mtime <= opts.before;
}

/* One object: claim it, look again at its age and users, remove it. */
static void
collect(const struct segment_entry *e, struct tally *t)
{
	struct segment seg;
	char object[NAME_MAX + 2];
	bool removed = opts.dry_run;
	int rc;

	snprintf(object, sizeof(object), "/%s", e->name);
	if ((rc = segment_claim(&seg, object)) != SHM_OK) {
		if (rc != LOCK_TIMEOUT)
			t->rc = SHM_FAIL;
		return;
	}
	/* Under the lock: modified since the listing, or in use, it stays. */
	if (seg.st.st_mtime > opts.before || in_use(&seg, t)) {
		segment_close(&seg);
		return;
	}
	if (!opts.dry_run && segment_remove_claimed(&seg, &removed) != SHM_OK)
		t->rc = SHM_FAIL;
	if (removed)
		print_removed(t, segment_is_temporary(e->name) ? "temporary" :
		    "object", e->name, (uint64_t)seg.st.st_size,
		    (uint64_t)seg.st.st_blocks * 512);
	if (removed && !opts.dry_run && seg.st.st_nlink == 1 &&
	    cursor_forget(&seg.st) != SHM_OK)
		t->rc = SHM_FAIL;
	segment_close(&seg);
}

static int
collect_sysv(void *ctx, const struct sysv_orphan *o)
{
	struct tally *t = ctx;
	char name[32];
	bool removed = opts.dry_run;

	if (!opts.dry_run && sysv_remove_orphan(o->id, opts.before,
	    opts.all_users, &removed) != SHM_OK)
		t->rc = SHM_FAIL;
	snprintf(name, sizeof(name), "sysvid:%d", o->id);
	if (removed)
		print_removed(t, "sysv", name, o->size, o->allocated);
	return SHM_OK;
}

static int
collect_all(void)
{
	struct segment_listing l;
	struct tally t;
	size_t i;

	memset(&t, 0, sizeof(t));
	if (segment_list(&l, true) != SHM_OK)
		return SHM_FAIL;
	for (i = 0; i < l.n; i++)
		if (candidate(&l.v[i]))
			collect(&l.v[i], &t);
	segment_list_free(&l);
	if (opts.sysv && sysv_orphans(opts.before, opts.all_users,
	    collect_sysv, &t) != SHM_OK)
		t.rc = SHM_FAIL;
	if (opts.json)
		puts(t.printed == 0 ? "[]" : "\n]");
	if (t.unsure > 0) {
		shm_error(NULL, "%d object%s kept that others may open, as "
		    "not every process could be inspected:", t.unsure,
		    t.unsure == 1 ? "" : "s");
		if (!users_say_missed(NULL, &t.missed))
			t.rc = SHM_FAIL;
	}
	return t.rc;
}

int
cmd_gc(int argc, char **argv)
{
	struct opt_parser p;
	const char *err;
	uint64_t age;
	bool aged = false;
	int c;

	opt_init(&p, argc, argv, &gc_help);
	while ((c = opt_next(&p)) != OPT_END) {
		switch (c) {
		case OPT_OLDER:
			if ((err = number_duration(p.arg, &age)) != NULL)
				return opt_bad_value("--older-than", p.arg,
				    err);
			aged = true;
			break;
		case 'n': opts.dry_run = true; break;
		case 'j': opts.json = true; break;
		case OPT_SYSV: opts.sysv = true; break;
		case OPT_ALL_USERS: opts.all_users = true; break;
		default: return opt_stop(c);
		}
	}
	if (p.npos != 0)
		return shm_usage_error("gc takes no arguments");
	if (!aged)
		return shm_usage_error("missing --older-than DURATION");
	opts.before = time(NULL) - (time_t)age;
	return collect_all();
}
