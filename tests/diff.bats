#!/usr/bin/env bats
# shm diff: where two segments differ, as cmp's status and hexdump -C's
# lines, marked - and +; JSON ranges; typed values.

load helpers

# Two 128-byte objects, ${P}a and ${P}b, 'hello, world' in both.
make_pair() {
	shm create "${P}a" 128
	shm create "${P}b" 128
	shm write "${P}a" -s 'hello, world'
	shm write "${P}b" -s 'hello, world'
}

@test "diff of the same bytes prints nothing and exits 0" {
	make_pair
	capture shm diff "${P}a" "${P}b"
	assert_fails 0 ""
	assert_equal "$output" ""
	run shm diff --json "${P}a" "${P}b"
	assert_equal "$status" 0
	assert_equal "$output" ""
}

@test "diff shows each differing line as - and +, with context" {
	make_pair
	shm write "${P}b" -o 7 -s W
	shm write "${P}b" -o -4 -x 'de ad be ef'
	capture shm diff "${P}a" "${P}b"
	assert_fails 1 ""
	assert_equal "$output" "\
-00000000  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 00 00 00 00  |hello, world....|
+00000000  68 65 6c 6c 6f 2c 20 57  6f 72 6c 64 00 00 00 00  |hello, World....|
 00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
 00000060  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
-00000070  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
+00000070  00 00 00 00 00 00 00 00  00 00 00 00 de ad be ef  |................|"
}

@test "diff --json gives one object a range, and exits 1" {
	make_pair
	shm write "${P}b" -o 7 -s W
	shm write "${P}b" -o -4 -x 'de ad be ef'
	capture shm diff --json "${P}a" "${P}b"
	assert_fails 1 ""
	assert_equal "$output" '{"offset":7,"length":1,"a":"77","b":"57"}
{"offset":124,"length":4,"a":"00000000","b":"deadbeef"}'
}

@test "diff finds a change at the first and at the last byte" {
	make_pair
	shm write "${P}b" -o 0 -x 48
	shm write "${P}b" -o 127 -x 01
	run shm diff "${P}a" "${P}b"
	assert_equal "$status" 1
	assert_equal "$output" "\
-00000000  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 00 00 00 00  |hello, world....|
+00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 00 00 00 00  |Hello, world....|
 00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
 00000060  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
-00000070  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
+00000070  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 01  |................|"
	run shm diff --json "${P}a" "${P}b"
	assert_equal "$output" '{"offset":0,"length":1,"a":"68","b":"48"}
{"offset":127,"length":1,"a":"00","b":"01"}'
}

@test "diff joins runs one or two lines apart, and keeps those further" {
	shm create "${P}a" 160
	shm create "${P}b" 160
	shm write "${P}b" -x 01
	shm write "${P}b" -o 48 -x 02
	shm write "${P}b" -o 112 -x 03
	run shm diff "${P}a" "${P}b"
	assert_equal "$output" "\
-00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
+00000000  01 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
 00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
 00000020  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
-00000030  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
+00000030  02 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
 00000040  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
 00000060  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
-00000070  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
+00000070  03 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
 00000080  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|"
}

@test "diff squeezes repeated pairs to *, showing the last at the end" {
	shm create "${P}a" 80
	shm create "${P}b" 80
	shm write "${P}b" -o 16 -s "$(printf 'x%.0s' {1..64})"
	run shm diff "${P}a" "${P}b"
	assert_equal "$output" "\
 00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
-00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
+00000010  78 78 78 78 78 78 78 78  78 78 78 78 78 78 78 78  |xxxxxxxxxxxxxxxx|
*
-00000040  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
+00000040  78 78 78 78 78 78 78 78  78 78 78 78 78 78 78 78  |xxxxxxxxxxxxxxxx|"
	# JSON ranges hold 4096 bytes at most; 64 is one.
	run shm diff --json "${P}a" "${P}b"
	assert_equal "$output" "{\"offset\":16,\"length\":64,\"a\":\"$(printf '00%.0s' {1..64})\",\"b\":\"$(printf '78%.0s' {1..64})\"}"
}

