/* cmd_stat.c - a segment's size, cursor, owner, mode and times */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cursor.h"
#include "json.h"
#include "map.h"
#include "shm.h"

static const char usage[] =
"usage: shm stat [--json | -f FIELD[,FIELD...]] NAME...\n"
"\n"
"Show what is known of each NAME, one 'field value' pair a line:\n"
"name, kind (object or file), path, size, cursor, owner, group, mode,\n"
"modified, changed, born (UTC, ISO 8601; born is empty where the file\n"
"system does not keep it).\n"
"\n"
"  -f, --field FIELDS  print only the values of FIELDS, one a line\n"
"  -j, --json          print one JSON object a NAME\n";

static const struct opt options[] = {
	{ 'f', "field", true },
	{ 'j', "json", false },
	{ 0, NULL, false },
};

#define NFIELDS	11

struct field {
	const char	*key;
	char		 value[PATH_MAX + 64];
	bool		 number;	/* unquoted in JSON */
};

static void
format_time(char *buf, size_t size, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
}

static void
format_owner(char *buf, size_t size, const struct stat *st, bool group)
{
	struct passwd *pw = group ? NULL : getpwuid(st->st_uid);
	struct group *gr = group ? getgrgid(st->st_gid) : NULL;

	if (pw != NULL || gr != NULL)
		snprintf(buf, size, "%s", pw != NULL ? pw->pw_name :
		    gr->gr_name);
	else
		snprintf(buf, size, "%lu", group ? (unsigned long)st->st_gid :
		    (unsigned long)st->st_uid);
}

static void
format_birth(char *buf, size_t size, const char *birth)
{
	long long sec;

	if (sscanf(birth, "%lld", &sec) == 1)
		format_time(buf, size, (time_t)sec);
	else
		buf[0] = '\0';
}

static void
collect(const struct segment *seg, uint64_t cursor, struct field *f)
{
	const struct stat *st = &seg->st;
	size_t n = sizeof(f->value);

	f[0].key = "name";
	snprintf(f[0].value, n, "%s", seg->name);
	f[1].key = "kind";
	snprintf(f[1].value, n, "%s", seg->object[0] ? "object" : "file");
	f[2].key = "path";
	snprintf(f[2].value, n, "%s", seg->path);
	f[3].key = "size";
	snprintf(f[3].value, n, "%llu", (unsigned long long)seg->size);
	f[4].key = "cursor";
	snprintf(f[4].value, n, "%llu", (unsigned long long)cursor);
	f[3].number = f[4].number = true;
	f[5].key = "owner";
	format_owner(f[5].value, n, st, false);
	f[6].key = "group";
	format_owner(f[6].value, n, st, true);
	f[7].key = "mode";
	snprintf(f[7].value, n, "%04o", (unsigned)(st->st_mode & 07777));
	f[8].key = "modified";
	format_time(f[8].value, n, st->st_mtime);
	f[9].key = "changed";
	format_time(f[9].value, n, st->st_ctime);
	f[10].key = "born";
	format_birth(f[10].value, n, seg->birth);
}

static void
print_text(const struct field *f)
{
	int i;

	for (i = 0; i < NFIELDS; i++)
		printf("%-9s%s\n", f[i].key, f[i].value);
}

static void
print_json(const struct field *f)
{
	int i;

	for (i = 0; i < NFIELDS; i++) {
		printf("%s\"%s\": ", i == 0 ? "{" : ", ", f[i].key);
		if (f[i].number)
			fputs(f[i].value, stdout);
		else
			json_string(stdout, f[i].value);
	}
	puts("}");
}

/* -f: "size,cursor" prints those values, in the order asked. */
static int
print_selected(const struct field *f, const char *list)
{
	const char *p = list;
	size_t len;
	int i;

	for (; *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		for (i = 0; i < NFIELDS; i++)
			if (strlen(f[i].key) == len &&
			    strncmp(f[i].key, p, len) == 0)
				break;
		if (i == NFIELDS)
			return shm_usage_error("no field '%.*s'", (int)len, p);
		puts(f[i].value);
	}
	return SHM_OK;
}

static int
stat_one(const char *name, bool json, const char *fields)
{
	struct field f[NFIELDS];
	struct segment seg;
	uint64_t cursor;
	int rc;

	memset(f, 0, sizeof(f));
	if ((rc = segment_open(&seg, name, SEGMENT_READ)) != SHM_OK)
		return rc;
	if ((rc = cursor_get(&seg, &cursor)) == SHM_OK) {
		collect(&seg, cursor, f);
		if (fields != NULL)
			rc = print_selected(f, fields);
		else if (json)
			print_json(f);
		else
			print_text(f);
	}
	segment_close(&seg);
	return rc;
}

int
cmd_stat(int argc, char **argv)
{
	const char *fields = NULL;
	struct opt_parser p;
	bool json = false;
	int c, i, rc = SHM_OK;

	opt_init(&p, argc, argv, usage);
	while ((c = opt_next(&p, options)) != OPT_END) {
		if (c == 'f')
			fields = p.arg;
		else if (c == 'j')
			json = true;
		else
			return c == OPT_HELP ? SHM_OK : SHM_FAIL;
	}
	if (p.npos == 0)
		return shm_usage_error("missing NAME");
	if (json && fields != NULL)
		return shm_usage_error("--json and -f exclude each other");
	for (i = 0; i < p.npos; i++)
		if (stat_one(p.argv[i], json, fields) != SHM_OK)
			rc = SHM_FAIL;
	return rc;
}
