#!/usr/bin/env bats
# Layouts: named fields for read, write and wait, and shm layout, which
# prints them for C, Python and numpy.

load helpers

L='< seq:Q len:I name:16s price:d 4x'

# A segment of 40 bytes holding seq 8, len 3, name "abc", price 2.5.
make_record() {
	shm create "$1" 40
	shm write -o 0 --as "$L" "$1" seq=8 len=3 name=abc price=2.5
}

@test "layout: offsets and sizes are struct.calcsize's, for random layouts" {
	command -v python3 >/dev/null ||
	    skip "python3 not found: nothing to compare with"
	shm create "${P}t" 1024
	capture python3 "$BATS_TEST_DIRNAME/layout_check.py" \
	    "$SHM" "${P}t" $((50 * SCALE))
	assert_equal "$stderr" ""
	assert_equal "${output%% *}" ok
	assert_equal "$status" 0
}

@test "read --as LAYOUT prints NAME=VALUE, -F picks, --json is one object" {
	make_record "${P}a"
	capture shm read --as "$L" "${P}a"
	assert_equal "$status" 0
	assert_equal "$output" "seq=8
len=3
name=abc\0\0\0\0\0\0\0\0\0\0\0\0\0
price=2.5"
	capture shm read --as "$L" -F price,seq "${P}a"
	assert_equal "$output" "price=2.5
seq=8"
	capture shm read --as "$L" --json -F name,len "${P}a"
	assert_equal "$output" \
	    '{"name": "abc\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000", "len": 3}'
	capture shm read --as "$L" -F nope "${P}a"
	assert_fails 2 "shm: read: nope: no such field in the layout"
}

@test "read --as LAYOUT: unnamed items print as read --as does, counts joined" {
	shm create "${P}a" 16
	shm write -o 0 --as '<hhhHQ' "${P}a" 1 -2 3 7 9
	capture shm read --as '< v:3h H x:Q' "${P}a"
	assert_equal "$output" "v=1 -2 3
7
x=9"
	capture shm read --as '< v:3h H x:Q' --json "${P}a"
	assert_equal "$output" '{"v": [1, -2, 3], "x": 9}'
	shm write --as '< v:3h H x:Q' "${P}a" 'v=4 5 -6'
	run shm read -o 0 --as '<3h' --columns 3 "${P}a"
	assert_equal "$output" "4 5 -6"
}

@test "read --json: bytes round-trip exactly through latin-1" {
	command -v python3 >/dev/null || skip "python3 not found"
	shm create "${P}a" 8
	printf '\x00"\\\xff\x7f\n a' > bytes
	shm write -o 0 -i bytes "${P}a"
	capture shm read --as '< b:8s' --json "${P}a"
	assert_equal "$output" '{"b": "\u0000\"\\\u00ff\u007f\u000a a"}'
	python3 -c 'import json, sys
got = json.loads(sys.argv[1])["b"].encode("latin-1")
assert got == open("bytes", "rb").read(), got' "$output"
}

@test "read --json: floats as repr, bool, NaN and Infinity as Python's json" {
	shm create "${P}a" 27
	shm write -o 0 --as '<?ddd' "${P}a" True 0.1 inf nan
	capture shm read --as '< ok:? a:d b:d c:d' --json "${P}a"
	assert_equal "$output" '{"ok": true, "a": 0.1, "b": Infinity, "c": NaN}'
}

@test "--layout FILE: an item a line, comments, byte order first" {
	make_record "${P}a"
	cat > rec.layout <<-'EOF'
	# the record C and Python share
	<
	seq:Q      # bumped by each writer
	len:I
	name:16s
	price:d
	4x         # room to grow
	EOF
	capture shm read --layout rec.layout "${P}a"
	assert_equal "$status" 0
	assert_equal "$output" "$(shm read --as "$L" "${P}a")"
	printf '<\nQ\nI # no names: a FORMAT\n' > plain.layout
	capture shm read --layout plain.layout -o 0 "${P}a"
	assert_equal "$output" "8
3"
	printf '<\nseq:Q\nlen:Z\n' > bad.layout
	capture shm read --layout bad.layout "${P}a"
	assert_fails 2 "shm: read: bad.layout: line 3: len:Z: bad char in struct format"
	capture shm read --layout nosuch.layout "${P}a"
	assert_fails 2 "shm: read: nosuch.layout: No such file or directory"
}

