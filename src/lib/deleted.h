/*
 * deleted.h - the memory removed segments still hold: objects, files
 * of the objects' file system and memfds that have no name left but
 * that a process still holds open or mapped (list --deleted).
 */
#ifndef SHM_DELETED_H
#define SHM_DELETED_H

#include <sys/stat.h>

#include <limits.h>
#include <stddef.h>

#include "lib/users.h"

struct deleted_file {
	char		 name[PATH_MAX];	/* "/dev/shm/x", "/memfd:y" */
	char		 path[96];	/* where it can be read still */
	long		 pid;		/* the process holding it there */
	char		 command[64];	/* its /proc/PID/comm */
	struct stat	 st;
};

struct deleted_listing {
	struct deleted_file	*v;
	size_t			 n, cap;
};

/*
 * Finds them all, each once, with the first process found to hold a
 * descriptor on it (its path /proc/PID/fd/N), or else one that maps it
 * (/proc/PID/map_files/START-END); *missed counts the processes not
 * inspected.  SHM_OK, or SHM_FAIL after a message.
 */
int	deleted_scan(struct deleted_listing *, struct users_missed *missed);
void	deleted_free(struct deleted_listing *);

#endif
