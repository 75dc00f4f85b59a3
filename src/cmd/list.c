/* cmd/list.c - the POSIX shared-memory objects there are */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "fmt/facts.h"
#include "fmt/json.h"
#include "seg/map.h"
#include "util/opt.h"
#include "util/shm.h"
#include "seg/sysv.h"
#include "util/text.h"
#include "lib/deleted.h"
#include "lib/users.h"

static const char usage[] =
"usage: shm list [-a] [-l] [-H] [--json] [--total]\n"
"       shm list --sysv [-H] [--json]\n"
"       shm list --deleted [-H] [--json]\n"
"\n"
"List the POSIX shared-memory objects, sorted by name, one a line:\n"
"name, size, owner, mode and modification time (UTC), separated by tabs\n"
"for cut and awk.  A header comes first on a terminal, or with -H.\n"
"POSIX semaphores (sem.*) and hidden names (a create's unfinished\n"
"temporaries among them) are left out, as lsipc does, unless -a.\n";

enum { OPT_TOTAL = OPT_LONG, OPT_SYSV, OPT_DELETED };

static const struct opt options[] = {
	{ 'a', "all", OPT_FLAG, NULL, "list hidden names and semaphores too",
	    NULL },
	{ 'l', "long", OPT_FLAG, NULL,
	    "add the bytes each holds (allocated) and its users", NULL },
	{ 'H', "header", OPT_FLAG, NULL,
	    "print the header line even into a pipe", NULL },
	{ 'j', "json", OPT_FLAG, NULL, "print a JSON array of objects instead",
	    NULL },
	{ OPT_TOTAL, "total", OPT_FLAG, NULL,
	    "end with the file system's size, used and free bytes", NULL },
	{ OPT_SYSV, "sysv", OPT_FLAG, NULL,
	    "list the SysV segments instead, as ipcs -m: key, id, size, "
	    "owner, mode and the processes attached", NULL },
	{ OPT_DELETED, "deleted", OPT_FLAG, NULL,
	    "list instead the removed objects and memfds processes still hold "
	    "open or mapped, with a holder and a path to read each through",
	    NULL },
	{ 0 },
};

const struct opt_command list_help = {
	usage, options, NULL, { NULL }
};

/* The options, set once by cmd_list. */
static struct {
	bool	 all, lng, header, json, total, sysv, deleted;
} opts;

/* -l: what the scans of /proc met, said once after the listing. */
struct tally {
	struct users_missed	 missed;	/* the most of each reason */
	bool			 failed;	/* /proc unreadable, said */
};

/*
 * -l: how many processes use it (a scan of /proc per object), "-" when
 * that cannot be known.
 */
static void
users_of(const struct segment_entry *e, char *buf, size_t size,
    struct tally *t)
{
	struct users_missed m;
	int users;

	if (users_count(&e->st, &users, &m) != SHM_OK) {
		t->failed = true;
		snprintf(buf, size, "-");
		return;
	}
	users_join_missed(&t->missed, &m);
	if (users_only_denied(&m))
		snprintf(buf, size, "%d", users);
	else
		snprintf(buf, size, "-");
}

static void
print_entry(const struct segment_entry *e, bool first, struct tally *t)
{
	long long allocated = (long long)e->st.st_blocks * 512;
	char owner[64], when[32], users[16];

	facts_user(owner, sizeof(owner), e->st.st_uid);
	facts_time(when, sizeof(when), e->st.st_mtime);
	if (opts.lng)
		users_of(e, users, sizeof(users), t);
	if (!opts.json) {
		/* Escaped: a name holding a tab or newline forges no row. */
		text_print(stdout, e->name);
		printf("\t%lld\t", (long long)e->st.st_size);
		text_print(stdout, owner);
		printf("\t%04o\t%s", (unsigned)(e->st.st_mode & 07777), when);
		if (opts.lng)
			printf("\t%lld\t%s", allocated, users);
		putchar('\n');
		return;
	}
	printf("%s\n  {\"name\": ", first ? "[" : ",");
	json_string(stdout, e->name);
	printf(", \"size\": %lld, \"owner\": ", (long long)e->st.st_size);
	json_string(stdout, owner);
	printf(", \"mode\": \"%04o\", \"modified\": \"%s\"",
	    (unsigned)(e->st.st_mode & 07777), when);
	if (opts.lng)
		printf(", \"allocated\": %lld, \"users\": %s", allocated,
		    strcmp(users, "-") == 0 ? "null" : users);
	putchar('}');
}

