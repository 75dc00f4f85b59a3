/*
 * objects.c - the POSIX objects there are: the files of SEGMENT_DIR.
 *
 * Part of the mapping layer: what counts as an object, and which names
 * are hidden, is decided here and nowhere else.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "seg/layer.h"
#include "seg/map.h"
#include "util/shm.h"

/*
 * Hidden: dot files, among them a create's unfinished temporaries
 * (segment_create), and POSIX semaphores, which glibc and musl keep
 * beside the objects as sem.NAME; lsipc leaves them out too.
 */
static bool
is_hidden(const char *name)
{
	return name[0] == '.' || strncmp(name, "sem.", 4) == 0;
}

bool
segment_is_temporary(const char *name)
{
	/* segment_create's and segment_scratch's names (create.c). */
	return strncmp(name, ".shm-create-", 12) == 0 ||
	    strncmp(name, ".shm-scratch-", 13) == 0;
}

static int
add(struct segment_listing *l, int dfd, const char *name)
{
	struct segment_entry *e;

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
by_name(const void *a, const void *b)
{
	return strcmp(((const struct segment_entry *)a)->name,
	    ((const struct segment_entry *)b)->name);
}

int
segment_list(struct segment_listing *l, bool all)
{
	struct dirent *d;
	DIR *dir;
	int rc = SHM_OK;

	memset(l, 0, sizeof(*l));
	if ((dir = opendir(SEGMENT_DIR)) == NULL)
		return shm_perror(SEGMENT_DIR);
	while (rc == SHM_OK && (errno = 0, d = readdir(dir)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") !=
		    0 && (all || !is_hidden(d->d_name)))
			rc = add(l, dirfd(dir), d->d_name);
	if (rc == SHM_OK && errno != 0)
		rc = shm_perror(SEGMENT_DIR);
	closedir(dir);
	/* qsort's array may not be NULL, even with nothing in it. */
	if (rc == SHM_OK && l->n > 0)
		qsort(l->v, l->n, sizeof(*l->v), by_name);
	if (rc != SHM_OK)
		segment_list_free(l);
	return rc;
}

void
segment_list_free(struct segment_listing *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
segment_space(struct segment_space *sp)
{
	struct statvfs fs;

	if (statvfs(SEGMENT_DIR, &fs) != 0)
		return shm_perror(SEGMENT_DIR);
	sp->size = (uint64_t)fs.f_blocks * fs.f_frsize;
	sp->used = (uint64_t)(fs.f_blocks - fs.f_bfree) * fs.f_frsize;
	sp->avail = (uint64_t)fs.f_bavail * fs.f_frsize;
	return SHM_OK;
}

int
segment_objects_device(dev_t *dev)
{
	struct stat st;

	if (stat(SEGMENT_DIR, &st) != 0)
		return shm_perror(SEGMENT_DIR);
	*dev = st.st_dev;
	return SHM_OK;
}