@test "bad layouts: messages name the item" {
	shm create "${P}a" 16
	capture shm read --as '< seq:Q seq:I' "${P}a"
	assert_fails 2 "shm: read: seq:I: duplicate name"
	capture shm read --as '< 1seq:Q' "${P}a"
	assert_fails 2 "shm: read: 1seq:Q: name is not an identifier"
	long=$(printf 'n%.0s' {1..64})
	capture shm read --as "< $long:Q" "${P}a"
	assert_fails 2 "shm: read: $long:Q: name longer than 63 characters"
	capture shm read --as "< ${long:1}:Q" "${P}a"
	assert_equal "$output" "${long:1}=0"
	capture shm read --as '< a-b:Q' "${P}a"
	assert_fails 2 "shm: read: a-b:Q: name is not an identifier"
	capture shm write --as '< seq:Q v:y' "${P}a" seq=1
	assert_fails 2 "shm: write: v:y: bad char in struct format"
	capture shm read --as '< seq:Q v:n' "${P}a"
	assert_fails 2 "shm: read: v:n: bad char in struct format"
	capture shm read --as '< seq:Q pad:4x' "${P}a"
	assert_fails 2 "shm: read: pad:4x: padding takes no name"
	capture shm read --as '< seq:Q t:4c' "${P}a"
	assert_fails 2 "shm: read: t:4c: a name on a count of 'c' (for bytes, use 's')"
	capture shm read --as '< seq:Qlen:I' "${P}a"
	assert_fails 2 "shm: read: seq:Qlen:I: a named item ends at whitespace"
	capture shm read --as '< seq:' "${P}a"
	assert_fails 2 "shm: read: seq:: no code after the name"
	capture shm read --as '< seq:Q price:d ok:?' "${P}a"
	assert_fails 2 "shm: read: ${P}a: ok:?: bytes 16 to 17 are past the end (16 bytes)"
	capture shm write --as '< seq:Q price:d' -o 8 "${P}a" seq=1
	assert_fails 2 "shm: write: ${P}a: price:d: bytes 16 to 24 are past the end (16 bytes)"
	capture shm write --as '< a:Q 2000000000x' "${P}a" a=1
	assert_fails 2 "shm: write: ${P}a: 2000000000x: bytes 8 to 2000000008 are past the end (16 bytes)"
	capture shm read --as '< seq:Q' -F seq --columns 2 "${P}a"
	assert_fails 2 "shm: read: --columns goes with a FORMAT, not a layout with names (see 'shm read --help')"
	cmp "/dev/shm/${P}a" <(head -c 16 /dev/zero)
}

@test "write by name changes only those fields' bytes" {
	shm create "${P}a" 64
	head -c 64 /dev/urandom > before
	shm write -o 0 -i before "${P}a"
	shm write -o 8 --as "$L" "${P}a" seq=0x1122334455667788 price=-0.5
	python3 -c 'import struct
b = bytearray(open("before", "rb").read())
struct.pack_into("<Q", b, 8, 0x1122334455667788)
struct.pack_into("<d", b, 8 + 28, -0.5)
open("want", "wb").write(b)' || skip "python3 not found"
	cmp "/dev/shm/${P}a" want
}

@test "write by name is all or nothing; messages name the field" {
	make_record "${P}a"
	cp "/dev/shm/${P}a" before
	capture shm write --as "$L" "${P}a" seq=9 len=-1
	assert_fails 2 "shm: write: len=-1: argument out of range for 'I' (0..4294967295)"
	capture shm write --as "$L" "${P}a" seq=9 name=0123456789abcdefg price=x
	assert_fails 2 "shm: write: price=x: not a number"
	capture shm write --as "$L" "${P}a" seq=9 nope=1
	assert_fails 2 "shm: write: nope: no such field in the layout"
	capture shm write --as "$L" "${P}a" seq=9 seq+=1
	assert_fails 2 "shm: write: seq+=1: seq is set twice"
	capture shm write --as "$L" "${P}a" seq=9 9
	assert_fails 2 "shm: write: '9': not NAME=VALUE, NAME+=N or NAME-=N (see 'shm write --help')"
	capture shm write --as "$L" "${P}a" seq=9 name+=1
	assert_fails 2 "shm: write: name+=1: += and -= take a field of one integer or float"
	capture shm write --as '< v:2h' "${P}a" 'v=1'
	assert_fails 2 "shm: write: v=1: pack expected 2 items for packing (got 1)"
	cmp "/dev/shm/${P}a" before
}

