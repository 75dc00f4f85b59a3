/*
 * fd.c - the kind of segment reached through a descriptor: a POSIX
 * object, a file, a memfd through /proc/PID/fd.  Its operations are in
 * the files that backend.h's sections name, beside the segment_*
 * functions that call them; this is their table.
 */
#include <stddef.h>

#include "seg/backend.h"

const struct segment_ops fd_ops = {
	.fixed_size = NULL,
	.lookup = fd_lookup,
	.present = fd_present,
	.check_name = fd_check_name,
	.open = fd_open,
	.close = fd_close,
	.refresh = fd_refresh,
	.size_now = fd_size_now,
	.kind = fd_kind,
	.identity = fd_identity,
	.distinct = fd_distinct,
	.create = fd_create,
	.trust = fd_trust,
	.scratch = fd_scratch,
	.remove = fd_remove,
	.lock = fd_lock,
	.resize = fd_resize,
	.restore_size = fd_restore_size,
	.reserve = fd_reserve,
	.write = fd_write,
	.read = fd_read,
	.read_sparse = fd_read_sparse,
	.in_hole = fd_in_hole,
	.data_end = fd_data_end,
	.copy_out = fd_copy_out,
	.copy_in_kernel = fd_copy_in_kernel,
	.next_data = fd_next_data,
	.punch = fd_punch,
	.resident = fd_resident,
	.filesystem = fd_filesystem,
	.map = fd_map,
	.sync = fd_sync,
	.notify = fd_notify,
};
