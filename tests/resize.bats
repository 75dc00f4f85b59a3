#!/usr/bin/env bats
# shm resize, shm move and shm flush.

load helpers

@test "resize grows zero-filled and keeps the bytes below" {
	shm create "${P}a" 3
	shm write "${P}a" -s abc
	shm resize "${P}a" 6
	cmp "/dev/shm/${P}a" <(printf 'abc\0\0\0')
	shm resize "${P}a" +2
	assert_equal "$(stat -c %s "/dev/shm/${P}a")" 8
}

@test "resize to a smaller size needs --shrink" {
	shm create "${P}a" 8
	shm write "${P}a" -s abcdefgh
	capture shm resize "${P}a" 4
	assert_fails 2 "shm: resize: ${P}a: shrinking to 4 bytes destroys 4; --shrink allows it"
	capture shm resize "${P}a" -2
	assert_fails 2 "shm: resize: ${P}a: shrinking to 6 bytes destroys 2; --shrink allows it"
	assert_equal "$(cat "/dev/shm/${P}a")" abcdefgh
	shm resize --shrink "${P}a" -2
	assert_equal "$(cat "/dev/shm/${P}a")" abcdef
	shm resize -s "${P}a" 2
	assert_equal "$(cat "/dev/shm/${P}a")" ab
}

@test "resize clamps a cursor beyond the new end" {
	shm create "${P}a" 8
	shm seek "${P}a" 7 >/dev/null
	shm resize --shrink "${P}a" 5
	assert_equal "$(shm seek "${P}a")" 5
	shm resize "${P}a" 10
	assert_equal "$(shm seek "${P}a")" 5
}

@test "resize refuses bad sizes" {
	shm create "${P}a" 8
	capture shm resize "${P}a" -9 --shrink
	assert_fails 2 "shm: resize: ${P}a: SIZE '-9': smaller than nothing (size 8)"
	capture shm resize "${P}a" 1x
	assert_fails 2 "shm: resize: SIZE '1x': not a number (see 'shm resize --help')"
	capture shm resize "${P}a"
	assert_fails 2 "shm: resize: missing SIZE (see 'shm resize --help')"
	capture shm resize "${P}none" 1
	assert_fails 2 "shm: resize: ${P}none: no such segment"
}

@test "resize of a segment the user may only read fails cleanly" {
	[ "$(id -u)" != 0 ] || skip "root may write anything"
	shm create -m 444 "${P}a" 8
	capture shm resize "${P}a" 9
	assert_fails 2 "shm: resize: ${P}a: Permission denied"
}

@test "move copies bytes within the segment, overlap-safe" {
	shm create "${P}a" 10
	shm write "${P}a" -s 0123456789
	shm move "${P}a" 2 0 5
	assert_equal "$(cat "/dev/shm/${P}a")" 0101234789
	shm move "${P}a" 0 5 5
	assert_equal "$(cat "/dev/shm/${P}a")" 3478934789
	shm move "${P}a" -2 0 2
	assert_equal "$(cat "/dev/shm/${P}a")" 3478934734
}

@test "move out of bounds changes nothing" {
	shm create "${P}a" 10
	shm write "${P}a" -s 0123456789
	capture shm move "${P}a" 6 0 5
	assert_fails 2 "shm: move: ${P}a: 5 bytes from 0 to 6 do not fit in 10 bytes; nothing moved"
	capture shm move "${P}a" 0 8 3
	assert_fails 2 "shm: move: ${P}a: 3 bytes from 8 to 0 do not fit in 10 bytes; nothing moved"
	capture shm move "${P}a" 11 0 0
	assert_fails 2 "shm: move: ${P}a: DST '11': beyond the end (size 10)"
	capture shm move "${P}a" 0 0
	assert_fails 2 "shm: move: missing COUNT (see 'shm move --help')"
	assert_equal "$(cat "/dev/shm/${P}a")" 0123456789
}

@test "move of 0 bytes, or onto itself, changes nothing" {
	shm create "${P}a" 4
	shm write "${P}a" -s abcd
	shm move "${P}a" 1 3 0
	shm move "${P}a" 2 2 2
	assert_equal "$(cat "/dev/shm/${P}a")" abcd
}

@test "move leaves the cursor alone" {
	shm create "${P}a" 4
	shm seek "${P}a" 3 >/dev/null
	shm move "${P}a" 0 1 2
	assert_equal "$(shm seek "${P}a")" 3
}

@test "flush of a POSIX object succeeds and says nothing" {
	shm create "${P}a" 4096
	capture shm flush "${P}a"
	assert_equal "$status" 0
	assert_equal "$output$stderr" ""
	capture shm flush --async "${P}a" -o 100 -n 10
	assert_equal "$status" 0
}

@test "flush of a file leaves the data readable in the file" {
	head -c 10000 /dev/urandom > f.bin
	shm write ./f.bin -o 5000 -s MARK
	shm flush ./f.bin
	assert_equal "$(tail -c +5001 f.bin | head -c 4)" MARK
	shm flush ./f.bin -o 4096 -n 10
}