@test "write +=, -=: the new value, limits kept, overflow changes nothing" {
	make_record "${P}a"
	capture shm write --as "$L" "${P}a" seq+=5 price-=0.25 len-=3
	assert_equal "$output" "13
2.25
0"
	capture shm write --as "$L" "${P}a" len-=1
	assert_fails 2 "shm: write: len-=1: argument out of range for 'I' (0..4294967295)"
	shm write --as "$L" "${P}a" seq=18446744073709551615
	cp "/dev/shm/${P}a" before
	capture shm write --as "$L" "${P}a" price+=1 seq+=1
	assert_fails 2 "shm: write: seq+=1: overflow"
	capture shm write --as "$L" "${P}a" seq+=1.5
	assert_fails 2 "shm: write: seq+=1.5: not an integer"
	shm write --as "$L" "${P}a" price=1.7976931348623157e308
	cp "/dev/shm/${P}a" before
	capture shm write --as "$L" "${P}a" price+=1e308
	assert_fails 2 "shm: write: price+=1e308: overflow"
	cmp "/dev/shm/${P}a" before
	shm create "${P}b" 4
	capture shm write --as '< c:b f:e' "${P}b" c-=128 f+=0.1
	assert_equal "$output" "-128
0.0999755859375"
	capture shm write --as '< c:b f:e' "${P}b" f+=65520
	assert_fails 2 "shm: write: f+=65520: float too large to pack with e format"
}

@test "+= from 8 shm processes and a Python peer under flock loses nothing" {
	command -v python3 >/dev/null || skip "python3 not found"
	shm create "${P}c" 16
	cat > peer.py <<-'EOF'
	import fcntl, os, struct, sys
	fd = os.open("/dev/shm/" + sys.argv[1], os.O_RDWR)
	for _ in range(int(sys.argv[2])):
	    fcntl.flock(fd, fcntl.LOCK_EX)
	    n, = struct.unpack("<Q", os.pread(fd, 8, 0))
	    os.pwrite(fd, struct.pack("<Q", n + 1), 0)
	    fcntl.flock(fd, fcntl.LOCK_UN)
	EOF
	n=$((6 * SCALE))
	python3 peer.py "${P}c" $((n * 4)) &
	for ((j = 0; j < 8; j++)); do
		(for ((i = 0; i < n; i++)); do
			shm write --as '< n:Q total:d' "${P}c" n+=1 total+=0.5 ||
			    exit 1
		done > out.$j) &
	done
	wait
	run shm read --as '< n:Q total:d' "${P}c"
	assert_equal "$output" "n=$((8 * n + 4 * n))
total=$((8 * n / 2)).0"
	# Each process saw its own increments: 8 * n distinct values.
	assert_equal "$(awk 'NR % 2' out.* | sort -u | wc -l)" $((8 * n))
}

@test "wait --as LAYOUT --until 'FIELD OP VALUE'" {
	make_record "${P}a"
	capture shm wait "${P}a" --as "$L" --until 'seq >= 8' -t 5
	assert_equal "$status" 0
	assert_equal "$output" "seq=8"
	(for ((i = 0; i < 5; i++)); do
		shm write --as "$L" "${P}a" seq+=1 >/dev/null
	done) &
	capture shm wait "${P}a" --as "$L" --until 'seq>=13' -t 20
	assert_equal "$output" "seq=13"
	assert_equal "$status" 0
	capture shm wait "${P}a" --as "$L" --until 'price < 2.5' -t 0.1
	assert_equal "$status" 1
	printf '<\nseq:Q\nlen:I\nname:16s\nprice:d\n' > rec.layout
	capture shm wait "${P}a" --layout rec.layout --until 'name != abc' -t 0.1
	assert_equal "$status" 1
	capture shm wait "${P}a" --as "$L" --until 'nope == 1'
	assert_fails 2 "shm: wait: --until 'nope == 1': not 'FIELD OP VALUE' with FIELD a field of the layout (see 'shm wait --help')"
	capture shm wait "${P}a" --as "$L" --until 'seq == -1'
	assert_fails 2 "shm: wait: --until 'seq == -1': seq: argument out of range for 'Q' (0..18446744073709551615) (see 'shm wait --help')"
}

# The record program.c prints, from the struct layout --c declares.
c_reader() {
	cat > program.c <<-'EOF'
	#define _POSIX_C_SOURCE 200809L
	#include <fcntl.h>
	#include <inttypes.h>
	#include <stdio.h>
	#include <unistd.h>
	#include "record.h"

	int
	main(int argc, char **argv)
	{
		struct record r;
		int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1;

		if (fd < 0 || pread(fd, &r, sizeof(r), 0) != RECORD_SIZE)
			return 1;
		printf("seq=%" PRIu64 "\nlen=%" PRIu32 "\nname=%.16s\n"
		    "price=%g\n", r.seq, r.len, r.name, r.price);
		return 0;
	}
	EOF
}

