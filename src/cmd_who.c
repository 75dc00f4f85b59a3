/* cmd_who.c - the processes that map a segment, hold it open or lock it */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
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
"usage: shm who [-H] [--json] NAME\n"
"\n"
"List the processes that use NAME, one a line: pid, user, command, and\n"
"how: its mapped ranges as offsets in NAME, with their protection and\n"
"p (private) or s (shared); its descriptors on NAME; its lock, held or\n"
"waited for.  Exit 1 when nobody uses NAME.  Processes that may not be\n"
"inspected are counted, on standard error.\n"
"\n"
"  -H, --header   print the header line even into a pipe\n"
"  -j, --json     print a JSON array of processes instead\n";

static const struct opt options[] = {
	{ 'H', "header", false },
	{ 'j', "json", false },
	{ 0, NULL, false },
};

#define USES_MAX	32	/* ranges or descriptors shown a process */

struct range {
	uint64_t	 off, len;
	char		 perms[5];	/* "rw-s" */
};

struct user {
	long		 pid;
	struct range	 maps[USES_MAX];
	int		 nmaps, more_maps;
	int		 fds[USES_MAX];
	int		 nfds, more_fds;
	char		 lock[24];	/* "exclusive", "waits shared"... */
};

struct scan {
	const struct stat	*st;	/* the segment's */
	bool			 json, header;
	int			 shown, hidden;
};

static bool
is_ours(const struct scan *sc, unsigned maj, unsigned min,
    unsigned long long ino)
{
	return ino == sc->st->st_ino && maj == major(sc->st->st_dev) &&
	    min == minor(sc->st->st_dev);
}

/* The ranges of pid's mappings of the segment; false if not to be read. */
static bool
read_maps(const struct scan *sc, struct user *u)
{
	unsigned long long start, end, off, ino;
	char path[64], line[512], perms[5];
	unsigned maj, min;
	struct range *r;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/maps", u->pid);
	if ((fp = fopen(path, "re")) == NULL)
		return errno != EACCES && errno != EPERM;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu", &start, &end,
		    perms, &off, &maj, &min, &ino) != 7 ||
		    !is_ours(sc, maj, min, ino))
			continue;
		if (u->nmaps == USES_MAX) {
			u->more_maps++;
			continue;
		}
		r = &u->maps[u->nmaps++];
		r->off = off;
		r->len = end - start;
		memcpy(r->perms, perms, sizeof(r->perms));
	}
	fclose(fp);
	return true;
}

/* The descriptors pid has on the segment; false if not to be read. */
static bool
read_fds(const struct scan *sc, struct user *u)
{
	char path[64], fdpath[64 + 256];
	struct dirent *d;
	struct stat st;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%ld/fd", u->pid);
	if ((dir = opendir(path)) == NULL)
		return errno != EACCES && errno != EPERM;
	while ((d = readdir(dir)) != NULL) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, d->d_name);
		if (stat(fdpath, &st) != 0 || st.st_ino != sc->st->st_ino ||
		    st.st_dev != sc->st->st_dev)
			continue;
		if (u->nfds < USES_MAX)
			u->fds[u->nfds++] = atoi(d->d_name);
		else
			u->more_fds++;
	}
	closedir(dir);
	return true;
}