@test "flush refuses a range outside the segment" {
	shm create "${P}a" 10
	capture shm flush "${P}a" -o 11
	assert_fails 2 "shm: flush: ${P}a: offset '11': beyond the end (size 10)"
	capture shm flush "${P}a" -n x
	assert_fails 2 "shm: flush: -n 'x': not a number (see 'shm flush --help')"
}

@test "flush of an empty segment succeeds" {
	shm create "${P}a" 0
	shm flush "${P}a"
}

# race_readers END: move, dump, find and read --as, in turn, until the
# time END (microseconds); each that a signal ends is counted in $bad.
race_readers() {
	local cmd rc
	while ((${EPOCHREALTIME//[!0-9]/} < $1)); do
		for cmd in "move ${P}a 0 8192 65536" "dump ${P}a -o 4000" \
		    "find ${P}a x" "read ${P}a -o 0 --as 100I"; do
			rc=0
			"$SHM" $cmd >/dev/null 2>err || rc=$?
			# 0, 1 (find: no match) or 2 with a message; > 128 is a signal.
			if [ "$rc" -gt 2 ]; then
				echo "shm $cmd: status $rc" >&2
				bad=$((bad + 1))
			fi
		done
	done
}

@test "resize --shrink racing move and dump never ends in a signal" {
	shm create "${P}a" 1M
	# Half a second of it; SCALE seconds under make test-deep.
	local us=500000 end bad=0
	((SCALE == 1)) || us=$((SCALE * 1000000))
	end=$((${EPOCHREALTIME//[!0-9]/} + us))
	(while ((${EPOCHREALTIME//[!0-9]/} < end)); do
		shm resize --shrink "${P}a" 4K; shm resize "${P}a" 1M
	done) 2>/dev/null &
	local pid=$!
	race_readers "$end"
	wait "$pid"
	assert_equal "$bad" 0
}

@test "flush --async starts the range's write-back at once; flush waits for it" {
	skip_if_portable "msync(MS_ASYNC), not sync_file_range"
	command -v strace >/dev/null || skip "strace is not installed"
	head -c 65536 /dev/urandom > file
	# LeakSanitizer cannot run under ptrace: no leak check under strace.
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
	strace -o trace -e trace=sync_file_range,msync "$SHM" flush --async -o 4096 -n 8192 ./file
	# Linux's MS_ASYNC does nothing; sync_file_range starts the writing.
	grep -q "^sync_file_range([0-9]*, 4096, 8192, SYNC_FILE_RANGE_WRITE) *= 0" trace
	run -1 grep -q msync trace
	strace -o trace -e trace=sync_file_range,msync "$SHM" flush -o 4096 -n 8192 ./file
	grep -q "^msync(0x[0-9a-f]*, 8192, MS_SYNC) *= 0" trace
	# Nothing to flush past the end, and no call for it.
	strace -o trace -e trace=sync_file_range,msync "$SHM" flush --async -o 65536 ./file
	run -1 grep -q "sync" trace
}

@test "move and flush map only what they touch, up to the largest size" {
	# 8 EiB less 1 GiB: mapping the span between the ends cannot work.
	shm create "${P}a" 9223372035781033984
	shm write "${P}a" -o -1 -s Q
	shm move "${P}a" 0 -1 1
	assert_equal "$(shm read "${P}a" -o 0 -n 1)" Q
	shm move "${P}a" -2 0 1
	assert_equal "$(shm read "${P}a" -o -2)" QQ
	# Without SEEK_DATA the holes are flushed too: 8 EiB of them.
	is_portable || shm flush "${P}a"
	shm flush "${P}a" -o -4096
	shm flush "${P}a" -o 0 -n 1
	shm flush --async "${P}a" -o -1
	assert_equal "$(shm stat -f allocated "${P}a")" 8192
}

@test "move of more than one piece is memmove's, whichever the direction" {
	# Just over one piece, overlapping either way.  The piece is
	# 1 MiB here (SHM_MOVE_PIECE, a testing aid); make test-deep
	# moves the default 64 MiB ones.
	local args d s n piece=1048576 size
	((SCALE == 1)) || piece=67108864
	size=$((piece / 16 * 17))
	head -c "$size" /dev/urandom > r
	for args in "0 1 $((size - 1))" "1 0 $((size - 1))" \
	    "0 $((piece / 21)) $((size - piece / 21))" \
	    "$((piece / 21)) 0 $((size - piece / 21))" \
	    "5 $((piece / 8 * 7)) $((size - piece / 8 * 7 - 5))"; do
		cp r "/dev/shm/${P}a"
		# shellcheck disable=SC2086	# three numbers
		SHM_MOVE_PIECE=$piece shm move "${P}a" $args
		read -r d s n <<< "$args"
		# memmove's result, by range: r's bytes before and after the
		# destination, r's source bytes in it, and r's length.  cmp
		# reads in small pieces, where one copy of 70 MB in Python
		# took seconds.
		[ "$d" = 0 ] || cmp -n "$d" r "/dev/shm/${P}a"
		cmp -n "$n" -i "$s:$d" r "/dev/shm/${P}a"
		cmp -i "$((d + n)):$((d + n))" r "/dev/shm/${P}a"
	done
}