@test "layout --c: a C program reads what shm and Python read" {
	command -v cc >/dev/null || skip "no C compiler"
	command -v python3 >/dev/null || skip "python3 not found"
	make_record "${P}a"
	shm write --as "$L" "${P}a" name=0123456789abcdef
	shm layout "$L" --c > record.h
	c_reader
	cc -std=c11 -Wall -Wextra -Werror -o program program.c
	shm layout "$L" --python > record.py
	run ./program "/dev/shm/${P}a"
	assert_equal "$output" "seq=8
len=3
name=0123456789abcdef
price=2.5"
	assert_equal "$(shm read --as "$L" "${P}a")" "$output"
	run python3 -c 'import record, sys
r = record.unpack(open(sys.argv[1], "rb").read())
print("seq=%d\nlen=%d\nname=%s\nprice=%r" % (r.seq, r.len,
    r.name.decode(), r.price))' "/dev/shm/${P}a"
	assert_equal "$output" "$(shm read --as "$L" "${P}a")"
}

@test "layout --c: native alignment and unnamed items compile and assert" {
	command -v cc >/dev/null || skip "no C compiler"
	shm layout '@ a:b b:q c:c 3x d:i e:P f:n 2x 3i g:N h:e s:5p' --c \
	    > record.h
	printf '#include "record.h"\nint main(void) { return 0; }\n' > t.c
	cc -std=c11 -Wall -Wextra -Werror -o t t.c
	grep -q 'offsetof(struct record, _6) == 44' record.h
	run shm layout '> x:H y:3f' --c --name rec
	assert_equal "${lines[1]}" "/* big-endian: C cannot say so; a little-endian host converts every field of more than one byte (be16toh, be32toh, be64toh). */"
	[[ $output == *'_Static_assert(sizeof(struct rec) == 14, "size");'* ]]
}

@test "layout --python: pack_into and unpack agree with shm" {
	command -v python3 >/dev/null || skip "python3 not found"
	shm create "${P}a" 40
	printf '<\nseq:Q\nvals:3h\nH\nname:5s\n' > rec.layout
	shm layout --layout rec.layout --python --name Rec > rec.py
	python3 -c 'import rec, sys
assert rec.Rec._fields == ("seq", "vals", "_2", "name"), rec.Rec._fields
b = bytearray(40)
rec.pack_into(b, 0, rec.Rec(7, (1, -2, 3), 9, b"hi"))
open(sys.argv[1], "r+b").write(b)' "/dev/shm/${P}a"
	run shm read --layout rec.layout "${P}a"
	assert_equal "$output" 'seq=7
vals=1 -2 3
9
name=hi\0\0\0'
}

@test "layout --numpy: itemsize and offsets as numpy has them, for random layouts" {
	py=
	for p in python3 /usr/bin/python3; do
		if "$p" -c 'import numpy' 2>/dev/null; then
			py=$p
			break
		fi
	done
	[ -n "$py" ] || skip "numpy is not installed (python3-numpy)"
	capture "$py" "$BATS_TEST_DIRNAME/layout_check.py" \
	    --numpy "$SHM" "${P}unused" $((50 * SCALE))
	assert_equal "$stderr" ""
	assert_equal "${output%% *}" ok
	assert_equal "$status" 0
	shm layout '< v:3h s:5s' --numpy --name rec > dt.py
	"$py" -c 'import dt
assert dt.rec.fields["v"][0].shape == (3,), dt.rec.fields
assert dt.rec.fields["s"][0].itemsize == 5, dt.rec.fields'
}

@test "layout: usage errors" {
	capture shm layout '< a:Q'
	assert_fails 2 "shm: layout: missing --c, --python or --numpy (see 'shm layout --help')"
	capture shm layout '< a:Q' --c --numpy
	assert_fails 2 "shm: layout: one of --c, --python and --numpy (see 'shm layout --help')"
	capture shm layout '< a:Q a:I' --c
	assert_fails 2 "shm: layout: a:I: duplicate name"
	capture shm layout '< a:Q int:i' --c
	assert_fails 2 "shm: layout: int:i: a keyword of C"
	capture shm layout '< a:Q class:i' --python
	assert_fails 2 "shm: layout: class:i: a keyword of Python"
	capture shm layout '< _a:Q' --python
	assert_fails 2 "shm: layout: _a:Q: namedtuple takes no name that starts with '_'"
	capture shm layout '' --numpy
	assert_fails 2 "shm: layout: the layout has no items"
	capture shm layout '< a:Q' --c --name 1x
	assert_fails 2 "shm: layout: --name '1x': not an identifier (see 'shm layout --help')"
}
