#!/usr/bin/env bats
# shm find: offsets of matches, grep's exit statuses.

load helpers

make_text() {
	shm create "${P}a" 20
	shm write "${P}a" -o 0 -s 'abcabcXYZabc-needle'
}

@test "find prints the offset of the first match and exits 0" {
	make_text
	capture shm find "${P}a" abc
	assert_equal "$status" 0
	assert_equal "$output" 0
	assert_equal "$(shm find "${P}a" XYZ)" 6
}

@test "find prints nothing and exits 1 when there is no match" {
	make_text
	capture shm find "${P}a" nothere
	assert_equal "$status" 1
	assert_equal "$output" ""
	assert_equal "$stderr" ""
}

@test "find -r prints the last match" {
	make_text
	assert_equal "$(shm find -r "${P}a" abc)" 9
}

@test "find -a prints every match, not overlapping" {
	make_text
	assert_equal "$(shm find -a "${P}a" abc)" "0
3
9"
	shm create "${P}b" 4
	shm write "${P}b" -s aaaa
	assert_equal "$(shm find --all "${P}b" aa)" "0
2"
}

@test "find searches the whole segment and leaves the cursor alone" {
	make_text
	shm seek "${P}a" 10 >/dev/null
	assert_equal "$(shm find "${P}a" abc)" 0
	assert_equal "$(shm seek "${P}a")" 10
}

@test "find --from-cursor starts at the cursor, as mmap.find does" {
	make_text
	shm seek "${P}a" 1 >/dev/null
	assert_equal "$(shm find -c "${P}a" abc)" 3
	assert_equal "$(shm find --from-cursor "${P}a" abc)" 3
}

@test "find --seek moves the cursor to the match" {
	make_text
	assert_equal "$(shm find --seek "${P}a" needle)" 13
	assert_equal "$(shm seek "${P}a")" 13
	assert_equal "$(shm read "${P}a" -n 6)" needle
	shm find --seek "${P}a" absent && false
	assert_equal "$(shm seek "${P}a")" 19
}

@test "find --start and --end bound the matches, as a slice" {
	make_text
	assert_equal "$(shm find --start 1 "${P}a" abc)" 3
	assert_equal "$(shm find -s 4 -e 12 "${P}a" abc)" 9
	run shm find -s 4 -e 11 "${P}a" abc
	assert_equal "$status" 1
	assert_equal "$(shm find -s -11 "${P}a" abc)" 9
	assert_equal "$(shm find -r -e -9 "${P}a" abc)" 3
	assert_equal "$(shm find -r -e -8 "${P}a" abc)" 9
	run shm find -s 12 -e 4 "${P}a" abc
	assert_equal "$status" 1
}

@test "find refuses bounds outside the segment" {
	make_text
	capture shm find --start 21 "${P}a" abc
	assert_fails 2 "shm: find: ${P}a: --start '21': beyond the end (size 20)"
	capture shm find --end -21 "${P}a" abc
	assert_fails 2 "shm: find: ${P}a: --end '-21': before the start (size 20)"
	capture shm find --end 1z "${P}a" abc
	assert_fails 2 "shm: find: ${P}a: --end '1z': not a number (size 20)"
}

@test "find -x searches for binary bytes" {
	shm create "${P}a" 8
	shm write "${P}a" -x '00 01 02 ff 00 01 02 ff'
	assert_equal "$(shm find -x "${P}a" 'ff00')" 3
	assert_equal "$(shm find -x -a "${P}a" '0001')" "0
4"
	capture shm find -x "${P}a" 'fg'
	assert_fails 2 "shm: find: PATTERN: 'g' at character 2 is not a hex digit (see 'shm find --help')"
}

@test "find: needle at offset 0 and at the very end" {
	shm create "${P}a" 10
	shm write "${P}a" -s 'HEADxxTAIL'
	assert_equal "$(shm find "${P}a" HEAD)" 0
	assert_equal "$(shm find "${P}a" TAIL)" 6
	assert_equal "$(shm find -r "${P}a" HEADxxTAIL)" 0
}

@test "find: a needle longer than the segment is not found" {
	shm create "${P}a" 3
	shm write "${P}a" -s abc
	run shm find "${P}a" abcd
	assert_equal "$status" 1
}

