#!/usr/bin/env bats
# shm seek: the cursor, as Python's seek and tell.

load helpers

@test "seek without POS prints the cursor, 0 for a new segment" {
	shm create "${P}a" 100
	capture shm seek "${P}a"
	assert_equal "$status" 0
	assert_equal "$output" 0
}

@test "seek N sets the cursor and prints it" {
	shm create "${P}a" 100
	assert_equal "$(shm seek "${P}a" 42)" 42
	assert_equal "$(shm seek "${P}a")" 42
}

@test "seek +N and -N move relative to the cursor" {
	shm create "${P}a" 100
	shm seek "${P}a" 50 >/dev/null
	assert_equal "$(shm seek "${P}a" +10)" 60
	assert_equal "$(shm seek "${P}a" -25)" 35
	assert_equal "$(shm seek "${P}a" -0x10)" 19
}

@test "seek end and end-N count from the end" {
	shm create "${P}a" 100
	assert_equal "$(shm seek "${P}a" end)" 100
	assert_equal "$(shm seek "${P}a" end-16)" 84
	assert_equal "$(shm seek "${P}a" end-1K 2>&1)" "shm: seek: ${P}a: position 'end-1K' is outside the segment (0 to 100)"
}

@test "seek outside the segment is an error and keeps the cursor" {
	shm create "${P}a" 100
	shm seek "${P}a" 10 >/dev/null
	capture shm seek "${P}a" 101
	assert_fails 2 "shm: seek: ${P}a: position '101' is outside the segment (0 to 100)"
	capture shm seek "${P}a" -11
	assert_fails 2 "shm: seek: ${P}a: position '-11' is outside the segment (0 to 100)"
	capture shm seek "${P}a" +91
	assert_fails 2 "shm: seek: ${P}a: position '+91' is outside the segment (0 to 100)"
	assert_equal "$(shm seek "${P}a")" 10
}

@test "seek refuses malformed positions" {
	shm create "${P}a" 100
	capture shm seek "${P}a" 1q
	assert_fails 2 "shm: seek: ${P}a: position '1q': not a number"
	capture shm seek "${P}a" end+1
	assert_fails 2 "shm: seek: ${P}a: position 'end+1': only -N may follow 'end'"
	capture shm seek "${P}a" 1 2
	assert_fails 2 "shm: seek: too many arguments (see 'shm seek --help')"
}

@test "the cursor persists across invocations and drives read and write" {
	shm create "${P}a" 10
	shm write "${P}a" -s abc
	shm seek "${P}a" 1 >/dev/null
	assert_equal "$(shm read "${P}a" -n 2)" bc
	shm write "${P}a" -s Z
	assert_equal "$(shm read "${P}a" -o 0 -n 4)" abcZ
	assert_equal "$(shm seek "${P}a")" 4
}

@test "a re-created segment starts at 0" {
	shm create "${P}a" 10
	shm seek "${P}a" 7 >/dev/null
	shm rm "${P}a"
	shm create "${P}a" 10
	assert_equal "$(shm seek "${P}a")" 0
	shm seek "${P}a" 5 >/dev/null
	shm create --force "${P}a" 10
	assert_equal "$(shm seek "${P}a")" 0
}

@test "a segment re-created behind shm's back starts at 0" {
	shm create "${P}a" 10
	shm seek "${P}a" 7 >/dev/null
	rm "/dev/shm/${P}a"
	head -c 10 /dev/zero > "/dev/shm/${P}a"
	assert_equal "$(shm seek "${P}a")" 0
}

@test "a cursor beyond a segment shrunk by others reads as the end" {
	skip_if_portable "the ctime, its only identity there, changes when others cut it"
	shm create "${P}a" 10
	shm seek "${P}a" 8 >/dev/null
	truncate -s 4 "/dev/shm/${P}a"
	assert_equal "$(shm seek "${P}a")" 4
}

@test "NAME, /NAME and /dev/shm/NAME share one cursor" {
	shm create "${P}a" 10
	shm seek "${P}a" 3 >/dev/null
	assert_equal "$(shm seek "/${P}a")" 3
	assert_equal "$(shm seek "/dev/shm/${P}a")" 3
}

@test "each user's state directory keeps its own cursors" {
	shm create "${P}a" 10
	shm seek "${P}a" 3 >/dev/null
	assert_equal "$(SHM_STATE_DIR=$BATS_TEST_TMPDIR/other shm seek "${P}a")" 0
}

@test "seek works on a segment the user may only read" {
	shm create -m 444 "${P}a" 10
	assert_equal "$(shm seek "${P}a" 4)" 4
}

@test "4 processes appending records through the cursor lose none" {
	# 9-byte records, 12 a writer: 4 x 12 x 9 = 432 bytes, and room
	# for more.
	local n=$((12 * SCALE)) w i want=
	shm create "${P}a" $((4 * n * 9 + 160))
	for w in 0 1 2 3; do
		(for ((i = 1000; i < 1000 + n; i++)); do
			"$SHM" write "${P}a" -s "w$w-r$i;"
		done) &
	done
	wait
	assert_equal "$(shm seek "${P}a")" $((4 * n * 9))
	shm read "${P}a" -o 0 -n $((4 * n * 9)) | tr ';' '\n' | sort > got
	# In sort's order: by writer, then by number, all of four digits.
	for w in 0 1 2 3; do
		for ((i = 1000; i < 1000 + n; i++)); do want+="w$w-r$i"$'\n'; done
	done
	printf %s "$want" | cmp - got
}

@test "8 writers and 8 readers at once: no record torn, lost or doubled" {
	# For 0.4 s, or SCALE s; make stress runs the same for longer.
	local secs=0.4
	((SCALE == 1)) || secs=$SCALE
	capture "$BATS_TEST_DIRNAME/stress.sh" "$secs" "$SHM"
	assert_equal "$stderr" ""
	assert_equal "$status" 0
	[[ $output == "stress: "*" records written, "*" verified, "*" none lost or torn" ]]
}
