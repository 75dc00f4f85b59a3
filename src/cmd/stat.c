/* cmd/stat.c - a segment's size, cursor, owner, mode and times */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "lib/cursor.h"
#include "fmt/facts.h"
#include "fmt/json.h"
#include "seg/map.h"
#include "util/opt.h"
#include "util/shm.h"
#include "util/text.h"
#include "lib/users.h"

static const char usage[] =
"usage: shm stat [--json | -f FIELD[,FIELD...]] NAME...\n"
"\n"
"Show what is known of each NAME, one 'field value' pair a line: name,\n"
"kind (object, file, memfd or sysv), path, size, cursor, owner, group,\n"
"mode, modified, changed, born (UTC, ISO 8601; born is empty where the\n"
"file system does not keep it); what it costs: allocated (bytes of\n"
"memory or disk it holds), resident (bytes in memory now), filesystem,\n"
"and users (processes that map, open or lock it, as 'shm who' lists\n"
"them); for a memfd (kind memfd, reached as /proc/PID/fd/N), its seals.\n"
"What cannot be known is '-' (null in JSON): resident of a file the\n"
"kernel will not tell of, users when a process could not be inspected\n"
"but for permission (the reasons are said on standard error; exit\n"
"status 2).\n"
"\n"
"A segment's named cursors (--cursor NAME) follow, as cursor.NAME.\n";

enum { OPT_CURSOR = OPT_LONG };

/* The keys below, for completing -f. */
#define FIELDS	"name kind path size cursor owner group mode modified " \
	"changed born allocated resident filesystem users seals"

static const struct opt options[] = {
	{ 'f', "field", OPT_LIST, "FIELDS",
	    "print only the values of FIELDS, one a line", FIELDS },
	{ 'j', "json", OPT_FLAG, NULL, "print one JSON object a NAME", NULL },
	{ OPT_CURSOR, "cursor", OPT_VALUE, "NAME",
	    "the cursor field shows the cursor NAME", NULL },
	{ 0 },
};

const struct opt_command stat_help = {
	usage, options, NULL, { OPT_SEGMENT "..." }
};

/* The options, set once by cmd_stat. */
static struct {
	const char	*fields;	/* -f */
	bool		 json;
	const char	*cursor;
} opts;

enum { NAME, KIND, PATH, SIZE, CURSOR, OWNER, GROUP, MODE, MODIFIED,
    CHANGED, BORN, ALLOCATED, RESIDENT, FILESYSTEM, USERS, SEALS, NFIELDS };

static const char *const keys[NFIELDS] = { "name", "kind", "path", "size",
    "cursor", "owner", "group", "mode", "modified", "changed", "born",
    "allocated", "resident", "filesystem", "users", "seals" };

struct field {
	const char	*key;
	char		 value[PATH_MAX + 64];
	bool		 number;	/* unquoted in JSON */
};

static void
collect(const struct segment *seg, uint64_t cursor, struct field *f)
{
	const struct stat *st = &seg->st;
	size_t n = sizeof(f->value);
	int i;

	for (i = 0; i < NFIELDS; i++)
		f[i].key = keys[i];
	snprintf(f[NAME].value, n, "%s", seg->name);
	snprintf(f[KIND].value, n, "%s", segment_kind(seg));
	segment_seals(seg, f[SEALS].value, n);
	snprintf(f[PATH].value, n, "%s", seg->path);
	snprintf(f[SIZE].value, n, "%llu", (unsigned long long)seg->size);
	snprintf(f[CURSOR].value, n, "%llu", (unsigned long long)cursor);
	f[SIZE].number = f[CURSOR].number = true;
	facts_user(f[OWNER].value, n, st->st_uid);
	facts_group(f[GROUP].value, n, st->st_gid);
	snprintf(f[MODE].value, n, "%04o", (unsigned)(st->st_mode & 07777));
	facts_time(f[MODIFIED].value, n, st->st_mtime);
	facts_time(f[CHANGED].value, n, st->st_ctime);
	if (seg->has_born)
		facts_time(f[BORN].value, n, seg->born.tv_sec);
	snprintf(f[ALLOCATED].value, n, "%llu",
	    (unsigned long long)st->st_blocks * 512);
	f[ALLOCATED].number = f[RESIDENT].number = f[USERS].number = true;
	segment_filesystem(seg, f[FILESYSTEM].value, n);
}

/*
 * What it costs now: the pages in memory, the processes using it; "-"
 * for what cannot be known.  *complete is false, and the reason said,
 * if a process could not be inspected but for permission.
 */
static int
collect_cost(const struct segment *seg, struct field *f, bool *complete)
{
	struct users_missed missed;
	uint64_t resident;
	size_t n = sizeof(f->value);
	int users, rc;

	if (segment_resident(seg, &resident))
		snprintf(f[RESIDENT].value, n, "%llu",
		    (unsigned long long)resident);
	else
		snprintf(f[RESIDENT].value, n, "-");
	if ((rc = users_count(&seg->st, &users, &missed)) != SHM_OK)
		return rc;
	*complete = users_say_missed(seg->name, &missed);
	if (*complete)
		snprintf(f[USERS].value, n, "%d", users);
	else
		snprintf(f[USERS].value, n, "-");
	return SHM_OK;
}