@test "diff --json joins runs fewer than 16 bytes apart and splits at 4096" {
	shm create "${P}a" 9000
	shm create "${P}b" 9000
	shm write "${P}b" -o 10 -x ff
	shm write "${P}b" -o 25 -x ff
	shm write "${P}b" -o 100 -x ff
	shm write "${P}b" -o 117 -x ff
	run shm diff --json "${P}a" "${P}b"
	assert_equal "$output" '{"offset":10,"length":16,"a":"00000000000000000000000000000000","b":"ff0000000000000000000000000000ff"}
{"offset":100,"length":1,"a":"00","b":"ff"}
{"offset":117,"length":1,"a":"00","b":"ff"}'
	head -c 9000 /dev/zero | tr '\0' '\1' > ones
	run shm diff --json "${P}a" ./ones
	assert_equal "$(printf '%s\n' "$output" | cut -d, -f1,2)" \
	    '{"offset":0,"length":4096
{"offset":4096,"length":4096
{"offset":8192,"length":808'
}

@test "diff says sizes that differ, and shows the longer side's tail" {
	printf 'hello, world' > short
	printf 'hello, world, and more: 0123456789' > long
	capture shm diff ./short ./long
	assert_fails 1 ""
	assert_equal "$output" "\
-00000000  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64              |hello, world|
+00000000  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 2c 20 61 6e  |hello, world, an|
+00000010  64 20 6d 6f 72 65 3a 20  30 31 32 33 34 35 36 37  |d more: 01234567|
+00000020  38 39                                             |89|
size: 12 -> 34"
	run shm diff ./long ./short
	assert_equal "$(printf '%s\n' "$output" | sed -n '1p;3p;$p')" "\
-00000000  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 2c 20 61 6e  |hello, world, an|
-00000010  64 20 6d 6f 72 65 3a 20  30 31 32 33 34 35 36 37  |d more: 01234567|
size: 34 -> 12"
	run shm diff --json ./short ./long
	assert_equal "$output" '{"offset":12,"length":22,"a":"","b":"2c20616e64206d6f72653a2030313233343536373839"}'
	# Past the range asked for, sizes are not compared.
	run shm diff -n 12 ./short ./long
	assert_equal "$status" 0
	assert_equal "$output" ""
}

@test "diff of an empty side against bytes" {
	: > empty
	printf 'ab' > two
	run shm diff ./empty ./two
	assert_equal "$status" 1
	assert_equal "$output" "\
+00000000  61 62                                             |ab|
size: 0 -> 2"
	run shm diff ./empty ./empty
	assert_equal "$status" 0
}

@test "diff counts lines from OFFSET and shows offsets in the segment" {
	printf '0123456789abcdefghijklmnopqrstuvwxyz' > x
	printf '0123456789abcdefghijklmnopqrstuvwxyZ' > y
	run shm diff -o 5 ./x ./y
	assert_equal "$output" "\
 00000005  35 36 37 38 39 61 62 63  64 65 66 67 68 69 6a 6b  |56789abcdefghijk|
-00000015  6c 6d 6e 6f 70 71 72 73  74 75 76 77 78 79 7a     |lmnopqrstuvwxyz|
+00000015  6c 6d 6e 6f 70 71 72 73  74 75 76 77 78 79 5a     |lmnopqrstuvwxyZ|"
	run shm diff -o -1 --json ./x ./y
	assert_equal "$output" '{"offset":35,"length":1,"a":"7a","b":"5a"}'
	run shm diff -o 5 -n 30 ./x ./y
	assert_equal "$status" 0
}

@test "diff reads standard input as either side, from a pipe" {
	printf 'hello, world!' > want
	make_pair
	run shm diff -n 16 "${P}a" - < want
	assert_equal "$status" 1
	assert_equal "$output" "\
-00000000  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 00 00 00 00  |hello, world....|
+00000000  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21           |hello, world!|
size: 128 -> 13"
	run bash -c 'printf "hello, world" | "$SHM" diff -n 12 - "$1"' _ "${P}a"
	assert_equal "$status" 0
	assert_equal "$output" ""
	run bash -c 'printf "xxhello, world" | "$SHM" diff -o 2 -n 12 - "$1"' _ \
	    "${P}a"
	assert_equal "$status" 1
	assert_equal "$output" "\
-00000002  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64              |hello, world|
+00000002  6c 6c 6f 2c 20 77 6f 72  6c 64 00 00              |llo, world..|"
	# A pipe longer than the other side: its size is counted to its end.
	run bash -c 'head -c 100000 /dev/zero | "$SHM" diff -q "$1" -' _ "${P}a"
	assert_equal "$status" 1
	run bash -c 'head -c 100000 /dev/zero | "$SHM" diff "$1" - | tail -1' _ \
	    "${P}a"
	assert_equal "$output" "size: 128 -> 100000"
}

@test "diff skips holes on both sides" {
	skip_if_portable "holes are seen only with SEEK_DATA"
	truncate -s 1T big1 big2
	printf 'one' | dd of=big1 bs=1 seek=$((1 << 39)) conv=notrunc status=none
	printf 'two' | dd of=big2 bs=1 seek=$((1 << 39)) conv=notrunc status=none
	printf 'end' | dd of=big2 bs=1 seek=$(((1 << 40) - 3)) conv=notrunc \
	    status=none
	# Read, the zeros of 2 TiB would take hours, not seconds.
	run timeout 20 "$SHM" diff ./big1 ./big2
	assert_equal "$status" 1
	assert_equal "$output" "\
 7ffffffff0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
-8000000000  6f 6e 65 00 00 00 00 00  00 00 00 00 00 00 00 00  |one.............|
+8000000000  74 77 6f 00 00 00 00 00  00 00 00 00 00 00 00 00  |two.............|
 8000000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
 ffffffffe0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
-fffffffff0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
+fffffffff0  00 00 00 00 00 00 00 00  00 00 00 00 00 65 6e 64  |.............end|"
	# A sparse object, compared without allocating its holes.
	shm create "${P}s" 1G
	shm create "${P}t" 1G
	shm write "${P}t" -o 512M -s x
	run timeout 20 "$SHM" diff --json "${P}s" "${P}t"
	assert_equal "$output" '{"offset":536870912,"length":1,"a":"00","b":"78"}'
	[ "$(du -k "/dev/shm/${P}s" | cut -f1)" -le 64 ]
}

@test "a hole equals zeros, and against data shows as zeros" {
	truncate -s 64K holes
	head -c 64K /dev/zero > zeros
	run shm diff ./holes ./zeros
	assert_equal "$status" 0
	assert_equal "$output" ""
	cp holes data
	printf 'x' | dd of=data bs=1 seek=40000 conv=notrunc status=none
	run shm diff --json ./holes ./data
	assert_equal "$output" '{"offset":40000,"length":1,"a":"00","b":"78"}'
	run shm diff --json ./data ./zeros
	assert_equal "$output" '{"offset":40000,"length":1,"a":"78","b":"00"}'
}

@test "diff of a sparse tail shows one line, *, and its last" {
	skip_if_portable "holes are seen only with SEEK_DATA"
	printf 'a' > short
	truncate -s 1T long
	printf 'a' | dd of=long conv=notrunc status=none
	run timeout 20 "$SHM" diff ./short ./long
	assert_equal "$status" 1
	assert_equal "$output" "\
-00000000  61                                                |a|
+00000000  61 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |a...............|
+00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
+fffffffff0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
size: 1 -> 1099511627776"
}

@test "diff compares large objects in two halves, in order" {
	# Dense data, which no write below can leave as it was.
	head -c 80M /dev/zero | tr '\0' a > r
	cp r s
	printf 'A' | dd of=s bs=1 seek=1000 conv=notrunc status=none
	printf 'B' | dd of=s bs=1 seek=$((45 << 20)) conv=notrunc status=none
	printf 'C' | dd of=s bs=1 seek=$(((80 << 20) - 1)) conv=notrunc \
	    status=none
	run shm diff --json ./r ./s
	assert_equal "$status" 1
	assert_equal "$(printf '%s\n' "$output" | cut -d, -f1,2)" \
	    "{\"offset\":1000,\"length\":1
{\"offset\":$((45 << 20)),\"length\":1
{\"offset\":$(((80 << 20) - 1)),\"length\":1"
	run shm diff -q ./r ./s
	assert_equal "$status" 1
	# Only in the second half.
	cp r s
	printf 'B' | dd of=s bs=1 seek=$((70 << 20)) conv=notrunc status=none
	run shm diff --json ./r ./s
	assert_equal "$(printf '%s\n' "$output" | cut -d, -f1)" \
	    "{\"offset\":$((70 << 20))"
	run shm diff -q ./r ./r
	assert_equal "$status" 0
}

@test "diff --as prints each value that differs as INDEX: A -> B" {
	make_pair
	shm write "${P}b" -o 16 --as '<IhB' 7 -2 255
	capture shm diff --as '<IhBx' -o 16 "${P}a" "${P}b"
	assert_fails 1 ""
	assert_equal "$output" "\
0: 0 -> 7
1: 0 -> -2
2: 0 -> 255"
	run shm diff --as '<I' -o 16 -n 12 --json "${P}a" "${P}b"
	assert_equal "$output" '{"index":0,"a":"0","b":"7"}
{"index":1,"a":"0","b":"16777214"}'
	run shm diff --as '<12s' "${P}a" "${P}b"
	assert_equal "$status" 0
	assert_equal "$output" ""
	run shm diff -q --as '<I' -o 16 "${P}a" "${P}b"
	assert_equal "$status" 1
	assert_equal "$output" ""
	capture shm diff --as '<I' -o 126 "${P}a" "${P}b"
	assert_fails 2 "shm: diff: ${P}a: format '<I' of size 4 does not fit at offset 126 (2 bytes left)"
	capture shm diff --as '<Q' -n 4 "${P}a" "${P}b"
	assert_fails 2 "shm: diff: format '<Q' of size 8: -n 4 holds none"
}

@test "diff -q prints nothing; statuses are cmp's" {
	make_pair
	run shm diff -q "${P}a" "${P}b"
	assert_equal "$status" 0
	assert_equal "$output" ""
	shm write "${P}b" -o 100 -s x
	run shm diff -q "${P}a" "${P}b"
	assert_equal "$status" 1
	assert_equal "$output" ""
	run shm diff --json -q "${P}a" "${P}b"
	assert_equal "$status" 1
	assert_equal "$output" ""
	capture shm diff "${P}a" "${P}none"
	assert_fails 2 "shm: diff: ${P}none: no such segment"
	capture shm diff -q "${P}none" "${P}a"
	assert_fails 2 "shm: diff: ${P}none: no such segment"
}

@test "diff refuses bad operands and options" {
	make_pair
	capture shm diff - -
	assert_fails 2 "shm: diff: only one of A and B can be standard input (see 'shm diff --help')"
	capture shm diff "${P}a"
	assert_fails 2 "shm: diff: missing B (see 'shm diff --help')"
	capture shm diff -o 129 "${P}a" "${P}b"
	assert_fails 2 "shm: diff: offset '129': beyond the end (sizes 128 and 128)"
	capture shm diff -o -1 "${P}a" - < /dev/null
	assert_fails 2 "shm: diff: -o '-1': standard input has no end to count from (see 'shm diff --help')"
	capture shm diff -n x "${P}a" "${P}b"
	assert_fails 2 "shm: diff: -n 'x': not a number (see 'shm diff --help')"
	capture shm diff --color=sometimes "${P}a" "${P}b"
	assert_fails 2 "shm: diff: --color 'sometimes': not auto, always or never (see 'shm diff --help')"
	capture shm diff --as 'Z' "${P}a" "${P}b"
	assert_fails 2 "shm: diff: format 'Z': bad char in struct format"
	mkdir dir
	capture shm diff ./dir "${P}a"
	assert_equal "$status" 2
}

@test "diff --color marks the differing bytes; never, auto off a terminal" {
	shm create "${P}a" 4
	shm create "${P}b" 4
	shm write "${P}b" -o 1 -s Z
	run shm diff --color=always "${P}a" "${P}b"
	assert_equal "$output" "\
-00000000  00 "$'\e[31m'"00"$'\e[0m'" 00 00                                       |."$'\e[31m'"."$'\e[0m'"..|
+00000000  00 "$'\e[32m'"5a"$'\e[0m'" 00 00                                       |."$'\e[32m'"Z"$'\e[0m'"..|"
	run shm diff --color "${P}a" "${P}b"
	[[ $output == *$'\e['* ]]
	run shm diff --color=never "${P}a" "${P}b"
	[[ $output != *$'\e['* ]]
	run shm diff --color=auto "${P}a" "${P}b"
	[[ $output != *$'\e['* ]]
}

@test "diff --color=auto colours on a terminal unless NO_COLOR is set" {
	command -v script >/dev/null || skip "script is not installed"
	shm create "${P}a" 4
	shm create "${P}b" 4
	shm write "${P}b" -s Z
	NO_COLOR=1 script -qec "$SHM diff ${P}a ${P}b" /dev/null > out || true
	grep -q '^-00000000' out
	! grep -q $'\e\\[' out
	script -qec "$SHM diff ${P}a ${P}b" /dev/null > out || true
	grep -q $'\e\\[31m' out
	NO_COLOR=1 script -qec "$SHM diff --color ${P}a ${P}b" /dev/null > out ||
	    true
	grep -q $'\e\\[31m' out
}

@test "diff --as LAYOUT and --layout FILE call the values by name" {
	local l='< seq:Q 2x vals:3h I name:4s'
	shm create "${P}a" 48
	shm create "${P}b" 48
	shm write --as "$l" "${P}b" seq=5 'vals=0 -1 0' name=ab
	shm write --as "$l" "${P}b" -o 24 seq=6
	shm write "${P}b" -o 16 --as '<I' 9
	capture shm diff --as "$l" "${P}a" "${P}b"
	assert_equal "$status" 1
	assert_equal "$stderr" ""
	# The unnamed I is value 4, after seq and the three of vals.
	assert_equal "$output" "seq: 0 -> 5
vals[1]: 0 -> -1
4: 0 -> 9
name: \\0\\0\\0\\0 -> ab\\0\\0"
	printf '%s\n' '# the record' '<' 'seq:Q' '2x' 'vals:3h' 'I' 'name:4s' \
	    > layout
	capture shm diff --layout layout -n 48 --json \
	    "${P}a" "${P}b"
	assert_equal "$status" 1
	assert_equal "$output" '{"field":"0.seq","a":"0","b":"5"}
{"field":"0.vals[1]","a":"0","b":"-1"}
{"index":4,"a":"0","b":"9"}
{"field":"0.name","a":"\\0\\0\\0\\0","b":"ab\\0\\0"}
{"field":"1.seq","a":"0","b":"6"}'
	capture shm diff --as '< a:Q a:Q' "${P}a" "${P}b"
	assert_fails 2 "shm: diff: a:Q: duplicate name"
}
