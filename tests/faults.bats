#!/usr/bin/env bats
# Faults under a mapping: a segment cut short by another process, and a
# file system that fills up.  shm reports them; it never dies of SIGBUS.

load helpers

setup_file() {
	export SHIM="$BATS_FILE_TMPDIR/truncate.so"
	cc -shared -fPIC -o "$SHIM" "$BATS_TEST_DIRNAME/shim/truncate.c" -ldl \
		2>/dev/null || true
}

# Runs shm with the shim cutting NAME to 0 bytes at call $1.
run_cut() {
	local at=$1; shift
	[ -f "$SHIM" ] || skip "no C compiler to build the shim"
	skip_if_static
	# An ASan build wants its runtime first; the shim comes first here.
	capture env SHIM_AFTER="$at" LD_PRELOAD="$SHIM" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$SHM" "$@"
}

make_seg() {
	shm create "${P}a" 64K
	shm write "${P}a" -o 1000 -s data
}

@test "move: the segment cut short after mapping is an error, not SIGBUS" {
	make_seg
	run_cut mmap move "${P}a" 0 4096 8192
	assert_fails 2 "shm: move: ${P}a: segment shrank to 0 bytes while in use"
}

@test "read: a segment cut short while copying is an error" {
	make_seg
	# Into a pipe shm copies with pread; into a file, with sendfile.
	run_cut pread read "${P}a" -o 0
	assert_fails 2 "shm: read: ${P}a: segment shrank to 0 bytes while in use"
	is_portable && return	# no sendfile there: pread and write, as above
	# Data again: into a file only data is copied, holes are left.
	shm resize "${P}a" 64K
	shm write "${P}a" -o 1000 -s data
	run_cut sendfile read "${P}a" -o 0 -O out
	assert_fails 2 "shm: read: ${P}a: segment shrank to 0 bytes while in use"
}

@test "read --line and read --as: a segment cut short is an error" {
	make_seg
	run_cut pread read "${P}a" -o 0 --as 100B
	assert_fails 2 "shm: read: ${P}a: segment shrank to 0 bytes while in use"
}

@test "find: a segment cut short while searching is an error" {
	make_seg
	# find reads, never maps: sparse or dense, either way.
	run_cut pread find "${P}a" nothere
	assert_fails 2 "shm: find: ${P}a: segment shrank to 0 bytes while in use"
	shm resize "${P}a" 64K
	run_cut pread find -r "${P}a" nothere
	assert_fails 2 "shm: find: ${P}a: segment shrank to 0 bytes while in use"
	# All data, and -a, which goes on after a match.
	shm resize "${P}a" 64K
	head -c 65536 /dev/urandom | shm write "${P}a" -o 0
	run_cut pread find "${P}a" nothere-at-all
	assert_fails 2 "shm: find: ${P}a: segment shrank to 0 bytes while in use"
	shm resize "${P}a" 64K
	head -c 65536 /dev/urandom | shm write "${P}a" -o 0
	run_cut pread find -a "${P}a" nothere-at-all
	assert_fails 2 "shm: find: ${P}a: segment shrank to 0 bytes while in use"
}

@test "dump: a segment cut short while dumping is an error" {
	make_seg
	run_cut pread dump "${P}a"
	assert_fails 2 "shm: dump: ${P}a: segment shrank to 0 bytes while in use"
}

@test "write: a segment cut short before writing still gets its bytes" {
	# pwrite extends a file cut short: no fault, and the data lands.
	make_seg
	run_cut mmap write "${P}a" -o 10 -s xyz
	assert_equal "$status" 0
	assert_equal "$(shm read "${P}a" -o 10 -n 3)" xyz
}

# A tmpfs of 1 MiB, mounted for the test when we are root.
mount_small() {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
	mkdir small
	mount -t tmpfs -o size=1m tmpfs small 2>/dev/null ||
		skip "cannot mount tmpfs here"
	head -c 2M /dev/urandom > big
}

teardown() {
	mountpoint -q "$BATS_TEST_TMPDIR/small" 2>/dev/null &&
		umount "$BATS_TEST_TMPDIR/small"
	helpers_teardown
}

@test "a full file system: write --grow fails before writing a byte" {
	mount_small
	shm create small/seg 512K
	capture shm write small/seg --grow -i big
	assert_fails 2 "shm: write: small/seg: No space left on device"
	assert_equal "$(stat -c %s small/seg)" 524288
	cmp small/seg <(head -c 512K /dev/zero)
}

@test "a full file system: create --from fails and leaves nothing behind" {
	mount_small
	capture shm create small/seg --from big
	assert_fails 2 "shm: create: small/seg: No space left on device"
	assert_equal "$(ls -A small)" ""
}

@test "a full file system: writing into a sparse segment fails cleanly" {
	mount_small
	shm create small/seg 4M
	capture shm write small/seg -o 0 -i big
	assert_fails 2 "shm: write: small/seg: No space left on device"
	capture shm move small/seg 0 2M 2M
	assert_fails 2 "shm: move: small/seg: No space left on device"
	capture shm write small/seg -o 1M --as '<I' 7
	assert_equal "$status" 0
	assert_equal "$(shm read small/seg -o 1M --as '<I')" 7
}
