/*
 * replace.c - an LD_PRELOAD shim that puts a new file under the name
 * $SHIM_REPLACE (a path) just before the first lstat of that path, as
 * a program making the object anew between gc's check and its removal
 * would.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
replace(const char *path)
{
	static int done;
	const char *name = getenv("SHIM_REPLACE");
	char tmp[4096];
	int fd;

	if (done || name == NULL || strcmp(path, name) != 0)
		return;
	done = 1;
	snprintf(tmp, sizeof(tmp), "%s.shim", name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		return;
	if (write(fd, "new", 3) == 3)
		(void)rename(tmp, name);
	close(fd);
}

int
lstat(const char *path, struct stat *st)
{
	int (*real)(const char *, struct stat *) =
	    (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "lstat");

	replace(path);
	return real(path, st);
}
