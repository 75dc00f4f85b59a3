#!/usr/bin/env bats
# Streams larger than shm's 1 MiB of memory are written as they come,
# with an undo copy of what they overwrite: every way a stream can fail
# after bytes went in must still leave every byte, hole and size as it
# was, and the undo copy must be gone.

load helpers

@test "a large stream over data and holes writes exactly and keeps the cursor rule" {
	make_mixed "${P}a"
	head -c 5000000 /dev/urandom > data
	cat data | shm write "${P}a"
	cmp data <(head -c 5000000 "/dev/shm/${P}a")
	cmp <(tail -c +5000001 before) <(tail -c +5000001 "/dev/shm/${P}a")
	assert_equal "$(shm seek "${P}a")" 5000000
	assert_equal "$(stat -c %s "/dev/shm/${P}a")" 8388608
}

@test "a large stream one byte too long puts back every byte and hole" {
	make_mixed "${P}a"
	local was
	was=$(blocks "/dev/shm/${P}a")
	capture bash -c '{ head -c 8388608 /dev/urandom; printf x; } |
		"$0" write "$1" -o 0' "$SHM" "${P}a"
	assert_fails 2 "shm: write: ${P}a: more than 8388608 bytes at offset 0 do not fit in 8388608 bytes; nothing written (--grow extends it)"
	cmp before "/dev/shm/${P}a"
	# The hole is a hole again: no more blocks than before.
	[ "$(blocks "/dev/shm/${P}a")" -le "$was" ]
	# At an offset, too long by one for what is left.
	capture bash -c 'head -c 6000001 /dev/urandom |
		"$0" write "$1" -o 2388608' "$SHM" "${P}a"
	assert_fails 2 "shm: write: ${P}a: more than 6000000 bytes at offset 2388608 do not fit in 8388608 bytes; nothing written (--grow extends it)"
	cmp before "/dev/shm/${P}a"
	assert_equal "$(shm seek "${P}a")" 0
}

@test "a large stream interrupted part way puts everything back and dies of the signal" {
	local sig
	for sig in INT TERM; do
		make_mixed "${P}$sig"
		# 6 MiB are in the segment, and 2 MiB past its old end.
		interrupt_fifo_write "$sig" "head -c 6M /dev/urandom" \
			write "${P}$sig" --grow -o 4M
		assert_equal "$status" $((128 + $(kill -l "$sig")))
		assert_equal "$(cat err)" "shm: write: fifo$sig: interrupted by SIG$sig after reading 6291456 bytes; nothing written"
		cmp before "/dev/shm/${P}$sig"
		assert_equal "$(stat -c %s "/dev/shm/${P}$sig")" 8388608
	done
}

@test "a full file system part way through a stream puts back bytes, size and space" {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
	mkdir small
	capture unshare -m sh -c '
		mount -t tmpfs -o size=4m tmpfs small || exit 99
		head -c 65536 /dev/urandom > small/seg
		cp small/seg before
		free=$(stat -f -c %f small)
		head -c 8M /dev/urandom | "$0" write small/seg --grow -o 0
		s=$?
		cmp -s before small/seg || exit 97
		[ "$(stat -c %s small/seg)" = 65536 ] || exit 96
		# The undo copy and the grown part are freed.
		[ "$(stat -f -c %f small)" = "$free" ] || exit 95
		exit $s' "$SHM"
	[ "$status" != 99 ] || skip "cannot mount tmpfs here"
	assert_equal "$status" 2
	# Splice says no offset; a portable build's pwrite does.
	[[ $stderr =~ ^shm:\ write:\ small/seg:\ (write\ failed\ at\ offset\ [0-9]+:\ )?No\ space\ left\ on\ device$ ]]
}

@test "no room for the undo copy itself: nothing changes, and it is said once" {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
	mkdir small
	# 1.5 MiB of data on a 2 MiB tmpfs: keeping the 1.2 MiB a stream
	# overwrites needs more than the 0.5 MiB left.
	capture unshare -m sh -c '
		mount -t tmpfs -o size=2m tmpfs small || exit 99
		head -c 1572864 /dev/urandom > small/seg
		cp small/seg before
		free=$(stat -f -c %f small)
		head -c 1300000 /dev/urandom | "$0" write small/seg -o 0
		s=$?
		cmp -s before small/seg || exit 97
		[ "$(stat -f -c %f small)" = "$free" ] || exit 95
		exit $s' "$SHM"
	[ "$status" != 99 ] || skip "cannot mount tmpfs here"
	assert_fails 2 "shm: write: small/seg: no room to keep a copy of what this write overwrites: 1048576 bytes or more; nothing written"
}

@test "--append of a large stream goes on at the end, whole, or not at all" {
	shm create "${P}a" 3
	shm write "${P}a" -o 0 -s abc
	head -c 3000000 /dev/urandom > data
	cat data | shm write "${P}a" --append
	cmp <({ printf abc; cat data; }) "/dev/shm/${P}a"
	# Nothing was overwritten, so nothing was kept; a failure cuts it back.
	cp "/dev/shm/${P}a" before
	mkfifo fifo
	"$SHM" write "${P}a" --append -i fifo 2>err &
	local pid=$!
	open_fifo "$pid" fifo
	# All in the pipe: all but a pipe's worth written.
	head -c 2M /dev/urandom >&4
	kill -TERM "$pid"
	wait "$pid" || true
	exec 4>&-
	cmp before "/dev/shm/${P}a"
}
