#!/usr/bin/env bats
# shm write: bytes in, all or nothing, at the cursor or an offset.

load helpers

@test "write -s puts the string at the cursor and moves it" {
	shm create "${P}a" 8
	shm write "${P}a" -s abc
	shm write "${P}a" -s de
	cmp "/dev/shm/${P}a" <(printf 'abcde\0\0\0')
	assert_equal "$(shm seek "${P}a")" 5
}

@test "write -o writes at an offset and leaves the cursor alone" {
	shm create "${P}a" 8
	shm write "${P}a" -s ab
	shm write "${P}a" -o 5 -s XY
	assert_equal "$(shm seek "${P}a")" 2
	cmp "/dev/shm/${P}a" <(printf 'ab\0\0\0XY\0')
}

@test "write -o with a negative offset counts from the end" {
	shm create "${P}a" 8
	shm write "${P}a" -o -3 -s xyz
	cmp "/dev/shm/${P}a" <(printf '\0\0\0\0\0xyz')
}

@test "write -x writes the bytes the hex spells" {
	shm create "${P}a" 6
	shm write "${P}a" -x 'de ad BE EF'
	shm write "${P}a" -x 0x0001
	cmp "/dev/shm/${P}a" <(printf '\xde\xad\xbe\xef\x00\x01')
}

@test "write -x refuses what is not hex and writes nothing" {
	shm create "${P}a" 4
	capture shm write "${P}a" -x 'abc'
	assert_fails 2 "shm: write: -x: odd number of hex digits (see 'shm write --help')"
	capture shm write "${P}a" -x 'zz'
	assert_fails 2 "shm: write: -x: 'z' at character 1 is not a hex digit (see 'shm write --help')"
	cmp "/dev/shm/${P}a" <(head -c 4 /dev/zero)
	assert_equal "$(shm seek "${P}a")" 0
}

@test "write reads standard input by default" {
	shm create "${P}a" 5
	printf 'hello' | shm write "${P}a"
	assert_equal "$(cat "/dev/shm/${P}a")" hello
}

@test "write -i FILE copies a file" {
	head -c 5000 /dev/urandom > data
	shm create "${P}a" 6000
	shm write "${P}a" -o 1000 -i data
	cmp <(tail -c 5000 "/dev/shm/${P}a") data
	cmp <(head -c 1000 "/dev/shm/${P}a") <(head -c 1000 /dev/zero)
}

@test "write -i - reads standard input" {
	shm create "${P}a" 3
	printf 'xyz' | shm write "${P}a" -i -
	assert_equal "$(cat "/dev/shm/${P}a")" xyz
}

@test "10 MiB of random bytes with NULs round-trip exactly" {
	head -c 10M /dev/urandom > data
	shm create "${P}a" 10M
	shm write "${P}a" < data
	shm read "${P}a" -o 0 > out
	cmp data out
	cat data | shm write "${P}a" -o 0
	shm read "${P}a" -o 0 | cmp data -
}

@test "data that does not fit changes no byte and exits 2" {
	shm create "${P}a" 8
	shm write "${P}a" -s 12345678
	cp "/dev/shm/${P}a" before
	shm seek "${P}a" 6
	capture shm write "${P}a" -s abc
	assert_fails 2 "shm: write: ${P}a: 3 bytes at offset 6 do not fit in 8 bytes; nothing written (--grow extends it)"
	capture shm write "${P}a" -o 7 -s ab
	assert_fails 2 "shm: write: ${P}a: 2 bytes at offset 7 do not fit in 8 bytes; nothing written (--grow extends it)"
	capture bash -c 'head -c 100000 /dev/zero | "$SHM" write "$1" -o 0' _ "${P}a"
	assert_equal "$status" 2
	head -c 9 /dev/zero > nine
	capture shm write "${P}a" -o 0 -i nine
	assert_equal "$status" 2
	cmp before "/dev/shm/${P}a"
	assert_equal "$(shm seek "${P}a")" 6
}

