/*
 * deleted.c - the memory that removed segments still hold, as /proc
 * tells it: files of the objects' file system and memfds that have no
 * name left but that a process holds open or mapped.
 *
 * Each is found once, by device and inode: first through a descriptor
 * (/proc/PID/fd/N, which any process allowed to can open and read),
 * else, for those only mapped, through /proc/PID/map_files/START-END.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/deleted.h"
#include "seg/map.h"
#include "util/shm.h"

#define DELETED_MARK	" (deleted)"

struct scan {
	struct deleted_listing	*l;
	struct users_missed	*missed;
	dev_t			 objects;	/* the objects' file system's */
};

/*
 * Whether target (a link's, or a maps line's path) names a removed
 * object or memfd; if so, name gets it without the mark.
 */
static bool
removed_name(const struct scan *sc, const char *target, dev_t dev,
    char *name, size_t size)
{
	size_t len = strlen(target), mark = strlen(DELETED_MARK);

	if (len <= mark || strcmp(target + len - mark, DELETED_MARK) != 0)
		return false;
	if (strncmp(target, "/memfd:", 7) != 0 && dev != sc->objects)
		return false;
	snprintf(name, size, "%.*s", (int)(len - mark), target);
	return true;
}

static bool
known(const struct deleted_listing *l, const struct stat *st)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (shm_same_file(&l->v[i].st, st))
			return true;
	return false;
}

static int
add(struct scan *sc, long pid, const char *name, const char *path,
    const struct stat *st)
{
	struct deleted_listing *l = sc->l;
	struct deleted_file *f;
	char comm[64];
	FILE *fp;

	if (!S_ISREG(st->st_mode) || st->st_nlink != 0 || known(l, st))
		return SHM_OK;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((f = realloc(l->v, l->cap * sizeof(*f))) == NULL)
			return shm_perror(NULL);
		l->v = f;
	}
	f = &l->v[l->n++];
	memset(f, 0, sizeof(*f));
	f->pid = pid;
	f->st = *st;
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->path, sizeof(f->path), "%s", path);
	snprintf(comm, sizeof(comm), "/proc/%ld/comm", pid);
	if ((fp = fopen(comm, "re")) != NULL) {
		if (fgets(f->command, sizeof(f->command), fp) != NULL)
			f->command[strcspn(f->command, "\n")] = '\0';
		fclose(fp);
	}
	return SHM_OK;
}

/* pid's descriptors on removed files. */
static int
scan_fds(struct scan *sc, long pid)
{
	char dir[64], path[64 + 256], target[PATH_MAX], name[PATH_MAX];
	struct dirent *d;
	struct stat st;
	ssize_t n;
	DIR *dp;
	int rc = SHM_OK, err = 0;

	snprintf(dir, sizeof(dir), "/proc/%ld/fd", pid);
	if ((dp = opendir(dir)) == NULL) {
		if ((err = users_unread(errno)) != 0)
			users_miss(sc->missed, err);
		return SHM_OK;
	}
	while (rc == SHM_OK && (d = readdir(dp)) != NULL) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if ((n = readlink(path, target, sizeof(target) - 1)) < 0 ||
		    stat(path, &st) != 0) {
			err = err ? err : users_unread(errno);
			continue;
		}
		target[n] = '\0';
		if (removed_name(sc, target, st.st_dev, name, sizeof(name)))
			rc = add(sc, pid, name, path, &st);
	}
	closedir(dp);
	if (err != 0)
		users_miss(sc->missed, err);
	return rc;
}

/* pid's mappings of removed files that no descriptor reached. */
static int
scan_maps(struct scan *sc, long pid)
{
	unsigned long long start, end, ino;
	char path[96], name[PATH_MAX], *line = NULL;
	unsigned maj, min;
	struct stat st;
	size_t cap = 0;
	int rc = SHM_OK, pos;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/maps", pid);
	if ((fp = fopen(path, "re")) == NULL)
		return SHM_OK;		/* counted by scan_fds already */
	while (rc == SHM_OK && getline(&line, &cap, fp) != -1) {
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%llx-%llx %*s %*x %x:%x %llu %n", &start,
		    &end, &maj, &min, &ino, &pos) != 5 || ino == 0)
			continue;
		if (!removed_name(sc, line + pos, makedev(maj, min), name,
		    sizeof(name)))
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/map_files/%llx-%llx",
		    pid, start, end);
		if (stat(path, &st) == 0)
			rc = add(sc, pid, name, path, &st);
	}
	free(line);
	fclose(fp);
	return rc;
}

/* Calls each for every process but this one. */
static int
each_process(struct scan *sc, int (*each)(struct scan *, long))
{
	struct dirent *d;
	char *end;
	long pid;
	DIR *dp;
	int rc = SHM_OK;

	if ((dp = opendir("/proc")) == NULL)
		return shm_perror("/proc");
	while (rc == SHM_OK && (errno = 0, d = readdir(dp)) != NULL) {
		pid = strtol(d->d_name, &end, 10);
		if (*end == '\0' && pid > 0 && pid != (long)getpid())
			rc = each(sc, pid);
	}
	if (rc == SHM_OK && errno != 0)
		rc = shm_perror("/proc");
	closedir(dp);
	return rc;
}

int
deleted_scan(struct deleted_listing *l, struct users_missed *missed)
{
	struct scan sc = { l, missed, 0 };
	int rc;

	memset(l, 0, sizeof(*l));
	memset(missed, 0, sizeof(*missed));
	if ((rc = segment_objects_device(&sc.objects)) != SHM_OK)
		return rc;
	if ((rc = each_process(&sc, scan_fds)) == SHM_OK)
		rc = each_process(&sc, scan_maps);
	if (rc != SHM_OK)
		deleted_free(l);
	return rc;
}

void
deleted_free(struct deleted_listing *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
