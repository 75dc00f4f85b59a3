#!/usr/bin/env bats
# shm read: bytes out, exactly, at the cursor or an offset.

load helpers


make_abc() {
	shm create "${P}a" 26
	shm write "${P}a" -o 0 -s abcdefghijklmnopqrstuvwxyz
}

@test "read -o -n copies exactly that range" {
	make_abc
	run shm read "${P}a" -o 3 -n 4
	assert_equal "$output" defg
}

@test "read without -o starts at the cursor and moves it" {
	make_abc
	assert_equal "$(shm read "${P}a" -n 3)" abc
	assert_equal "$(shm read "${P}a" -n 3)" def
	assert_equal "$(shm seek "${P}a")" 6
	assert_equal "$(shm read "${P}a" -o 0 -n 1)" a
	assert_equal "$(shm seek "${P}a")" 6
}

@test "read without -n reads to the end" {
	make_abc
	shm seek "${P}a" 20 >/dev/null
	assert_equal "$(shm read "${P}a")" uvwxyz
	assert_equal "$(shm seek "${P}a")" 26
	capture shm read "${P}a"
	assert_equal "$status" 0
	assert_equal "$output" ""
}

@test "read -n past the end gives the bytes there are" {
	make_abc
	assert_equal "$(shm read "${P}a" -o 24 -n 100)" yz
}

@test "read -o with a negative offset counts from the end" {
	make_abc
	assert_equal "$(shm read "${P}a" -o -3)" xyz
}

@test "read at the very end gives nothing; past it is an error" {
	make_abc
	capture shm read "${P}a" -o 26
	assert_equal "$status" 0
	assert_equal "$output" ""
	capture shm read "${P}a" -o 27
	assert_fails 2 "shm: read: ${P}a: offset '27': beyond the end (size 26)"
	capture shm read "${P}a" -o -27
	assert_fails 2 "shm: read: ${P}a: offset '-27': before the start (size 26)"
}

@test "read --line stops after the newline, as readline does" {
	shm create "${P}a" 12
	shm write "${P}a" -o 0 -s $'one\ntwo\nthr'
	shm read "${P}a" --line > l1
	shm read "${P}a" -l > l2
	shm read "${P}a" --line > l3
	cmp l1 <(printf 'one\n')
	cmp l2 <(printf 'two\n')
	cmp l3 <(printf 'thr\0')
	assert_equal "$(shm seek "${P}a")" 12
}

@test "read --line with -n stops at whichever comes first" {
	shm create "${P}a" 12
	shm write "${P}a" -o 0 -s $'one\ntwo\n'
	assert_equal "$(shm read "${P}a" -l -n 2)" on
	assert_equal "$(shm read "${P}a" -l -n 20)" e
}

@test "read -O FILE writes the bytes to FILE" {
	head -c 70000 /dev/urandom > data
	shm create "${P}a" --from data
	shm read "${P}a" -o 0 -O out
	cmp data out
	shm read "${P}a" -o 10 -n 5 --output=out
	cmp out <(tail -c +11 data | head -c 5)
}

@test "read -O into a missing directory fails" {
	make_abc
	capture shm read "${P}a" -O nodir/out
	assert_fails 2 "shm: read: nodir/out: No such file or directory"
}

@test "read of a missing object is an error, with a hint for a file" {
	capture shm read "${P}missing"
	assert_fails 2 "shm: read: ${P}missing: no such segment"
	touch "${P}here"
	capture shm read "${P}here"
	assert_fails 2 "shm: read: ${P}here: no such segment (to use the file here, write ./${P}here)"
}

@test "read refuses malformed and overflowing numbers" {
	make_abc
	capture shm read "${P}a" -n 1x
	assert_fails 2 "shm: read: -n '1x': not a number (see 'shm read --help')"
	capture shm read "${P}a" -o 18446744073709551616
	assert_fails 2 "shm: read: ${P}a: offset '18446744073709551616': number too large (size 26)"
	capture shm read "${P}a" -o ''
	assert_fails 2 "shm: read: ${P}a: offset '': not a number (size 26)"
}

@test "read at 10 GiB of a 20 GiB sparse file" {
	truncate -s 20G sparse
	printf 'deep' | dd of=sparse bs=1 seek=$((10 * 1024 * 1024 * 1024)) conv=notrunc status=none
	assert_equal "$(shm read ./sparse -o 10G -n 4)" deep
	assert_equal "$(shm read ./sparse -o 10G -n 4)" deep
}

@test "read works on a segment the user may only read" {
	make_abc
	chmod 444 "/dev/shm/${P}a"
	assert_equal "$(shm read "${P}a" -o 1 -n 2)" bc
}

@test "read refuses to put binary data on a terminal, but not text" {
	command -v script >/dev/null || skip "script is not installed"
	shm create "${P}a" 8
	shm write "${P}a" -x '41 00 42'
	run script -qec "$SHM read ${P}a -o 0" /dev/null
	[[ $output == *"shm: read: ${P}a: binary data, not written to a terminal (see 'shm dump', or redirect it)"* ]]
	shm write "${P}a" -o 0 -s 'text ok!'
	run script -qec "$SHM read ${P}a -o 0" /dev/null
	[[ $output == "text ok!"* ]]
	assert_equal "$(shm read "${P}a" -o 0 -n 3 | od -An -tx1)" " 74 65 78"
}

@test "what read put in a pipe stays as it was when read returned" {
	# sendfile into a pipe would hand over the segment's own pages, and
	# a write after read returned would change what the reader gets.
	shm create "${P}a" 4096
	shm write "${P}a" -o 0 -s oldd
	# The pipe is a FIFO held open both ways: read has returned, its
	# bytes wait in the pipe, and nobody has read them yet.
	mkfifo pipe
	exec 5<>pipe
	shm read "${P}a" -o 0 -n 4 >&5
	shm write "${P}a" -o 0 -s NEWW
	local got
	read -r -N 4 got <&5
	exec 5>&-
	assert_equal "$got" oldd
}

@test "read --as LAYOUT reads at -o or 0 and leaves the cursor alone" {
	shm create "${P}a" 32
	shm write -o 16 --as '<QQ' "${P}a" 7 9
	shm seek "${P}a" 4
	capture shm read -o 16 --as '< a:Q b:Q' "${P}a"
	assert_equal "$output" "a=7
b=9"
	capture shm read --as '< a:Q' "${P}a"
	assert_equal "$output" "a=0"
	assert_equal "$(shm seek "${P}a")" 4
	capture shm read --as '< a:Q' --cursor c "${P}a"
	assert_fails 2 "shm: read: a layout with names is read at -o or 0, not at a --cursor (see 'shm read --help')"
	capture shm read --as '<I' --json "${P}a"
	assert_fails 2 "shm: read: -F and --json need a layout with names (see 'shm read --help')"
	capture shm read --as '< a:Q' --layout x "${P}a"
	assert_fails 2 "shm: read: --as and --layout exclude each other (see 'shm read --help')"
	capture shm read --layout x -n 4 "${P}a"
	assert_fails 2 "shm: read: --as takes no -n, --line or -O (see 'shm read --help')"
}
