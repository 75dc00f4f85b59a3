/*
 * layer.h - what the files of the mapping layer (map.h) share with
 * each other and with no one else.
 */
#ifndef SHM_LAYER_H
#define SHM_LAYER_H

/* Where POSIX objects live as files: Linux's tmpfs. */
#define SEGMENT_DIR	"/dev/shm"

#include <sys/stat.h>

#include "seg/map.h"

/* name.c */
/* Why the segment could not be opened (errno), as a message. */
int	segment_report_missing(const struct segment *);
/* An error unless st is a regular file: only that is a segment. */
int	segment_check_type(const char *name, const struct stat *);

/* identity.c */
/* seg->born and has_born, from the open descriptor, where known. */
void	segment_read_birth(struct segment *);

/* create.c */
/*
 * A file with no name in the directory of path (its last component is
 * not used), or -1 with errno.
 */
int	segment_scratch_beside(const char *path);

/* open.c */
/* shm_open for an object ("/NAME"), else open(2); -1 with errno. */
int	segment_open_descriptor(const char *object, const char *path,
	    int flags, mode_t mode);
/* Forget (free, not remove) the name of the unpublished copy. */
void	segment_forget_temp(struct segment *);

#endif