@test "find: the empty pattern matches at the start, or with -r at the end" {
	make_text
	assert_equal "$(shm find "${P}a" '')" 0
	assert_equal "$(shm find -r "${P}a" '')" 20
	assert_equal "$(shm find -s 5 "${P}a" '')" 5
	capture shm find -a "${P}a" ''
	assert_fails 2 "shm: find: -a with an empty PATTERN would match everywhere (see 'shm find --help')"
}

@test "find: matches straddling internal chunk boundaries are found" {
	# The search reads 256 KiB chunks; put needles across several edges.
	shm create "${P}a" 2M
	local off
	for off in 262141 524287 786430 1048575; do
		shm write "${P}a" -o "$off" -s NEEDLE
	done
	assert_equal "$(shm find -a "${P}a" NEEDLE)" "262141
524287
786430
1048575"
	assert_equal "$(shm find -r "${P}a" NEEDLE)" 1048575
	assert_equal "$(shm find -r -e 1048580 "${P}a" NEEDLE)" 786430
}

@test "find is linear: a long periodic needle over 8 MB answers at once" {
	local a=a
	head -c 8000000 /dev/zero | tr '\0' a > hay
	shm create "${P}a" --from hay
	while [ ${#a} -lt 3999 ]; do a=$a$a; done
	a=${a:0:3999}
	needle=${a}b
	run timeout 10 "$SHM" find "${P}a" "$needle"
	assert_equal "$status" 1
	run timeout 10 "$SHM" find -r "${P}a" "$needle"
	assert_equal "$status" 1
	needle=b$a
	run timeout 10 "$SHM" find -r "${P}a" "$needle"
	assert_equal "$status" 1
	run timeout 10 "$SHM" find -a "${P}a" "${needle:1}"
	assert_equal "$status" 0
	assert_equal "${#lines[@]}" 2000
}

@test "find agrees with Python's find, rfind and count on random data" {
	command -v python3 >/dev/null || skip "no python3"
	python3 - "$SHM" "${P}r" <<'PY'
import os, random, subprocess, sys
shm, name = sys.argv[1], sys.argv[2]
random.seed(7)
# Each byte a or b by one random bit: translated, not made one by one.
ab = bytes(b"ab"[i & 1] for i in range(256))
for it in range(20):
    n = random.choice([1, 7, 300, 70000, 600000])
    data = random.getrandbits(8 * n).to_bytes(n, "little").translate(ab)
    with open("/dev/shm/" + name, "wb") as f:
        f.write(data)
    m = random.choice([1, 2, 3, 9])
    needle = bytes(random.choice(b"ab") for _ in range(m))
    for flag in ["", "-r", "-a"]:
        r = subprocess.run([shm, "find", "-x", name, needle.hex()] + ([flag] if flag else []), capture_output=True)
        if flag == "":
            want = [data.find(needle)]
        elif flag == "-r":
            want = [data.rfind(needle)]
        else:
            want, i = [], data.find(needle)
            while i >= 0:
                want.append(i)
                i = data.find(needle, i + m)
        want = [w for w in want if w >= 0]
        got = [int(x) for x in r.stdout.split()]
        assert got == want and r.returncode == (0 if want else 1), (n, needle, flag, got[:3], want[:3])
PY
}

@test "find of a missing segment, and without a pattern" {
	capture shm find "${P}none" x
	assert_fails 2 "shm: find: ${P}none: no such segment"
	capture shm find "${P}none"
	assert_fails 2 "shm: find: missing PATTERN (see 'shm find --help')"
}

@test "find --seek with -a, and --from-cursor with --start, are refused" {
	make_text
	capture shm find -a --seek "${P}a" abc
	assert_fails 2 "shm: find: --seek needs one match, not -a (see 'shm find --help')"
	capture shm find -c -s 0 "${P}a" abc
	assert_fails 2 "shm: find: --from-cursor and --start exclude each other (see 'shm find --help')"
}

@test "find works on a segment the user may only read" {
	make_text
	chmod 444 "/dev/shm/${P}a"
	assert_equal "$(shm find "${P}a" XYZ)" 6
}

@test "find skips holes, but sees matches across their edges and zeros in them" {
	skip_if_portable "holes are seen only with SEEK_DATA"
	# Pages 0-15 are a hole, page 16 data, then a hole to 64 MiB, data.
	shm create "${P}s" 64M
	shm write "${P}s" -o 65536 -s 'left'
	shm write "${P}s" -o 69628 -s 'right'		# ends at 69633: page 17
	shm write "${P}s" -o 67108860 -s 'end!'
	assert_equal "$(shm find "${P}s" left)" 65536
	assert_equal "$(shm find "${P}s" 'end!')" 67108860
	# Straddling a data/hole edge, either side.
	assert_equal "$(shm find "${P}s" -x '00 00 6c 65 66 74')" 65534
	assert_equal "$(shm find "${P}s" -x '72 69 67 68 74 00 00')" 69628
	assert_equal "$(shm find "${P}s" -x '00 65 6e 64 21')" 67108859
	# A needle of zeros matches inside a hole; -a counts only real ones.
	assert_equal "$(shm find "${P}s" -x '00 00 00 00')" 0
	assert_equal "$(shm find "${P}s" -x '00 00 00 00' --start 65536)" 65540
	assert_equal "$(shm find -a "${P}s" e | xargs)" "65537 67108860"
	run shm find "${P}s" absent
	assert_equal "$status" 1
	# Only a few pages were ever allocated: nothing was touched.
	[ "$(stat -c %b "/dev/shm/${P}s")" -le 64 ]
}

@test "find in a 100 GiB sparse file is quick" {
	skip_if_portable "holes are seen only with SEEK_DATA"
	truncate -s 100G sparse || skip "no room for a sparse file here"
	printf needle | dd of=sparse bs=1 seek=53687091200 conv=notrunc status=none
	run timeout 20 "$SHM" find ./sparse needle
	assert_equal "$output" 53687091200
	run timeout 20 "$SHM" find ./sparse absent
	assert_equal "$status" 1
}

@test "find over 100 MiB of data, split between two threads, reports the first match" {
	# 100 MiB of data and no hole: each half is searched by a thread.
	shm create "${P}a" --from <(head -c 104857600 /dev/zero | tr '\0' a)
	capture "$SHM" find "${P}a" NEEDLE
	assert_equal "$status" 1
	shm write "${P}a" -o 80000000 -s NEEDLE
	assert_equal "$(shm find "${P}a" NEEDLE)" 80000000
	# One in each half: the first half's.
	shm write "${P}a" -o 1000 -s NEEDLE
	assert_equal "$(shm find "${P}a" NEEDLE)" 1000
	# Straddling the middle (52428800), and starting just before it.
	shm write "${P}a" -o 52428798 -s STRADDLE
	assert_equal "$(shm find "${P}a" STRADDLE)" 52428798
	shm write "${P}a" -o 52428799 -s Q
	assert_equal "$(shm find "${P}a" Q)" 52428799
	# --start moves the middle; --end bounds the second half.
	assert_equal "$(shm find "${P}a" NEEDLE --start 2000)" 80000000
	capture "$SHM" find "${P}a" NEEDLE --start 2000 --end 80000005
	assert_equal "$status" 1
	assert_equal "$(shm find "${P}a" NEEDLE --start 2000 --end 80000006)" 80000000
	# -a and -r are not split, and agree.
	assert_equal "$(shm find -a "${P}a" NEEDLE | tr '\n' ' ')" "1000 80000000 "
	assert_equal "$(shm find -r "${P}a" NEEDLE)" 80000000
	# From the cursor, as mmap.find does.
	shm seek "${P}a" 40000000 >/dev/null
	assert_equal "$(shm find --from-cursor "${P}a" NEEDLE)" 80000000
}

# find_check.py plants needles where the search changes hands and runs
# find, -r and -a under each method (SHM_FIND_METHOD), against Python.
find_check() {
	SHM_TEST_SCALE=$SCALE capture python3 "$BATS_TEST_DIRNAME/find_check.py" \
	    "$SHM" "$P" "$1"
	assert_equal "$stderr" ""
	assert_equal "$output" ok
	assert_equal "$status" 0
}

@test "find agrees with Python across chunk edges, by every method" {
	find_check chunks
}

@test "find and find -r agree with Python where --start or --end moves the edges" {
	find_check edges
}

@test "find agrees with Python across the edges of holes, by every method" {
	skip_if_portable "holes are seen only with SEEK_DATA"
	find_check holes
}

@test "find agrees with Python across the two threads' split, by every method" {
	find_check split
}

@test "find agrees with Python where verifying every position would be slow" {
	find_check verify
}
