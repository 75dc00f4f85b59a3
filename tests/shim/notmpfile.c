/*
 * notmpfile.c - an LD_PRELOAD shim that makes open(O_TMPFILE) fail as
 * on a file system without it, so the tests reach create's fallback:
 * a hidden named temporary.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>

typedef int open_fn(const char *, int, ...);

static int
refuse_tmpfile(const char *path, int flags, va_list ap, const char *name)
{
	open_fn *real = (open_fn *)dlsym(RTLD_NEXT, name);
	mode_t mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ?
	    va_arg(ap, mode_t) : 0;

	if ((flags & O_TMPFILE) == O_TMPFILE) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return real(path, flags, mode);
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = refuse_tmpfile(path, flags, ap, "open");
	va_end(ap);
	return fd;
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = refuse_tmpfile(path, flags, ap, "open64");
	va_end(ap);
	return fd;
}
