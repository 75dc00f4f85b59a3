/*
 * identity.c - what a segment is, beyond its name: its kind, its seals,
 * what tells it from a later file on the same inode, and whether a
 * descriptor is open on it.
 */
#define _GNU_SOURCE		/* statx */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "seg/backend.h"
#include "seg/layer.h"
#include "seg/map.h"
#include "util/port.h"
#include "util/shm.h"

void
segment_read_birth(struct segment *seg)
{
#if SHM_LINUX && defined(STATX_BTIME)
	struct statx stx;

	if (statx(seg->fd, "", AT_EMPTY_PATH, STATX_BTIME, &stx) == 0 &&
	    (stx.stx_mask & STATX_BTIME)) {
		seg->born.tv_sec = (time_t)stx.stx_btime.tv_sec;
		seg->born.tv_nsec = (long)stx.stx_btime.tv_nsec;
		seg->has_born = true;
	}
#elif SHM_LINUX && defined(SYS_statx)
	/*
	 * A libc without statx() (musl before 1.2.5): the system call,
	 * with the kernel's struct statx read by its fixed layout.
	 */
	unsigned char stx[256];
	uint32_t mask, nsec;
	int64_t sec;

	if (syscall(SYS_statx, seg->fd, "", AT_EMPTY_PATH,
	    0x800u /* STATX_BTIME */, stx) == 0) {
		memcpy(&mask, stx, sizeof(mask));
		memcpy(&sec, stx + 80, sizeof(sec));
		memcpy(&nsec, stx + 88, sizeof(nsec));
		if (mask & 0x800u) {
			seg->born.tv_sec = (time_t)sec;
			seg->born.tv_nsec = (long)nsec;
			seg->has_born = true;
		}
	}
#else
	(void)seg;
#endif
}

/* Linux's FS_IOC_GETVERSION, spelled out: <linux/fs.h> is not libc's. */
#if SHM_LINUX && !defined(FS_IOC_GETVERSION)
#define FS_IOC_GETVERSION	_IOR('v', 1, long)
#endif

/*
 * What tells this file from a later one on the same inode: its birth
 * time where the file system keeps one (tmpfs, ext4 with large inodes,
 * btrfs, xfs), else the inode's generation number (ext2-4 with small
 * inodes), which the file system changes when it reuses an inode.
 * Without either, the file's ctime: a record is then trusted only
 * while the file is unchanged since it was saved (ident_is_ctime).
 */
void
segment_identity(const struct segment *seg, char *buf, size_t size)
{
	seg->ops->identity(seg, buf, size);
}

void
fd_identity(const struct segment *seg, char *buf, size_t size)
{
#if SHM_LINUX && defined(FS_IOC_GETVERSION)
	int gen[2] = { 0, 0 };	/* the kernel writes an int; room for long */
#endif
	struct stat st;

	if (seg->has_born) {
		snprintf(buf, size, "%lld.%09ld", (long long)seg->born.tv_sec,
		    seg->born.tv_nsec);
		return;
	}
#if SHM_LINUX && defined(FS_IOC_GETVERSION)
	if (ioctl(seg->fd, FS_IOC_GETVERSION, gen) == 0) {
		snprintf(buf, size, "g%u", (unsigned)gen[0]);
		return;
	}
#endif
	if (fstat(seg->fd, &st) != 0)
		st = seg->st;
	snprintf(buf, size, "c%lld.%09ld", (long long)st.st_ctim.tv_sec,
	    (long)st.st_ctim.tv_nsec);
}

bool
segment_identity_weak(const char *ident)
{
	return ident[0] == 'c';
}

const char *
segment_kind(const struct segment *seg)
{
	return seg->ops->kind(seg);
}

const char *
fd_kind(const struct segment *seg)
{
	char proc[64], target[32];
	ssize_t n;

	if (seg->object[0] != '\0')
		return "object";
	/* A memfd, reached through /proc/PID/fd/N, names itself so. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", seg->fd);
	if (seg->fd >= 0 &&
	    (n = readlink(proc, target, sizeof(target) - 1)) > 0) {
		target[n] = '\0';
		if (strncmp(target, "/memfd:", 7) == 0)
			return "memfd";
	}
	return "file";
}

#if SHM_LINUX && !defined(F_GET_SEALS)
#define F_GET_SEALS	1034	/* Linux's, where libc's headers lack it */
#endif

/* A memfd's seals as F_GET_SEALS has them, or -1: none to be had. */
static int
memfd_seals(const struct segment *seg)
{
#if SHM_LINUX
	if (strcmp(segment_kind(seg), "memfd") == 0)
		return fcntl(seg->fd, F_GET_SEALS);
#else
	(void)seg;
#endif
	return -1;
}

void
segment_seals(const struct segment *seg, char *buf, size_t size)
{
	static const struct { int bit; const char *name; } seals[] = {
		{ 0x0001, "seal" }, { 0x0002, "shrink" }, { 0x0004, "grow" },
		{ 0x0008, "write" }, { 0x0010, "future-write" },
	};
	size_t i, len = 0;
	int got;

	buf[0] = '\0';
	if ((got = memfd_seals(seg)) < 0)
		return;
	for (i = 0; i < sizeof(seals) / sizeof(seals[0]); i++)
		if ((got & seals[i].bit) && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
			    len > 0 ? "," : "", seals[i].name);
}

int
segment_distinct(const struct segment *seg, int fd, const char *fdname)
{
	return seg->ops->distinct(seg, fd, fdname);
}

int
fd_distinct(const struct segment *seg, int fd, const char *fdname)
{
	struct stat st;

	if (fstat(fd, &st) != 0 || !shm_same_file(&st, &seg->st))
		return SHM_OK;
	return shm_error(seg->name, "%s and the segment are the same file; "
	    "nothing copied ('shm move' copies within a segment)", fdname);
}
