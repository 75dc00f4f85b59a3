/*
 * commands.h - the commands: the one list of them.
 *
 * Each is a file of its own here, cmd/NAME.c, whose cmd_NAME returns
 * its exit status, or SHM_DONE after --help, and whose NAME_help is
 * its help and its options (util/opt.h).  main.c's table, the
 * prototypes below and the Makefile's links and pages (which read the
 * lines of this list) all come from SHM_COMMANDS, in the order --help
 * shows them.
 */
#ifndef SHM_COMMANDS_H
#define SHM_COMMANDS_H

#include "util/opt.h"

#define SHM_COMMANDS(X) \
	X(create, "make a new segment, empty or from a file") \
	X(write, "put bytes, text or values into a segment") \
	X(read, "copy bytes or values out of a segment") \
	X(seek, "set or print a segment's cursor") \
	X(find, "print where bytes occur in a segment") \
	X(flush, "write a segment's changes to its file") \
	X(resize, "grow or shrink a segment") \
	X(move, "copy bytes within a segment (memmove)") \
	X(dump, "show a segment in hex, as hexdump -C or xxd") \
	X(diff, "show where two segments differ, as cmp does") \
	X(stat, "show a segment's size, cursor and owner") \
	X(list, "list the POSIX shared-memory objects") \
	X(rm, "remove segments") \
	X(gc, "remove the objects nothing uses or changed for a while") \
	X(lock, "run a command holding a segment's lock") \
	X(wait, "wait until a segment changes or a value holds") \
	X(watch, "show a segment's changes as they happen") \
	X(layout, "print a layout of named fields as C, Python or numpy") \
	X(who, "show the processes that map, open or lock one")

#define SHM_COMMAND_PROTOTYPE(name, summary) int cmd_##name(int, char **); \
	extern const struct opt_command name##_help;
SHM_COMMANDS(SHM_COMMAND_PROTOTYPE)
#undef SHM_COMMAND_PROTOTYPE

#endif
