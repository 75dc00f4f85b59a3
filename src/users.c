/*
 * users.c - who uses a segment, as /proc tells it.
 *
 * A process maps it (/proc/PID/maps: device and inode of each mapped
 * file), holds it open (/proc/PID/fd, each followed with stat), or
 * holds or waits for its flock (/proc/locks).  Matching by device and
 * inode counts every name of the segment, and a removed one too.
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

#include "lock.h"
#include "shm.h"
#include "users.h"

struct scan {
	const struct stat	*st;	/* the segment's */
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

/*
 * pid's flock on the segment: held through one of its descriptors, as
 * the kernel lists it for each (the process that took it may be gone),
 * or waited for, from /proc/locks; held too, there, if its descriptors
 * could not be read.
 */
static void
read_lock(const struct scan *sc, struct user *u, bool fds_known)
{
	char line[256], kind[16], mode[16];
	unsigned long long ino;
	const char *held;
	unsigned maj, min;
	long pid;
	FILE *fp;
	bool waits;
	int i;

	for (i = 0; i < u->nfds; i++) {
		held = lock_kind_held(u->pid, u->fds[i], sc->st);
		if (held != NULL) {
			snprintf(u->lock, sizeof(u->lock), "%s", held);
			return;
		}
	}
	if ((fp = fopen("/proc/locks", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		waits = strstr(line, "->") != NULL;
		if ((!waits && fds_known) ||
		    sscanf(line + strcspn(line, "FP"), "%15s %*s %15s %ld "
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

/* One process: whether it uses the segment, and fn's answer if so. */
static int
look_at(struct scan *sc, long pid, int (*fn)(void *, const struct user *),
    void *ctx, int *hidden)
{
	char path[64];
	struct user u;
	struct stat st;
	bool fds_known;

	memset(&u, 0, sizeof(u));
	u.pid = pid;
	snprintf(path, sizeof(path), "/proc/%ld", pid);
	if (stat(path, &st) != 0)
		return SHM_OK;		/* gone since readdir */
	u.uid = st.st_uid;
	fds_known = read_fds(sc, &u);
	if (!read_maps(sc, &u) | !fds_known)
		(*hidden)++;
	read_lock(sc, &u, fds_known);
	if (u.nmaps == 0 && u.nfds == 0 && u.lock[0] == '\0')
		return SHM_OK;
	return fn(ctx, &u);
}

static int
count_user(void *ctx, const struct user *u)
{
	(void)u;
	++*(int *)ctx;
	return SHM_OK;
}

int
users_count(const struct stat *st, int *count)
{
	int hidden;

	*count = 0;
	return users_scan(st, count_user, count, &hidden);
}

int
users_scan(const struct stat *st, int (*fn)(void *, const struct user *),
    void *ctx, int *hidden)
{
	struct scan sc = { st };
	struct dirent *d;
	DIR *dir;
	long pid;
	char *end;
	int rc = SHM_OK;

	*hidden = 0;
	if ((dir = opendir("/proc")) == NULL)
		return shm_perror("/proc");
	while (rc == SHM_OK && (d = readdir(dir)) != NULL) {
		pid = strtol(d->d_name, &end, 10);
		if (*end == '\0' && pid > 0 && pid != (long)getpid())
			rc = look_at(&sc, pid, fn, ctx, hidden);
	}
	closedir(dir);
	return rc;
}
