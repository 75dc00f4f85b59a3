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

#include "seg/lock.h"
#include "util/shm.h"
#include "lib/users.h"

struct scan {
	const struct stat	*st;	/* the segment's */
	struct users_missed	*missed;
};

static bool
is_ours(const struct scan *sc, unsigned maj, unsigned min,
    unsigned long long ino)
{
	return ino == sc->st->st_ino && maj == major(sc->st->st_dev) &&
	    min == minor(sc->st->st_dev);
}

int
users_unread(int err)
{
	if (err == ENOENT || err == ESRCH)
		return 0;
	return err == EPERM ? EACCES : err;
}

/*
 * The ranges of pid's mappings of the segment: 0, or why they could not
 * be read.  getline, as every line of /proc here: a mapped path may be
 * any length, and the tail of a long one read as a line of its own
 * could say anything.
 */
static int
read_maps(const struct scan *sc, struct user_process *u)
{
	unsigned long long start, end, off, ino;
	char path[64], perms[5], *line = NULL;
	size_t cap = 0;
	unsigned maj, min;
	struct range *r;
	FILE *fp;
	int err;

	snprintf(path, sizeof(path), "/proc/%ld/maps", u->pid);
	if ((fp = fopen(path, "re")) == NULL)
		return users_unread(errno);
	while (getline(&line, &cap, fp) != -1) {
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
	err = ferror(fp) ? users_unread(errno) : 0;
	free(line);
	fclose(fp);
	return err;
}

/* The descriptors pid has on the segment: 0, or why not to be read. */
static int
read_fds(const struct scan *sc, struct user_process *u)
{
	char path[64], fdpath[64 + 256];
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%ld/fd", u->pid);
	if ((dir = opendir(path)) == NULL)
		return users_unread(errno);
	while (errno = 0, (d = readdir(dir)) != NULL) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, d->d_name);
		/* ENOENT: closed since readdir. */
		if (stat(fdpath, &st) != 0) {
			err = err != 0 ? err : users_unread(errno);
			continue;
		}
		if (!shm_same_file(&st, sc->st))
			continue;
		if (u->nfds < USES_MAX)
			u->fds[u->nfds++] = atoi(d->d_name);
		else
			u->more_fds++;
	}
	if (errno != 0 && err == 0)
		err = users_unread(errno);
	closedir(dir);
	return err;
}

/*
 * pid's flock on the segment: held through one of its descriptors, as
 * the kernel lists it for each (the process that took it may be gone),
 * or waited for, from /proc/locks; held too, there, if its descriptors
 * could not be read.
 */
static int
read_lock(const struct scan *sc, struct user_process *u, bool fds_known)
{
	char kind[16], mode[16], *line = NULL;
	unsigned long long ino;
	const char *held;
	size_t cap = 0;
	unsigned maj, min;
	long pid;
	FILE *fp;
	bool waits;
	int i, err;

	for (i = 0; i < u->nfds; i++)
		if ((held = lock_kind_held(u->pid, u->fds[i], sc->st)) !=
		    NULL) {
			snprintf(u->lock, sizeof(u->lock), "%s", held);
			return 0;
		}
	if ((fp = fopen("/proc/locks", "re")) == NULL)
		return errno == ENOENT ? 0 : errno;
	while (getline(&line, &cap, fp) != -1) {
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
	err = ferror(fp) ? errno : 0;
	free(line);
	fclose(fp);
	return err;
}

void
users_miss(struct users_missed *m, int err)
{
	int i;

	m->total++;
	for (i = 0; i < m->nreasons && m->reason[i].err != err; i++)
		continue;
	if (i == USERS_REASONS)
		i--;		/* a fifth reason: with the fourth */
	else if (i == m->nreasons)
		m->reason[m->nreasons++].err = err;
	m->reason[i].count++;
}

/* One process: whether it uses the segment, and fn's answer if so. */
static int
look_at(struct scan *sc, long pid,
    int (*fn)(void *, const struct user_process *), void *ctx)
{
	char path[64];
	struct user_process u;
	struct stat st;
	int err, fds_err, lock_err;

	memset(&u, 0, sizeof(u));
	u.pid = pid;
	snprintf(path, sizeof(path), "/proc/%ld", pid);
	if (stat(path, &st) != 0) {
		if ((err = users_unread(errno)) != 0)
			users_miss(sc->missed, err);
		return SHM_OK;		/* 0: gone since readdir */
	}
	u.uid = st.st_uid;
	err = read_maps(sc, &u);
	fds_err = read_fds(sc, &u);
	lock_err = read_lock(sc, &u, fds_err == 0);
	if ((err = err != 0 ? err : fds_err != 0 ? fds_err : lock_err) != 0)
		users_miss(sc->missed, err);
	if (u.nmaps == 0 && u.nfds == 0 && u.lock[0] == '\0')
		return SHM_OK;
	return fn(ctx, &u);
}

static int
count_user(void *ctx, const struct user_process *u)
{
	(void)u;
	++*(int *)ctx;
	return SHM_OK;
}

int
users_count(const struct stat *st, int *count, struct users_missed *missed)
{
	*count = 0;
	return users_scan(st, count_user, count, missed);
}

int
users_scan(const struct stat *st,
    int (*fn)(void *, const struct user_process *), void *ctx,
    struct users_missed *missed)
{
	struct scan sc = { st, missed };
	struct dirent *d;
	DIR *dir;
	long pid;
	char *end;
	int rc = SHM_OK;

	memset(missed, 0, sizeof(*missed));
	if ((dir = opendir("/proc")) == NULL)
		return shm_perror("/proc");
	while (rc == SHM_OK && (errno = 0, d = readdir(dir)) != NULL) {
		pid = strtol(d->d_name, &end, 10);
		if (*end == '\0' && pid > 0 && pid != (long)getpid())
			rc = look_at(&sc, pid, fn, ctx);
	}
	if (rc == SHM_OK && errno != 0)
		rc = shm_perror("/proc");
	closedir(dir);
	return rc;
}

bool
users_only_denied(const struct users_missed *m)
{
	int i;

	for (i = 0; i < m->nreasons; i++)
		if (m->reason[i].err != EACCES)
			return false;
	return true;
}

void
users_join_missed(struct users_missed *all, const struct users_missed *m)
{
	int i, j;

	for (i = 0; i < m->nreasons; i++) {
		for (j = 0; j < all->nreasons &&
		    all->reason[j].err != m->reason[i].err; j++)
			continue;
		if (j == USERS_REASONS)
			j--;
		else if (j == all->nreasons)
			all->reason[all->nreasons++].err = m->reason[i].err;
		if (all->reason[j].count < m->reason[i].count)
			all->reason[j].count = m->reason[i].count;
	}
	if (all->total < m->total)
		all->total = m->total;
}

bool
users_say_missed(const char *name, const struct users_missed *m)
{
	int i, n;

	for (i = 0; i < m->nreasons; i++) {
		n = m->reason[i].count;
		shm_error(name, "%d process%s could not be inspected: %s", n,
		    n == 1 ? "" : "es", strerror(m->reason[i].err));
	}
	return users_only_denied(m);
}