@test "write does not read an endless pipe forever" {
	shm create "${P}a" 4
	capture timeout 10 bash -c 'yes | "$SHM" write "$1"' _ "${P}a"
	assert_equal "$status" 2
	[[ $stderr == "shm: write: ${P}a: "*" do not fit in 4 bytes; nothing written (--grow extends it)" ]]
}

@test "write --grow extends the segment to hold the data" {
	shm create "${P}a" 4
	shm write "${P}a" -s abcd
	shm write "${P}a" --grow -s efgh
	assert_equal "$(cat "/dev/shm/${P}a")" abcdefgh
	assert_equal "$(shm seek "${P}a")" 8
	printf 'ij' | shm write "${P}a" -g -o 7
	cmp "/dev/shm/${P}a" <(printf 'abcdefgij')
}

@test "write at an offset past the end is an error" {
	shm create "${P}a" 4
	capture shm write "${P}a" -o 5 -s x
	assert_fails 2 "shm: write: ${P}a: offset '5': beyond the end (size 4)"
	capture shm write "${P}a" -o -5 -s x
	assert_fails 2 "shm: write: ${P}a: offset '-5': before the start (size 4)"
}

@test "write of nothing succeeds and changes nothing" {
	shm create "${P}a" 2
	shm write "${P}a" -s ''
	: | shm write "${P}a"
	assert_equal "$(shm seek "${P}a")" 0
}

@test "write to a file path writes the file" {
	printf '0123456789' > f.bin
	shm write ./f.bin -o 2 -s ab
	assert_equal "$(cat f.bin)" 01ab456789
}

@test "write takes only one source" {
	shm create "${P}a" 2
	capture shm write "${P}a" -s a -x 62
	assert_fails 2 "shm: write: -s, -x, -i and --as exclude each other (see 'shm write --help')"
}

@test "write -i of a missing file or a directory fails" {
	shm create "${P}a" 2
	capture shm write "${P}a" -i nonexistent
	assert_fails 2 "shm: write: nonexistent: No such file or directory"
	mkdir d
	capture shm write "${P}a" -i d
	assert_fails 2 "shm: write: d: is a directory"
}

@test "--progress reports on standard error only, never in the data" {
	head -c 3M /dev/urandom > data
	shm create "${P}a" 3M --from data --progress 2> err1
	[[ $(tr '\r' '\n' < err1 | tail -1) =~ ^3145728\ bytes\ \(0\.0\ GB,\ 0\.0\ GiB\)\ copied,\ [0-9.]+\ s,\ [0-9.]+\ MB/s$ ]]
	shm write "${P}a" -o 0 -i data --progress 2> err2
	[[ $(tr '\r' '\n' < err2 | tail -1) == "3145728 bytes "* ]]
	shm read "${P}a" -o 0 --progress > out 2> err3
	cmp data out
	[[ $(tr '\r' '\n' < err3 | tail -1) == "3145728 bytes "* ]]
	shm read "${P}a" -o 0 -O out2 --progress 2>/dev/null
	cmp data out2
}

@test "write --as LAYOUT at -o sets fields there and leaves the cursor" {
	shm create "${P}a" 24
	shm seek "${P}a" 4
	printf '<\nn:H\ns:4s # text\n' > rec.layout
	capture shm write -o -6 --layout rec.layout "${P}a" \
	    s=ab n+=0x101
	assert_equal "$output" "257"
	assert_equal "$(shm read -o 18 --as '<H4s' "${P}a")" "257
ab\0\0"
	assert_equal "$(shm seek "${P}a")" 4
	capture shm write --as '< n:H' --cursor c "${P}a" n=1
	assert_fails 2 "shm: write: a layout with names is written at -o or 0, not at a --cursor (see 'shm write --help')"
	capture shm write --as '< n:H' "${P}a"
	assert_fails 2 "shm: write: missing NAME=VALUE (see 'shm write --help')"
	capture shm write --as '< n:H' -s x "${P}a"
	assert_fails 2 "shm: write: -s, -x, -i and --as exclude each other (see 'shm write --help')"
}