/* A named cursor: "cursor.NAME POS", or in JSON "NAME": POS. */
static int
print_cursor(void *ctx, const char *name, uint64_t pos)
{
	int *count = ctx;

	if (opts.json) {
		fputs((*count)++ == 0 ? "" : ", ", stdout);
		json_string(stdout, name);
		printf(": %llu", (unsigned long long)pos);
	} else
		printf("cursor.%s %llu\n", name, (unsigned long long)pos);
	return SHM_OK;
}

static int
print_text(const struct segment *seg, const struct field *f)
{
	int i, count = 0;

	for (i = 0; i < NFIELDS; i++) {
		/* No padding after a key with no value: no trailing blanks. */
		printf(f[i].value[0] != '\0' ? "%-11s" : "%s", f[i].key);
		text_print(stdout, f[i].value);
		putchar('\n');
	}
	return cursor_each(seg, print_cursor, &count);
}

static int
print_json(const struct segment *seg, const struct field *f)
{
	int i, count = 0, rc;

	for (i = 0; i < NFIELDS; i++) {
		printf("%s\"%s\": ", i == 0 ? "{" : ", ", f[i].key);
		if (f[i].number)	/* "-": not known */
			fputs(strcmp(f[i].value, "-") == 0 ? "null" :
			    f[i].value, stdout);
		else
			json_string(stdout, f[i].value);
	}
	fputs(", \"cursors\": {", stdout);
	rc = cursor_each(seg, print_cursor, &count);
	puts("}}");
	return rc;
}

/* The index of the field named by the len bytes at p, or -1. */
static int
field_index(const char *p, size_t len)
{
	int i;

	for (i = 0; i < NFIELDS; i++)
		if (strlen(keys[i]) == len && strncmp(keys[i], p, len) == 0)
			return i;
	return -1;
}

/* -f: "size,cursor" prints those values, in the order asked. */
static void
print_selected(const struct field *f, const char *list)
{
	size_t len;

	for (; *list != '\0'; list += len + (list[len] == ',')) {
		len = strcspn(list, ",");
		text_print(stdout, f[field_index(list, len)].value);
		putchar('\n');
	}
}

/*
 * Whether resident or users will be shown: counting them scans /proc
 * and the pages, which "shm stat -f size" in a script should not pay.
 */
static bool
wants_cost(void)
{
	const char *list = opts.fields;
	size_t len;
	int i;

	if (list == NULL)
		return true;
	for (; *list != '\0'; list += len + (list[len] == ',')) {
		len = strcspn(list, ",");
		i = field_index(list, len);
		if (i == RESIDENT || i == USERS)
			return true;
	}
	return false;
}

/* Checked before any segment is opened, so a typo prints nothing. */
static int
check_fields(const char *list)
{
	size_t len;

	for (; *list != '\0'; list += len + (list[len] == ',')) {
		len = strcspn(list, ",");
		if (field_index(list, len) < 0)
			return shm_usage_error("no field '%.*s'", (int)len,
			    list);
	}
	return SHM_OK;
}

static int
stat_one(const char *name)
{
	struct field f[NFIELDS];
	struct segment seg;
	struct cursor cur;
	bool complete = true;
	int rc;

	memset(f, 0, sizeof(f));
	if ((rc = segment_open(&seg, name, SEGMENT_READ)) != SHM_OK)
		return rc;
	seg.cursor_name = opts.cursor;
	/*
	 * Shared, if it is free: a cursor is rewritten in place under the
	 * exclusive lock.  If someone holds that, a look does not wait for
	 * them: size and cursor are a snapshot of their work in progress.
	 */
	if ((rc = segment_lock_if_free(&seg)) == SHM_OK &&
	    (rc = cursor_open(&seg, &cur, CURSOR_LOOK)) == SHM_OK) {
		collect(&seg, cur.pos, f);
		if (wants_cost() &&
		    (rc = collect_cost(&seg, f, &complete)) != SHM_OK)
			goto out;
		if (opts.fields != NULL)
			print_selected(f, opts.fields);
		else
			rc = opts.json ? print_json(&seg, f) :
			    print_text(&seg, f);
		if (rc == SHM_OK && !complete)
			rc = SHM_FAIL;
	}
out:
	segment_close(&seg);
	return rc;
}

int
cmd_stat(int argc, char **argv)
{
	struct opt_parser p;
	int c, i, rc = SHM_OK;

	opt_init(&p, argc, argv, &stat_help);
	while ((c = opt_next(&p)) != OPT_END) {
		if (c == 'f')
			opts.fields = p.arg;
		else if (c == 'j')
			opts.json = true;
		else if (c != OPT_CURSOR)
			return opt_stop(c);
		else if (cursor_option(p.arg, &opts.cursor) != SHM_OK)
			return SHM_FAIL;
	}
	if (p.npos == 0)
		return shm_usage_error("missing NAME");
	if (opts.json && opts.fields != NULL)
		return shm_usage_error("--json and -f exclude each other");
	if (opts.fields != NULL && check_fields(opts.fields) != SHM_OK)
		return SHM_FAIL;
	for (i = 0; i < p.npos; i++) {
		/* Records of several names are apart, as paragraphs. */
		if (i > 0 && !opts.json && opts.fields == NULL)
			putchar('\n');
		if (stat_one(p.argv[i]) != SHM_OK)
			rc = SHM_FAIL;
	}
	return rc;
}
