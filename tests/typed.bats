#!/usr/bin/env bats
# read --as and write --as: values laid out as Python's struct lays them out.

load helpers

# The bytes a hex string spells, on standard output.
unhex() {
	local i e=
	for ((i = 0; i < ${#1}; i += 2)); do
		e+="\\x${1:i:2}"
	done
	printf "$e"
}

# A segment of N random bytes, its cursor at 3, so that "nothing
# changed" means something; its bytes are kept in ./before.
make_random() {
	head -c "$1" /dev/urandom > before
	shm create "${P}a" --from before
	shm seek "${P}a" 3 >/dev/null
}

# Asserts that `shm ARGS` exits 2 with the one-line message and leaves
# every byte of ${P}a (./before) and its cursor (3) as make_random made
# them.
refuses() {
	local want=$1
	shift
	capture shm "$@"
	assert_fails 2 "$want"
	assert_equal "$output" ""
	cmp "/dev/shm/${P}a" before
	assert_equal "$(shm seek "${P}a")" 3
}

# Packs the values into ${P}a, checks the bytes and what read --as
# prints, then packs those lines into ${P}b and checks it is the same.
round_trip() {
	local format=$1 hex=$2 want=$3
	shift 3
	shm write "${P}a" -o 0 --as "$format" "$@"
	cmp "/dev/shm/${P}a" <(unhex "$hex")
	capture shm read "${P}a" -o 0 --as "$format"
	assert_equal "$status" 0
	assert_equal "$output" "$want"
	assert_equal "$stderr" ""
	shm write "${P}b" -o 0 --as "$format" $(shm read "${P}a" -o 0 \
	    --as "$format")
	cmp "/dev/shm/${P}a" "/dev/shm/${P}b"
}

@test "read --as and write --as agree with Python's struct" {
	command -v python3 >/dev/null ||
	    skip "python3 not found: nothing to compare with"
	shm create "${P}t" 1024
	SHM_TEST_SCALE=$SCALE capture python3 \
	    "$BATS_TEST_DIRNAME/struct_check.py" \
	    "$SHM" "${P}t"
	assert_equal "$stderr" ""
	assert_equal "$output" ok
	assert_equal "$status" 0
}

@test "doubles round-trip: inf, -inf, nan, -0.0, 5e-324, 1e+16, 0.1" {
	shm create "${P}a" 72
	shm create "${P}b" 72
	round_trip '<9d' 000000000000f07f000000000000f0ff000000000000f87f\
000000000000008001000000000000000080e03779c341439a9999999999b93f\
ffffffffffffef7f0000000000001080 \
	    'inf
-inf
nan
-0.0
5e-324
1e+16
0.1
1.7976931348623157e+308
-2.2250738585072014e-308' \
	    inf -inf nan -0.0 5e-324 1e16 0.1 1.7976931348623157e308 \
	    -2.2250738585072014e-308
}

@test "floats and halfs round-trip, rounded as struct.pack rounds" {
	shm create "${P}a" 36
	shm create "${P}b" 36
	round_trip '>9f' 7f800000ff8000007fc0000080000000000000005a0e1bca\
3dcccccd7f7fffff00000001 \
	    'inf
-inf
nan
-0.0
0.0
1.0000000272564224e+16
0.10000000149011612
3.4028234663852886e+38
1.401298464324817e-45' \
	    inf -inf nan -0.0 5e-324 1e+16 0.1 3.4028234663852886e+38 \
	    1.401298464324817e-45
	shm create "${P}c" 18
	shm create "${P}d" 18
	shm write "${P}c" -o 0 --as '!9e' inf -inf nan -0.0 5e-324 65504 0.1 \
	    5.960464477539063e-08 -6.103515625e-05
	cmp "/dev/shm/${P}c" <(unhex 7c00fc007e00800000007bff2e6600018400)
	capture shm read "${P}c" -o 0 --as '!9e'
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" 'inf
-inf
nan
-0.0
0.0
65504.0
0.0999755859375
5.960464477539063e-08
-6.103515625e-05'
	shm write "${P}d" -o 0 --as '!9e' $(shm read "${P}c" -o 0 --as '!9e')
	cmp "/dev/shm/${P}c" "/dev/shm/${P}d"
}

@test "every NaN prints nan and packs back as the quiet NaN" {
	shm create "${P}a" 14
	shm write "${P}a" -o 0 -x 'ffffffffffffffff 0100807f 017c'
	capture shm read "${P}a" -o 0 --as '<dfe'
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" 'nan
nan
nan'
	shm write "${P}a" -o 0 --as '<dfe' $(shm read "${P}a" -o 0 --as '<dfe')
	cmp "/dev/shm/${P}a" <(unhex 000000000000f87f0000c07f007e)
}

@test "the extremes of every standard integer size round-trip" {
	local values=(-128 127 0 255 -32768 32767 0 65535
	    -2147483648 2147483647 0 4294967295 -2147483648 2147483647
	    0 4294967295 -9223372036854775808 9223372036854775807
	    0 18446744073709551615)
	local want
	want=$(printf '%s\n' "${values[@]}")
	shm create "${P}a" 76
	shm create "${P}b" 76
	round_trip '<2b2B2h2H2i2I2l2L2q2Q' 807f00ff0080ff7f0000ffff\
00000080ffffff7f00000000ffffffff00000080ffffff7f00000000ffffffff\
0000000000000080ffffffffffffff7f0000000000000000ffffffffffffffff \
	    "$want" "${values[@]}"
	round_trip '>2b2B2h2H2i2I2l2L2q2Q' 807f00ff80007fff0000ffff\
800000007fffffff00000000ffffffff800000007fffffff00000000ffffffff\
80000000000000007fffffffffffffff0000000000000000ffffffffffffffff \
	    "$want" "${values[@]}"
	shm write "${P}b" -o 0 --as '!2b2B2h2H2i2I2l2L2q2Q' "${values[@]}"
	cmp "/dev/shm/${P}a" "/dev/shm/${P}b"
	shm write "${P}a" -o 0 --as '=2b2B2h2H2i2I2l2L2q2Q' "${values[@]}"
	capture shm read "${P}a" -o 0 --as '=2b2B2h2H2i2I2l2L2q2Q'
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" "$want"
}

@test "native n, N and P round-trip at their extremes, aligned" {
	[ "$(getconf LONG_BIT)" = 64 ] || skip "expects 64-bit native sizes"
	shm create "${P}a" 56
	shm create "${P}b" 56
	round_trip '@?2n2N2P' 0100000000000000\
0000000000000080ffffffffffffff7f0000000000000000ffffffffffffffff\
0000000000000000ffffffffffffffff \
	    'True
-9223372036854775808
9223372036854775807
0
18446744073709551615
0
18446744073709551615' \
	    True -9223372036854775808 9223372036854775807 0 \
	    18446744073709551615 0 18446744073709551615
	# As in Python, P takes a negative address and prints it unsigned.
	shm write "${P}a" -o 0 --as '@P' -1
	assert_equal "$(shm read "${P}a" -o 0 --as '@P')" 18446744073709551615
}

@test "bools, chars and padding round-trip" {
	shm create "${P}a" 7
	shm create "${P}b" 7
	round_trip '<?x?2xcc' 01000000004178 'True
False
A
x' true False A x
	# Any nonzero byte is True, as in Python; it packs back as 1.
	shm write "${P}a" -o 0 -x 02
	assert_equal "$(shm read "${P}a" -o 0 --as '?')" True
}

@test "strings with NUL, newline, backslash and high bytes round-trip" {
	# 10s, then 3c, then 6p holding the 4 bytes x NUL y backslash.
	printf 'a\x001\n\\\xff\x80 z\x00\x00\n\xff\x04x\x00y\\\x00' > data
	shm create "${P}a" --from data
	shm create "${P}b" 19
	mapfile -t v < <(shm read "${P}a" -o 0 --as '<10s3c6p')
	assert_equal "${#v[@]}" 5
	assert_equal "${v[0]}" 'a\x001\n\\\xff\x80 z\0'
	assert_equal "${v[1]}" '\0'
	assert_equal "${v[2]}" '\n'
	assert_equal "${v[3]}" '\xff'
	assert_equal "${v[4]}" 'x\0y\\'
	shm write "${P}b" -o 0 --as '<10s3c6p' "${v[@]}"
	cmp data "/dev/shm/${P}b"
}

@test "a string that starts with - goes after --" {
	shm create "${P}a" 4
	capture shm write "${P}a" -o 0 --as 4s -ab
	assert_fails 2 "shm: write: unknown option '-a' (see 'shm write --help')"
	cmp "/dev/shm/${P}a" <(unhex 00000000)
	shm write "${P}a" -o 0 --as 4s -- -ab
	assert_equal "$(shm read "${P}a" -o 0 --as 4s)" '-ab\0'
}

@test "negative numbers are values, not options" {
	shm create "${P}a" 10
	shm write "${P}a" -o 0 --as '<hq' -2 -9
	cmp "/dev/shm/${P}a" <(unhex fefff7ffffffffffffff)
	capture shm read "${P}a" -o 0 --as '<hq'
	assert_equal "$status" 0
	assert_equal "$output" '-2
-9'
	assert_equal "$stderr" ""
	shm create "${P}b" 24
	shm write "${P}b" -o -24 --as '<3d' -inf -.5 -nan
	capture shm read "${P}b" -o -24 --as '<3d'
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" '-inf
-0.5
nan'
}

@test "an integer out of range is refused, changing nothing" {
	make_random 16
	refuses "shm: write: ${P}a: value 1 ('256'): argument out of range for 'B' (0..255)" \
	    write "${P}a" -o 0 --as '<B' 256
	refuses "shm: write: ${P}a: value 1 ('-129'): argument out of range for 'b' (-128..127)" \
	    write "${P}a" -o 0 --as '<b' -129
	refuses "shm: write: ${P}a: value 1 ('65536'): argument out of range for 'H' (0..65535)" \
	    write "${P}a" --as '<H' 65536
	refuses "shm: write: ${P}a: value 1 ('9223372036854775808'): argument out of range for 'q' (-9223372036854775808..9223372036854775807)" \
	    write "${P}a" --as '<q' 9223372036854775808
	refuses "shm: write: ${P}a: value 1 ('-1'): argument out of range for 'Q' (0..18446744073709551615)" \
	    write "${P}a" --as '<Q' -1
	# The first bad value is named, and the good ones before it unwritten.
	refuses "shm: write: ${P}a: value 3 ('0x100'): argument out of range for 'B' (0..255)" \
	    write "${P}a" -o 0 --as '<3B' 1 2 0x100
	refuses "shm: write: ${P}a: value 1 ('18446744073709551616'): number too large" \
	    write "${P}a" -o 0 --as '<Q' 18446744073709551616
}

@test "the wrong number of values is refused, changing nothing" {
	make_random 16
	refuses "shm: write: ${P}a: pack expected 2 items for packing (got 1)" \
	    write "${P}a" -o 0 --as '<hq' 1
	refuses "shm: write: ${P}a: pack expected 2 items for packing (got 3)" \
	    write "${P}a" --as '<hq' 1 2 3
	refuses "shm: write: ${P}a: pack expected 1 items for packing (got 0)" \
	    write "${P}a" --as '<i'
	refuses "shm: write: ${P}a: pack expected 1 items for packing (got 2)" \
	    write "${P}a" --as '4s' ab cd
	refuses "shm: write: ${P}a: pack expected 0 items for packing (got 1)" \
	    write "${P}a" --as '3x' 1
}

@test "a value that is not of its code is refused, changing nothing" {
	make_random 16
	refuses "shm: write: ${P}a: value 1 ('1.5x'): not a number" \
	    write "${P}a" -o 0 --as '<d' 1.5x
	refuses "shm: write: ${P}a: value 2 ('1.5'): not an integer" \
	    write "${P}a" --as '<2i' 1 1.5
	refuses "shm: write: ${P}a: value 1 ('1e300'): float too large to pack with f format" \
	    write "${P}a" --as '<f' 1e300
	refuses "shm: write: ${P}a: value 1 ('1e39'): float too large to pack with f format" \
	    write "${P}a" --as 'f' 1e39
	refuses "shm: write: ${P}a: value 1 ('65520'): float too large to pack with e format" \
	    write "${P}a" --as '<e' 65520
	refuses "shm: write: ${P}a: value 1 ('ab'): 'c' takes exactly one byte" \
	    write "${P}a" --as c ab
	refuses "shm: write: ${P}a: value 1 ('maybe'): '?' takes True, False or an integer" \
	    write "${P}a" --as '?' maybe
	refuses "shm: write: ${P}a: value 1 ('a\\q'): bad escape (use \\\\ \\n \\t \\r \\0 \\xNN)" \
	    write "${P}a" --as 4s 'a\q'
}

@test "a bad format is refused as Python refuses it" {
	make_random 16
	refuses "shm: write: format '<Z': bad char in struct format" \
	    write "${P}a" -o 0 --as '<Z' 1
	refuses "shm: read: format '<Z': bad char in struct format" \
	    read "${P}a" --as '<Z'
	refuses "shm: write: format '3': repeat count given without format specifier" \
	    write "${P}a" --as 3 1
	refuses "shm: read: format '3': repeat count given without format specifier" \
	    read "${P}a" -o 0 --as 3
	# n, N and P have native sizes only.
	local f
	for f in '<n' '>N' '!P' '=n' '=P'; do
		refuses "shm: write: format '$f': bad char in struct format" \
		    write "${P}a" -o 0 --as "$f" 1
		refuses "shm: read: format '$f': bad char in struct format" \
		    read "${P}a" --as "$f"
	done
}

@test "a format larger than the room at the offset is refused" {
	make_random 16
	refuses "shm: write: ${P}a: format '<20s' of size 20 does not fit at offset 0 (16 bytes left)" \
	    write "${P}a" -o 0 --as '<20s' abc
	refuses "shm: read: ${P}a: format '<20s' of size 20 does not fit at offset 0 (16 bytes left)" \
	    read "${P}a" -o 0 --as '<20s'
	refuses "shm: write: ${P}a: format '<I' of size 4 does not fit at offset 14 (2 bytes left)" \
	    write "${P}a" -o -2 --as '<I' 7
	refuses "shm: read: ${P}a: format '<4I' of size 16 does not fit at offset 3 (13 bytes left)" \
	    read "${P}a" --as '<4I'
	refuses "shm: read: ${P}a: format '1000000000s' of size 1000000000 does not fit at offset 0 (16 bytes left)" \
	    read "${P}a" -o 0 --as 1000000000s
}

@test "an offset beyond the end is refused" {
	make_random 16
	refuses "shm: write: ${P}a: offset '17': beyond the end (size 16)" \
	    write "${P}a" -o 17 --as '<B' 1
	refuses "shm: read: ${P}a: offset '17': beyond the end (size 16)" \
	    read "${P}a" -o 17 --as '<B'
	refuses "shm: write: ${P}a: offset '-17': before the start (size 16)" \
	    write "${P}a" -o -17 --as '<B' 1
}

@test "--as goes with no other source of bytes" {
	make_random 16
	refuses "shm: write: -s, -x, -i and --as exclude each other (see 'shm write --help')" \
	    write "${P}a" -o 0 --as '<B' -s x
	refuses "shm: write: -s, -x, -i and --as exclude each other (see 'shm write --help')" \
	    write "${P}a" -s x --as '<B'
	refuses "shm: write: --as does not --grow or --append (see 'shm write --help')" \
	    write "${P}a" --grow --as '<B' 1
	refuses "shm: read: --as takes no -n, --line or -O (see 'shm read --help')" \
	    read "${P}a" --as '<I' -n 4
	refuses "shm: read: --columns goes with --as (see 'shm read --help')" \
	    read "${P}a" --columns 4
	refuses "shm: read: --columns '0': not positive (see 'shm read --help')" \
	    read "${P}a" --as '<I' --columns 0
}

@test "read --as at the cursor reads consecutive values; -o keeps it" {
	shm create "${P}a" 12
	shm write "${P}a" -o 0 --as '<3I' 1 2 3
	assert_equal "$(shm seek "${P}a")" 0
	assert_equal "$(shm read "${P}a" --as '<I')" 1
	assert_equal "$(shm seek "${P}a")" 4
	assert_equal "$(shm read "${P}a" --as '<I')" 2
	assert_equal "$(shm seek "${P}a")" 8
	assert_equal "$(shm read "${P}a" -o 0 --as '<I')" 1
	assert_equal "$(shm seek "${P}a")" 8
	shm write "${P}a" --as '<I' 9
	assert_equal "$(shm seek "${P}a")" 12
	cmp "/dev/shm/${P}a" <(unhex 010000000200000009000000)
	shm write "${P}a" -o 4 --as '<H' 7
	assert_equal "$(shm seek "${P}a")" 12
	# Nothing is left at the cursor: an error, and the cursor stays.
	capture shm read "${P}a" --as '<I'
	assert_fails 2 "shm: read: ${P}a: format '<I' of size 4 does not fit at offset 12 (0 bytes left)"
	assert_equal "$(shm seek "${P}a")" 12
	# A format of no bytes prints nothing and leaves the cursor alone.
	shm seek "${P}a" 5 >/dev/null
	capture shm read "${P}a" --as '<'
	assert_equal "$status" 0
	assert_equal "$output" ""
	assert_equal "$(shm seek "${P}a")" 5
}

@test "--columns prints a 10x10 uint8 image as 10 lines" {
	shm create "${P}a" 100
	shm write "${P}a" -o 0 --as 100B $(seq 0 99)
	cmp <(unhex "$(printf %02x $(seq 0 99))") "/dev/shm/${P}a"
	capture shm read "${P}a" -o 0 --as 100B --columns 10
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" '0 1 2 3 4 5 6 7 8 9
10 11 12 13 14 15 16 17 18 19
20 21 22 23 24 25 26 27 28 29
30 31 32 33 34 35 36 37 38 39
40 41 42 43 44 45 46 47 48 49
50 51 52 53 54 55 56 57 58 59
60 61 62 63 64 65 66 67 68 69
70 71 72 73 74 75 76 77 78 79
80 81 82 83 84 85 86 87 88 89
90 91 92 93 94 95 96 97 98 99'
	local i
	shm read "${P}a" -o 0 --as 100B --columns 10 | cmp - <(
	    for i in $(seq 0 10 90); do echo $(seq "$i" $((i + 9))); done)
}

@test "--columns ends a short last line without a trailing space" {
	shm create "${P}a" 4
	shm write "${P}a" -o 0 -x 00010203
	shm read "${P}a" -o 0 --as 4B --columns 3 > out
	cmp out <(printf '0 1 2\n3\n')
}

@test "a length-prefixed message from Python is read by two shell lines" {
	command -v python3 >/dev/null ||
	    skip "python3 not found: nothing to write the message"
	python3 - "/dev/shm/${P}a" <<'EOF'
import struct, sys
payload = bytes(range(256)) + b'\0\0end\n\0'
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<I', len(payload)) + payload + b'trailing junk')
with open('payload', 'wb') as f:
    f.write(payload)
EOF
	n=$(shm read "${P}a" --as '<I')
	shm read "${P}a" -n "$n" > got
	assert_equal "$n" 263
	cmp payload got
	assert_equal "$(shm seek "${P}a")" 267
}

@test "a length-prefixed message from the shell is read by Python" {
	command -v python3 >/dev/null ||
	    skip "python3 not found: nothing to read the message"
	{ head -c 300 /dev/urandom; printf '\0\n\\\0'; } > f
	shm create "${P}a" 4096
	shm write "${P}a" --as '<I' "$(stat -c %s f)"
	shm write "${P}a" -i f
	assert_equal "$(shm seek "${P}a")" 308
	capture python3 - "/dev/shm/${P}a" f <<'EOF'
import mmap, struct, sys
with open(sys.argv[1], 'rb') as seg, open(sys.argv[2], 'rb') as f:
    m = mmap.mmap(seg.fileno(), 0, access=mmap.ACCESS_READ)
    n, = struct.unpack_from('<I', m, 0)
    want = f.read()
    print(n, m[4:4 + n] == want, m[4 + n:] == bytes(4096 - 4 - n))
EOF
	assert_equal "$stderr" ""
	assert_equal "$output" "304 True True"
	assert_equal "$status" 0
}
