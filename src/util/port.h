/*
 * port.h - which of Linux's own ways this build may use.
 *
 * Each has a POSIX way beside it: copy_file_range, sendfile and splice
 * have read and write; SEEK_DATA a file that is all data; O_TMPFILE and
 * linkat a named temporary, link and rename; statx and the inode's
 * generation the ctime; fallocate no space claimed ahead.  PORTABLE=1
 * (-DSHM_PORTABLE) builds only the POSIX ways, so that the code a port
 * would run is built, and run by the whole suite, here too.
 */
#ifndef SHM_PORT_H
#define SHM_PORT_H

#if defined(__linux__) && !defined(SHM_PORTABLE)
#define SHM_LINUX	1
#else
#define SHM_LINUX	0
#endif

#endif
