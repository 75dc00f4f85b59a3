/*
 * noident.c - an LD_PRELOAD shim for a file system that keeps neither
 * a birth time nor an inode generation (NFS, FUSE): statx never
 * reports STATX_BTIME and FS_IOC_GETVERSION is not supported.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>

int
statx(int dfd, const char *path, int flags, unsigned mask,
    struct statx *stx)
{
	int (*real)(int, const char *, int, unsigned, struct statx *) =
	    (int (*)(int, const char *, int, unsigned, struct statx *))
	    dlsym(RTLD_NEXT, "statx");
	int rc = real(dfd, path, flags, mask, stx);

	if (rc == 0)
		stx->stx_mask &= ~(unsigned)STATX_BTIME;
	return rc;
}

int
ioctl(int fd, unsigned long req, ...)
{
	int (*real)(int, unsigned long, void *) =
	    (int (*)(int, unsigned long, void *))dlsym(RTLD_NEXT, "ioctl");
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (req == (unsigned long)_IOR('v', 1, long)) {
		errno = ENOTTY;
		return -1;
	}
	return real(fd, req, arg);
}