/* pid's flock on the segment, held or waited for, from /proc/locks. */
static void
read_lock(const struct scan *sc, struct user *u)
{
	char line[256], kind[16], mode[16];
	unsigned long long ino;
	unsigned maj, min;
	long pid;
	FILE *fp;
	bool waits;

	if ((fp = fopen("/proc/locks", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		waits = strstr(line, "->") != NULL;
		if (sscanf(line + strcspn(line, "FP"), "%15s %*s %15s %ld "
		    "%x:%x:%llu", kind, mode, &pid, &maj, &min, &ino) != 6 ||
		    pid != u->pid || strcmp(kind, "FLOCK") != 0 ||
		    !is_ours(sc, maj, min, ino))
			continue;
		snprintf(u->lock, sizeof(u->lock), "%s%s", waits ? "waits " :
		    "", strcmp(mode, "WRITE") == 0 ? "exclusive" : "shared");
		if (!waits)
			break;
	}
	fclose(fp);
}

static void
print_text(const struct user *u, const char *owner, const char *cmd)
{
	const char *sep = "";
	int i;

	printf("%ld\t", u->pid);
	text_print(stdout, owner);
	putchar('\t');
	text_print(stdout, cmd);
	putchar('\t');
	for (i = 0; i < u->nmaps; i++, sep = ", ")
		printf("%smap %llu-%llu %s", sep,
		    (unsigned long long)u->maps[i].off,
		    (unsigned long long)(u->maps[i].off + u->maps[i].len),
		    u->maps[i].perms);
	if (u->more_maps > 0)
		printf(" (and %d more)", u->more_maps);
	for (i = 0; i < u->nfds; i++, sep = ", ")
		printf("%s%s%d", sep, i == 0 ? "fd " : "", u->fds[i]);
	if (u->lock[0] != '\0')
		printf("%slock %s", sep, u->lock);
	putchar('\n');
}

static void
print_json(const struct user *u, const char *owner, const char *cmd,
    bool first)
{
	int i;

	printf("%s\n  {\"pid\": %ld, \"user\": ", first ? "[" : ",", u->pid);
	json_string(stdout, owner);
	fputs(", \"command\": ", stdout);
	json_string(stdout, cmd);
	fputs(", \"maps\": [", stdout);
	for (i = 0; i < u->nmaps; i++)
		printf("%s{\"offset\": %llu, \"length\": %llu, \"prot\": "
		    "\"%.3s\", \"shared\": %s}", i ? ", " : "",
		    (unsigned long long)u->maps[i].off,
		    (unsigned long long)u->maps[i].len, u->maps[i].perms,
		    u->maps[i].perms[3] == 's' ? "true" : "false");
	fputs("], \"fds\": [", stdout);
	for (i = 0; i < u->nfds; i++)
		printf("%s%d", i ? ", " : "", u->fds[i]);
	fputs("], \"lock\": ", stdout);
	if (u->lock[0] != '\0')
		json_string(stdout, u->lock);
	else
		fputs("null", stdout);
	putchar('}');
}

static void
look_at(struct scan *sc, long pid)
{
	char path[64], owner[64], cmd[256];
	struct user u;
	struct stat st;

	memset(&u, 0, sizeof(u));
	u.pid = pid;
	snprintf(path, sizeof(path), "/proc/%ld", pid);
	if (stat(path, &st) != 0)
		return;		/* gone since readdir */
	if (!read_maps(sc, &u) | !read_fds(sc, &u))
		sc->hidden++;
	read_lock(sc, &u);
	if (u.nmaps == 0 && u.nfds == 0 && u.lock[0] == '\0')
		return;
	facts_user(owner, sizeof(owner), st.st_uid);
	facts_command(cmd, sizeof(cmd), pid);
	if (sc->json)
		print_json(&u, owner, cmd, sc->shown == 0);
	else {
		if (sc->shown == 0 && sc->header)
			puts("PID\tUSER\tCOMMAND\tUSES");
		print_text(&u, owner, cmd);
	}
	sc->shown++;
}

static int
scan_processes(struct scan *sc)
{
	struct dirent *d;
	DIR *dir;
	long pid;
	char *end;

	if ((dir = opendir("/proc")) == NULL)
		return shm_perror("/proc");
	while ((d = readdir(dir)) != NULL) {
		pid = strtol(d->d_name, &end, 10);
		if (*end == '\0' && pid > 0 && pid != (long)getpid())
			look_at(sc, pid);
	}
	closedir(dir);
	if (sc->json)
		puts(sc->shown == 0 ? "[]" : "\n]");
	return SHM_OK;
}

int
cmd_who(int argc, char **argv)
{
	struct scan sc = { NULL, false, false, 0, 0 };
	struct opt_parser p;
	struct segment seg;
	int c, rc;

	sc.header = isatty(STDOUT_FILENO);
	opt_init(&p, argc, argv, usage);
	while ((c = opt_next(&p, options)) != OPT_END) {
		if (c == 'H')
			sc.header = true;
		else if (c == 'j')
			sc.json = true;
		else
			return c == OPT_HELP ? SHM_OK : SHM_FAIL;
	}
	if (opt_operands(&p, 1, 1, "NAME") != SHM_OK ||
	    (rc = segment_lookup(&seg, p.argv[0])) != SHM_OK)
		return SHM_FAIL;
	sc.st = &seg.st;
	if ((rc = scan_processes(&sc)) != SHM_OK)
		return rc;
	if (sc.hidden > 0)
		shm_error(seg.name, "%d process%s could not be inspected: "
		    "permission denied", sc.hidden, sc.hidden == 1 ? "" : "es");
	return sc.shown > 0 ? SHM_OK : SHM_NOMATCH;
}