/* --total: the file system's own figures, whatever is listed. */
static int
print_total(void)
{
	struct segment_space sp;

	if (segment_space(&sp) != SHM_OK)
		return SHM_FAIL;
	if (opts.json)
		printf(", \"total\": {\"size\": %llu, \"used\": %llu, "
		    "\"free\": %llu}}\n", (unsigned long long)sp.size,
		    (unsigned long long)sp.used, (unsigned long long)sp.avail);
	else
		printf("total\tsize %llu\tused %llu\tfree %llu\n",
		    (unsigned long long)sp.size, (unsigned long long)sp.used,
		    (unsigned long long)sp.avail);
	return SHM_OK;
}

static int
print_listing(const struct segment_listing *l)
{
	struct tally t;
	size_t i;
	int rc;

	if (opts.header && !opts.json)
		printf("NAME\tSIZE\tOWNER\tMODE\tMODIFIED%s\n",
		    opts.lng ? "\tALLOCATED\tUSERS" : "");
	/* With --total, JSON is one object: the array, then the total. */
	if (opts.json && opts.total)
		fputs("{\"objects\": ", stdout);
	memset(&t, 0, sizeof(t));
	for (i = 0; i < l->n; i++)
		print_entry(&l->v[i], i == 0, &t);
	if (opts.json)
		fputs(l->n == 0 ? "[]" : "\n]", stdout);
	if (opts.json && !opts.total)
		putchar('\n');
	rc = opts.total ? print_total() : SHM_OK;
	/* Once for the listing: each object's scan met the same processes. */
	if (!users_say_missed(NULL, &t.missed) || t.failed)
		rc = SHM_FAIL;
	return rc;
}

static void
print_deleted_file(const struct deleted_file *f, bool first)
{
	long long allocated = (long long)f->st.st_blocks * 512;

	if (!opts.json) {
		text_print(stdout, f->name);
		printf("\t%lld\t%lld\t%ld\t", (long long)f->st.st_size,
		    allocated, f->pid);
		text_print(stdout, f->command);
		printf("\t%s\n", f->path);
		return;
	}
	printf("%s\n  {\"name\": ", first ? "[" : ",");
	json_string(stdout, f->name);
	printf(", \"size\": %lld, \"allocated\": %lld, \"pid\": %ld, "
	    "\"command\": ", (long long)f->st.st_size, allocated, f->pid);
	json_string(stdout, f->command);
	printf(", \"path\": \"%s\"}", f->path);
}

/* --deleted: what removed segments hold, from a scan of /proc. */
static int
list_deleted(void)
{
	struct deleted_listing l;
	struct users_missed m;
	size_t i;
	int rc;

	if ((rc = deleted_scan(&l, &m)) != SHM_OK)
		return rc;
	if (opts.header && !opts.json)
		puts("NAME\tSIZE\tALLOCATED\tPID\tCOMMAND\tPATH");
	for (i = 0; i < l.n; i++)
		print_deleted_file(&l.v[i], i == 0);
	if (opts.json)
		puts(l.n == 0 ? "[]" : "\n]");
	deleted_free(&l);
	return users_say_missed(NULL, &m) ? SHM_OK : SHM_FAIL;
}

int
cmd_list(int argc, char **argv)
{
	struct segment_listing l;
	struct opt_parser p;
	int c, rc;

	opts.header = isatty(STDOUT_FILENO);
	opt_init(&p, argc, argv, &list_help);
	while ((c = opt_next(&p)) != OPT_END) {
		switch (c) {
		case 'a': opts.all = true; break;
		case 'l': opts.lng = true; break;
		case 'H': opts.header = true; break;
		case 'j': opts.json = true; break;
		case OPT_TOTAL: opts.total = true; break;
		case OPT_SYSV: opts.sysv = true; break;
		case OPT_DELETED: opts.deleted = true; break;
		default: return opt_stop(c);
		}
	}
	if (p.npos != 0)
		return shm_usage_error("list takes no arguments");
	if ((opts.sysv || opts.deleted) && (opts.all || opts.lng ||
	    opts.total || (opts.sysv && opts.deleted)))
		return shm_usage_error("--%s takes no -a, -l, --total or --%s",
		    opts.sysv ? "sysv" : "deleted",
		    opts.sysv ? "deleted" : "sysv");
	if (opts.sysv)
		return sysv_list(opts.json, opts.header);
	if (opts.deleted)
		return list_deleted();
	if ((rc = segment_list(&l, opts.all)) != SHM_OK)
		return rc;
	rc = print_listing(&l);
	segment_list_free(&l);
	return rc;
}
