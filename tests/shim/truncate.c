/*
 * truncate.c - an LD_PRELOAD shim for the fault tests: it truncates a
 * segment behind shm's back at the worst moment, as another process
 * could.  SHIM_AFTER names the call it strikes at (mmap: just after
 * the mapping is made; pread, sendfile, copy_file_range: just before
 * the first one, on the file read from);  SHIM_SIZE is the size it
 * cuts the file to (default 0).
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/types.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int struck;

static void
strike(const char *call, int fd)
{
	const char *after = getenv("SHIM_AFTER");
	const char *size = getenv("SHIM_SIZE");
	char path[64];

	if (struck || after == NULL || strcmp(after, call) != 0)
		return;
	struck = 1;
	/* Through /proc, so a descriptor opened read-only can be cut too. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (truncate(path, size != NULL ? atol(size) : 0) != 0)
		_exit(99);
}

#define REAL(name, type)	((type)dlsym(RTLD_NEXT, name))

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = REAL("mmap", void *(*)(void *, size_t, int, int, int,
	    off_t))(addr, len, prot, flags, fd, off);

	if (p != MAP_FAILED && fd >= 0)
		strike("mmap", fd);
	return p;
}

ssize_t
pread(int fd, void *buf, size_t len, off_t off)
{
	strike("pread", fd);
	return REAL("pread", ssize_t (*)(int, void *, size_t, off_t))(fd,
	    buf, len, off);
}

ssize_t
pread64(int fd, void *buf, size_t len, off_t off)
{
	strike("pread", fd);
	return REAL("pread64", ssize_t (*)(int, void *, size_t, off_t))(fd,
	    buf, len, off);
}

ssize_t
sendfile(int out, int in, off_t *off, size_t len)
{
	strike("sendfile", in);
	return REAL("sendfile", ssize_t (*)(int, int, off_t *, size_t))(out,
	    in, off, len);
}

ssize_t
sendfile64(int out, int in, off_t *off, size_t len)
{
	strike("sendfile", in);
	return REAL("sendfile64", ssize_t (*)(int, int, off_t *,
	    size_t))(out, in, off, len);
}

ssize_t
copy_file_range(int in, off_t *in_off, int out, off_t *out_off, size_t len,
    unsigned flags)
{
	strike("copy_file_range", in);
	return REAL("copy_file_range", ssize_t (*)(int, off_t *, int,
	    off_t *, size_t, unsigned))(in, in_off, out, out_off, len, flags);
}
