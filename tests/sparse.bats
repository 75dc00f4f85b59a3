#!/usr/bin/env bats
# Holes kept: sparse sources copied in stay sparse, holes written over
# data read as zeros, and read -O leaves holes in its file.

load helpers

# A 64 MiB sparse file with data at three places, one at each end.
make_sparse() {
	truncate -s 64M "$1"
	printf head | dd of="$1" bs=1 conv=notrunc status=none
	printf middle | dd of="$1" bs=1 seek=33554432 conv=notrunc status=none
	printf tail | dd of="$1" bs=1 seek=67108860 conv=notrunc status=none
}

@test "create --from a sparse file copies its data only, and reads back exactly" {
	skip_if_portable "holes are seen only with SEEK_DATA"
	make_sparse src
	shm create "${P}a" --from ./src
	cmp src "/dev/shm/${P}a"
	# 3 pages of data, in 512-byte blocks: far from 64 MiB's 131072.
	[ "$(blocks "/dev/shm/${P}a")" -le 64 ]
	shm create "${P}b" 128M --from ./src
	assert_equal "$(stat -c %s "/dev/shm/${P}b")" 134217728
	[ "$(blocks "/dev/shm/${P}b")" -le 64 ]
	cmp src <(head -c 67108864 "/dev/shm/${P}b")
}

@test "write -i of a sparse file over data leaves zeros where its holes are" {
	skip_if_portable "holes are seen only with SEEK_DATA"
	make_sparse src
	shm create "${P}a" 64M
	head -c 67108864 /dev/zero | tr '\0' x | shm write "${P}a" -o 0
	shm write "${P}a" -o 0 -i ./src
	cmp src "/dev/shm/${P}a"
	[ "$(blocks "/dev/shm/${P}a")" -le 64 ]
	# At an offset, and growing the segment.
	shm create -f "${P}b" 4096
	shm write "${P}b" --grow -o 1000 -i ./src
	cmp src <(tail -c +1001 "/dev/shm/${P}b")
	[ "$(blocks "/dev/shm/${P}b")" -le 64 ]
}

@test "read -O and a redirect into a new file keep the segment's holes" {
	skip_if_portable "holes are seen only with SEEK_DATA"
	make_sparse src
	shm create "${P}a" --from ./src
	shm read "${P}a" -o 0 -O out
	cmp src out
	[ "$(blocks out)" -le 64 ]
	shm read "${P}a" -o 0 > out2
	cmp src out2
	[ "$(blocks out2)" -le 64 ]
	# Appending may not leave holes: it writes every byte, exactly.
	printf 'before' > out3
	shm read "${P}a" -o 0 >> out3
	cmp <(printf before; cat src) out3
	# From an offset into a hole, to the end.
	shm read "${P}a" -o 1000 -n 40000000 -O out4
	cmp <(tail -c +1001 src | head -c 40000000) out4
}

@test "a 64 MiB stream through a pipe round-trips; one byte too long changes nothing" {
	head -c 67108864 /dev/urandom > data
	shm create "${P}a" 64M
	run python3 -c '
import resource, subprocess, sys
p = subprocess.run(["bash", "-c", "cat data | \"$0\" write \"$1\" -o 0", sys.argv[1], sys.argv[2]])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)' "$SHM" "${P}a"
	[ "${output#* }" = 0 ]
	[ "${output% *}" -lt 65536 ]
	cmp data "/dev/shm/${P}a"
	cp "/dev/shm/${P}a" before
	capture bash -c '{ cat data; printf x; } | "$0" write "$1" -o 0' "$SHM" "${P}a"
	assert_fails 2 "shm: write: ${P}a: more than 67108864 bytes at offset 0 do not fit in 67108864 bytes; nothing written (--grow extends it)"
	cmp before "/dev/shm/${P}a"
}

# 2^63 less 1 GiB: the largest size; past it the last folio ends beyond
# 2^63, where tmpfs answers SEEK_DATA wrongly.
MAX=9223372035781033984

@test "sizes past the largest are refused: create, resize, write --grow" {
	capture shm create "${P}a" 9223372036854775807
	assert_fails 2 "shm: create: ${P}a: 9223372036854775807 bytes: more than a segment may hold ($MAX)"
	[ ! -e "/dev/shm/${P}a" ]
	capture shm create "${P}a" $((MAX + 1))
	assert_fails 2 "shm: create: ${P}a: $((MAX + 1)) bytes: more than a segment may hold ($MAX)"
	shm create "${P}a" "$MAX"
	capture shm resize "${P}a" +1
	assert_fails 2 "shm: resize: ${P}a: $((MAX + 1)) bytes: more than a segment may hold ($MAX)"
	capture shm write --grow "${P}a" -o "$MAX" -s x
	assert_fails 2 "shm: write: ${P}a: data too large"
	assert_equal "$(shm stat -f size,allocated "${P}a")" "$MAX
0"
	# Up to the largest, what is written at the end is found (where
	# SEEK_DATA skips the holes: without, 8 EiB of zeros are searched).
	shm write "${P}a" -o -1 -s Z
	is_portable ||
		assert_equal "$(shm find "${P}a" Z)" $((MAX - 1))
	assert_equal "$(shm read "${P}a" -o -1)" Z
}

@test "data at the top of a file bigger than shm makes is still found" {
	skip_if_portable "holes are seen only with SEEK_DATA"
	truncate -s 9223372036854775807 "/dev/shm/${P}a"
	shm write "${P}a" -o -1 -s Z
	shm write "${P}a" -o 4611686018427387904 -s Y
	assert_equal "$(shm find "${P}a" Z)" 9223372036854775806
	assert_equal "$(shm find -a "${P}a" Y)" 4611686018427387904
	assert_equal "$(shm dump "${P}a" -o -4)" \
"7ffffffffffffffb  00 00 00 5a                                       |...Z|
7fffffffffffffff"
}

@test "the largest size holds where tmpfs keeps huge pages" {
	skip_if_portable "holes are seen only with SEEK_DATA"
	[ "$(id -u)" = 0 ] || skip "needs root to mount a tmpfs"
	mkdir huge
	capture unshare -m sh -c '
		mount -t tmpfs -o huge=always,size=64M none huge || exit 99
		"$0" create huge/f "$1" && "$0" write huge/f -o -1 -s Z &&
		"$0" find huge/f Z' "$SHM" "$MAX"
	[ "$status" != 99 ] || skip "cannot mount a tmpfs here"
	assert_equal "$status" 0
	assert_equal "$output" $((MAX - 1))
}
