/*
 * cost.c - what a segment costs: the memory its pages hold now, and
 * the file system it lives on.
 *
 * Resident bytes come from cachestat(2) (Linux 6.5), which counts the
 * page cache without mapping anything; before it, from mincore(2) over
 * a read-only mapping, which asks about pages without touching them,
 * so that asking allocates no page of a tmpfs hole.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map.h"
#include "port.h"
#include "shm.h"

/* Its number is the same on every architecture, but not yet in libc's. */
#if SHM_LINUX && !defined(SYS_cachestat)
#define SYS_cachestat	451
#endif

/* Pages asked about in one mincore call: 1 GiB of 4 KiB pages. */
#define MINCORE_WINDOW	(1ULL << 30)

static bool
resident_by_cachestat(const struct segment *seg, uint64_t *bytes)
{
#if SHM_LINUX && defined(SYS_cachestat)
	struct { uint64_t off, len; } range = { 0, 0 };	/* 0: to the end */
	struct { uint64_t cache, dirty, writeback, evicted, recent; } cs;

	if (syscall(SYS_cachestat, seg->fd, &range, &cs, 0) != 0)
		return false;
	*bytes = cs.cache * (uint64_t)sysconf(_SC_PAGESIZE);
	return true;
#else
	(void)seg, (void)bytes;
	return false;
#endif
}

static int
resident_by_mincore(const struct segment *seg, uint64_t *bytes)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), off, len, i, n;
	unsigned char *vec;
	void *p;

	*bytes = 0;
	if ((vec = malloc(MINCORE_WINDOW / page)) == NULL)
		return shm_perror(seg->name);
	for (off = 0; off < seg->size; off += len) {
		len = seg->size - off < MINCORE_WINDOW ? seg->size - off :
		    MINCORE_WINDOW;
		n = (len + page - 1) / page;
		p = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, seg->fd,
		    (off_t)off);
		if (p == MAP_FAILED || mincore(p, (size_t)len, vec) != 0) {
			if (p != MAP_FAILED)
				munmap(p, (size_t)len);
			free(vec);
			return shm_errno(seg->name, "cannot tell what is in "
			    "memory");
		}
		munmap(p, (size_t)len);
		for (i = 0; i < n; i++)
			*bytes += (vec[i] & 1) ? page : 0;
	}
	free(vec);
	if (*bytes > seg->size)
		*bytes = seg->size;
	return SHM_OK;
}

/* A SysV segment is attached already: mincore over that memory. */
static int
resident_attached(const struct segment *seg, uint64_t *bytes)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), i, n;
	unsigned char *vec;

	*bytes = 0;
	n = (seg->size + page - 1) / page;
	if ((vec = malloc(n + 1)) == NULL)
		return shm_perror(seg->name);
	if (mincore(seg->mem, (size_t)seg->size, vec) != 0) {
		free(vec);
		return shm_errno(seg->name, "cannot tell what is in memory");
	}
	for (i = 0; i < n; i++)
		*bytes += (vec[i] & 1) ? page : 0;
	free(vec);
	if (*bytes > seg->size)
		*bytes = seg->size;
	return SHM_OK;
}

int
segment_resident(const struct segment *seg, uint64_t *bytes)
{
	if (seg->sysv)
		return resident_attached(seg, bytes);
	if (resident_by_cachestat(seg, bytes))
		return SHM_OK;
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
	char line[1024], type[64];
	unsigned maj, min;
	const char *dash;
	FILE *fp;

	buf[0] = '\0';
	if (seg->sysv) {
		snprintf(buf, size, "sysvipc");
		return;
	}
	/* "36 35 0:27 / /dev/shm rw,nosuid - tmpfs tmpfs rw": 0:27 is st_dev. */
	if ((fp = fopen("/proc/self/mountinfo", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%*d %*d %u:%u", &maj, &min) != 2 ||
		    maj != major(seg->st.st_dev) ||
		    min != minor(seg->st.st_dev) ||
		    (dash = strstr(line, " - ")) == NULL ||
		    sscanf(dash + 3, "%63s", type) != 1)
			continue;
		snprintf(buf, size, "%s", type);
		break;
	}
	fclose(fp);
	/* Not mounted anywhere (a memfd's internal tmpfs): by its magic. */
	if (buf[0] == '\0')
		filesystem_by_magic(seg, buf, size);
}
