/*
 * cost.c - what a segment costs: the memory its pages hold now, and
 * the file system it lives on.
 *
 * Resident bytes come from cachestat(2) (Linux 6.5), which counts the
 * page cache without mapping anything; before it, from mincore(2) over
 * a read-only mapping, which asks about pages without touching them,
 * so that asking allocates no page of a tmpfs hole.
 *
 * Neither may be asked about a file the caller neither owns nor may
 * write: cachestat refuses (EPERM), and mincore, rather than refuse,
 * says every page is in memory, so that no one learns what another
 * reads.  Residency is then unknown, and said so, never that answer.
 */
#define _GNU_SOURCE		/* syscall */
#include <sys/mman.h>
#include <sys/stat.h>
#ifdef __linux__		/* headers only: what is used is SHM_LINUX */
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seg/backend.h"
#include "seg/map.h"
#include "util/port.h"
#include "util/shm.h"

/* Its number is the same on every architecture, but not yet in libc's. */
#if SHM_LINUX && !defined(SYS_cachestat)
#define SYS_cachestat	451
#endif

/* Pages asked about in one mincore call: 1 GiB of 4 KiB pages. */
#define MINCORE_WINDOW	(1ULL << 30)

/* 0, or why cachestat did not answer (ENOSYS where there is none). */
static int
resident_by_cachestat(const struct segment *seg, uint64_t *bytes)
{
#if SHM_LINUX && defined(SYS_cachestat)
	struct { uint64_t off, len; } range = { 0, 0 };	/* 0: to the end */
	struct { uint64_t cache, dirty, writeback, evicted, recent; } cs;

	if (syscall(SYS_cachestat, seg->fd, &range, &cs, 0) != 0)
		return errno;
	*bytes = cs.cache * (uint64_t)sysconf(_SC_PAGESIZE);
	return 0;
#else
	(void)seg, (void)bytes;
	return ENOSYS;
#endif
}

/*
 * Whether mincore tells the truth about the file: Linux's test is
 * that the caller owns it, may write it, or is capable (root).
 */
static bool
mincore_is_honest(const struct segment *seg)
{
	uid_t uid = geteuid();

	return uid == 0 || uid == seg->st.st_uid ||
	    faccessat(AT_FDCWD, seg->path, W_OK, AT_EACCESS) == 0;
}

static bool
resident_by_mincore(const struct segment *seg, uint64_t *bytes)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), off, len, i, n;
	unsigned char *vec;
	void *p;
	int rc;

	*bytes = 0;
	if ((vec = malloc(MINCORE_WINDOW / page)) == NULL)
		return false;
	for (off = 0; off < seg->size; off += len) {
		len = seg->size - off < MINCORE_WINDOW ? seg->size - off :
		    MINCORE_WINDOW;
		n = (len + page - 1) / page;
		p = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, seg->fd,
		    (off_t)off);
		if (p == MAP_FAILED)
			break;
		rc = mincore(p, (size_t)len, vec);
		munmap(p, (size_t)len);
		if (rc != 0)
			break;
		for (i = 0; i < n; i++)
			*bytes += (vec[i] & 1) ? page : 0;
	}
	free(vec);
	if (*bytes > seg->size)
		*bytes = seg->size;
	return off >= seg->size;
}

bool
segment_resident(const struct segment *seg, uint64_t *bytes)
{
	return seg->ops->resident(seg, bytes);
}

bool
fd_resident(const struct segment *seg, uint64_t *bytes)
{
	int err;

	if ((err = resident_by_cachestat(seg, bytes)) == 0)
		return true;
	if (err == EPERM || !mincore_is_honest(seg))
		return false;
	return resident_by_mincore(seg, bytes);
}

static void
filesystem_by_magic(const struct segment *seg, char *buf, size_t size)
{
#if SHM_LINUX
	struct statfs fs;

	if (seg->fd < 0 || fstatfs(seg->fd, &fs) != 0)
		return;
	if (fs.f_type == 0x01021994)
		snprintf(buf, size, "tmpfs");
	else if (fs.f_type == (long)0x958458f6)
		snprintf(buf, size, "hugetlbfs");
#else
	(void)seg, (void)buf, (void)size;
#endif
}

void
segment_filesystem(const struct segment *seg, char *buf, size_t size)
{
	buf[0] = '\0';
	seg->ops->filesystem(seg, buf, size);
}

void
fd_filesystem(const struct segment *seg, char *buf, size_t size)
{
	char *line = NULL, type[64];
	size_t cap = 0;
	unsigned maj, min;
	const char *dash;
	FILE *fp;

	/* "36 35 0:27 / /dev/shm rw,nosuid - tmpfs tmpfs rw": 0:27 is st_dev. */
	if ((fp = fopen("/proc/self/mountinfo", "re")) == NULL)
		return;
	/* getline: a mount point's path may be any length. */
	while (getline(&line, &cap, fp) != -1) {
		if (sscanf(line, "%*d %*d %u:%u", &maj, &min) != 2 ||
		    maj != major(seg->st.st_dev) ||
		    min != minor(seg->st.st_dev) ||
		    (dash = strstr(line, " - ")) == NULL ||
		    sscanf(dash + 3, "%63s", type) != 1)
			continue;
		snprintf(buf, size, "%s", type);
		break;
	}
	free(line);
	fclose(fp);
	/* Not mounted anywhere (a memfd's internal tmpfs): by its magic. */
	if (buf[0] == '\0')
		filesystem_by_magic(seg, buf, size);
}
