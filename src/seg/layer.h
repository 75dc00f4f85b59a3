/*
 * layer.h - what the files of the mapping layer (map.h) share with
 * each other and with no one else.
 */
#ifndef SHM_LAYER_H
#define SHM_LAYER_H

/* Where POSIX objects live as files: Linux's tmpfs. */
#define SEGMENT_DIR	"/dev/shm"

#endif
