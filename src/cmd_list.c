/* cmd_list.c - the POSIX shared-memory objects there are */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "facts.h"
#include "json.h"
#include "map.h"
#include "shm.h"
#include "text.h"

static const char usage[] =
"usage: shm list [-H] [--json]\n"
"\n"
"List the POSIX shared-memory objects, sorted by name, one a line:\n"
"name, size, owner, mode and modification time (UTC), separated by tabs\n"
"for cut and awk.  A header comes first on a terminal, or with -H.\n"
"POSIX semaphores (sem.*) and hidden names are left out, as lsipc does.\n"
"\n"
"  -H, --header   print the header line even into a pipe\n"
"  -j, --json     print a JSON array of objects instead\n";

static const struct opt options[] = {
	{ 'H', "header", false },
	{ 'j', "json", false },
	{ 0, NULL, false },
};

struct entry {
	char		*name;
	struct stat	 st;
};

struct listing {
	struct entry	*v;
	size_t		 n, cap;
};

static bool
is_listed(const char *name)
{
	return name[0] != '.' && strncmp(name, "sem.", 4) != 0;
}

static int
add_entry(struct listing *l, int dfd, const char *name)
{
	struct entry *e;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		if ((e = realloc(l->v, l->cap * sizeof(*e))) == NULL)
			return shm_perror(SEGMENT_DIR);
		l->v = e;
	}
	e = &l->v[l->n];
	/* Gone between readdir and now: not an error, just not there. */
	if (fstatat(dfd, name, &e->st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? SHM_OK : shm_perror(name);
	if (!S_ISREG(e->st.st_mode))
		return SHM_OK;
	if ((e->name = strdup(name)) == NULL)
		return shm_perror(SEGMENT_DIR);
	l->n++;
	return SHM_OK;
}

static int
read_listing(struct listing *l)
{
	struct dirent *d;
	DIR *dir;
	int rc = SHM_OK;

	if ((dir = opendir(SEGMENT_DIR)) == NULL)
		return shm_perror(SEGMENT_DIR);
	while (rc == SHM_OK && (errno = 0, d = readdir(dir)) != NULL)
		if (is_listed(d->d_name))
			rc = add_entry(l, dirfd(dir), d->d_name);
	if (rc == SHM_OK && errno != 0)
		rc = shm_perror(SEGMENT_DIR);
	closedir(dir);
	return rc;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
	    ((const struct entry *)b)->name);
}

static void
print_entry(const struct entry *e, bool json, bool first)
{
	char owner[64], when[32];

	facts_user(owner, sizeof(owner), e->st.st_uid);
	facts_time(when, sizeof(when), e->st.st_mtime);
	if (!json) {
		/* Escaped: a name holding a tab or newline forges no row. */
		text_print(stdout, e->name);
		printf("\t%lld\t", (long long)e->st.st_size);
		text_print(stdout, owner);
		printf("\t%04o\t%s\n", (unsigned)(e->st.st_mode & 07777),
		    when);
		return;
	}
	printf("%s\n  {\"name\": ", first ? "[" : ",");
	json_string(stdout, e->name);
	printf(", \"size\": %lld, \"owner\": ", (long long)e->st.st_size);
	json_string(stdout, owner);
	printf(", \"mode\": \"%04o\", \"modified\": \"%s\"}",
	    (unsigned)(e->st.st_mode & 07777), when);
}

static void
print_listing(const struct listing *l, bool json, bool header)
{
	size_t i;

	if (header && !json)
		printf("NAME\tSIZE\tOWNER\tMODE\tMODIFIED\n");
	for (i = 0; i < l->n; i++)
		print_entry(&l->v[i], json, i == 0);
	if (json)
		printf(l->n == 0 ? "[]\n" : "\n]\n");
}

int
cmd_list(int argc, char **argv)
{
	struct listing l = { NULL, 0, 0 };
	bool json = false, header = isatty(STDOUT_FILENO);
	struct opt_parser p;
	size_t i;
	int c, rc;

	opt_init(&p, argc, argv, usage);
	while ((c = opt_next(&p, options)) != OPT_END) {
		if (c == 'H')
			header = true;
		else if (c == 'j')
			json = true;
		else
			return c == OPT_HELP ? SHM_OK : SHM_FAIL;
	}
	if (p.npos != 0)
		return shm_usage_error("list takes no arguments");
	if ((rc = read_listing(&l)) == SHM_OK) {
		/* qsort's array may not be NULL, even with nothing in it. */
		if (l.n > 0)
			qsort(l.v, l.n, sizeof(*l.v), by_name);
		print_listing(&l, json, header);
	}
	for (i = 0; i < l.n; i++)
		free(l.v[i].name);
	free(l.v);
	return rc;
}
