/*
 * records.h - a stream appended a record at a time, each whole, as it
 * arrives: write --append --lines.
 */
#ifndef SHM_RECORDS_H
#define SHM_RECORDS_H

#include "seg/map.h"

/*
 * Reads FILE (NULL or "-": standard input) to its end and appends each
 * record, ended by sep ('\n' or '\0'), at the end of the segment under
 * its exclusive lock as soon as it is complete; a last record without
 * sep, at the end of the input.  Every record is appended whole or not
 * at all.  A record that cannot be appended, or a signal, stops it:
 * the records appended before stay, and the line printed says how many.
 */
int	records_append(struct segment *, const char *path, int sep);

#endif
