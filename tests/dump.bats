#!/usr/bin/env bats
# shm dump: byte-for-byte what hexdump -C and xxd print.

load helpers

# Fills segment ${P}d with the bytes of file $1.
load_bytes() {
	shm create -f "${P}d" --from "$1"
}

# Compares shm dump ARGS... with the reference command on file data.
same_as() {
	local ref=$1; shift
	"$SHM" dump "${P}d" "$@" > got
	eval "$ref" > want
	cmp want got || { diff want got | head -20; false; }
}

need() {
	command -v "$1" >/dev/null || skip "$1 is not installed"
}

@test "dump matches hexdump -C on random data" {
	need hexdump
	head -c 4099 /dev/urandom > data
	load_bytes data
	same_as 'hexdump -C data'
	same_as 'hexdump -C -v data' -v
	same_as 'hexdump -C -v data' --no-squeeze
}

@test "dump matches hexdump -C for lengths 0, 1, 15, 16, 17 and 4097" {
	need hexdump
	local n
	for n in 0 1 15 16 17 31 32 33 4097; do
		head -c "$n" /dev/urandom > data
		load_bytes data
		same_as 'hexdump -C data'
		same_as 'hexdump -C -v data' -v
	done
}

@test "dump matches hexdump -C and xxd over many chunks, data and holes" {
	need hexdump
	need xxd
	# Data and holes across the 128 KiB edges of the chunks dump reads,
	# two threads in turn, each on a core, a squeezed run of zeros
	# that goes from data (written zeros) into a hole, and a run of
	# other lines that a hole ends.
	shm create "${P}d" 4100K
	head -c 300K /dev/urandom | shm write "${P}d" -i -
	head -c 200K /dev/urandom | shm write "${P}d" -o 700K -i -
	head -c 64K /dev/zero | shm write "${P}d" -o 1000K -i -
	printf 'abcdefghijklmnop%.0s' {1..20} |
		shm write "${P}d" -o $((2048 * 1024 - 320)) -i -
	head -c 100K /dev/urandom | shm write "${P}d" -o 3000K -i -
	cat "/dev/shm/${P}d" > data
	same_as 'hexdump -C data'
	same_as 'hexdump -C -v data' -v
	same_as 'xxd -a data' --format xxd
	same_as 'hexdump -C -s 262143 -n 600001 data' -o 262143 -n 600001
	same_as 'hexdump -C -s 1000001 -n 2100000 data' -o 1000001 -n 2100000
	same_as 'xxd -a -s 1000001 -l 2100000 data' --format xxd -o 1000001 \
	    -n 2100000
}

@test "dump squeezes repeated lines as hexdump -C does" {
	need hexdump
	{ head -c 100 /dev/zero; printf 'abcdefghijklmnop%.0s' {1..20}; head -c 7 /dev/zero
	  printf 'abcdefghijklmnop%.0s' {1..3}; printf 'abc'; } > data
	load_bytes data
	same_as 'hexdump -C data'
	head -c 1000 /dev/zero > data
	load_bytes data
	same_as 'hexdump -C data'
}

@test "dump ranges use absolute offsets, as hexdump -C -s -n shows them" {
	need hexdump
	head -c 10000 /dev/urandom > data
	load_bytes data
	same_as 'hexdump -C -s 5 -n 100 data' -o 5 -n 100
	same_as 'hexdump -C -s 4095 -n 33 data' -o 4095 -n 33
	same_as 'hexdump -C -s 9990 data' -o -10
	same_as 'hexdump -C -s 0x100 -n 0x20 data' -o 0x100 -n 0x20
}

@test "dump --format xxd matches xxd, and squeezed, xxd -a" {
	need xxd
	local n
	for n in 0 1 15 16 17 4097; do
		head -c "$n" /dev/urandom > data
		load_bytes data
		same_as 'xxd data' --format xxd -v
		same_as 'xxd -a data' --format xxd
	done
	{ head -c 100 /dev/zero; printf 'x'; head -c 64 /dev/zero; } > data
	load_bytes data
	same_as 'xxd -a data' --format xxd
	same_as 'xxd data' --format xxd -v
	same_as 'xxd -s 5 -l 100 data' --format xxd -v -o 5 -n 100
}

@test "dump of long zero runs is squeezed to one star" {
	need hexdump
	shm create "${P}z" 64M
	capture shm dump "${P}z"
	assert_equal "$status" 0
	assert_equal "$output" "00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
04000000"
}

@test "dump of a sparse object does not make it take memory" {
	shm create "${P}z" 256M
	shm write "${P}z" -o 100M -s hello
	shm dump "${P}z" > out
	# Only the page written holds memory: du counts allocated blocks.
	[ "$(du -k "/dev/shm/${P}z" | cut -f1)" -le 64 ]
	assert_equal "$(sed -n 3p out)" "06400000  68 65 6c 6c 6f 00 00 00  00 00 00 00 00 00 00 00  |hello...........|"
}

@test "dump --color=always colours bytes by kind; never and auto do not" {
	shm create "${P}d" 4
	shm write "${P}d" -x '00 41 0a ff'
	capture shm dump --color=always "${P}d"
	assert_equal "$status" 0
	[[ $output == *$'\e['* ]]
	# Without the escapes, the layout is that of the plain dump.
	assert_equal "$(printf '%s\n' "$output" | sed 's/\x1b\[[0-9;]*m//g')" "$(shm dump "${P}d")"
	run shm dump --color=never "${P}d"
	[[ $output != *$'\e['* ]]
	run shm dump --color=auto "${P}d"
	[[ $output != *$'\e['* ]]
	run shm dump --color "${P}d"
	[[ $output == *$'\e['* ]]
}

@test "dump --color=auto respects NO_COLOR on a terminal" {
	command -v script >/dev/null || skip "script is not installed"
	shm create "${P}d" 4
	NO_COLOR=1 script -qec "$SHM dump ${P}d" /dev/null > out
	! grep -q $'\e\\[' out
	script -qec "$SHM dump ${P}d" /dev/null > out
	grep -q $'\e\\[' out
}

@test "dump refuses bad options and ranges" {
	shm create "${P}d" 4
	capture shm dump --format od "${P}d"
	assert_fails 2 "shm: dump: --format 'od': not hexdump or xxd (see 'shm dump --help')"
	capture shm dump --color=sometimes "${P}d"
	assert_fails 2 "shm: dump: --color 'sometimes': not auto, always or never (see 'shm dump --help')"
	capture shm dump -o 5 "${P}d"
	assert_fails 2 "shm: dump: ${P}d: offset '5': beyond the end (size 4)"
	capture shm dump -n x "${P}d"
	assert_fails 2 "shm: dump: -n 'x': not a number (see 'shm dump --help')"
	capture shm dump "${P}none"
	assert_fails 2 "shm: dump: ${P}none: no such segment"
}

@test "dump works on a segment the user may only read" {
	shm create -m 444 "${P}d" 2
	assert_equal "$(shm dump "${P}d")" "00000000  00 00                                             |..|
00000002"
}

# dump_check.py builds runs of zero and repeated lines across the edges
# of the chunks that dump's two threads format in turn (small ones, set
# by SHM_DUMP_CHUNK, and the usual 128 KiB), and holes, and compares
# each way of dumping with hexdump -C, xxd -a and xxd.
dump_check() {
	need hexdump
	need xxd
	capture python3 "$BATS_TEST_DIRNAME/dump_check.py" \
	    "$SHM" "$P" "$1"
	assert_equal "$stderr" ""
	assert_equal "$output" ok
	assert_equal "$status" 0
}

@test "dump matches hexdump -C and xxd -a where runs meet chunk edges" {
	dump_check lines
}

@test "dump matches hexdump -C and xxd -a across holes and chunk edges" {
	dump_check holes
}

@test "dump matches hexdump -C and xxd -a at 128 KiB edges, odd sizes" {
	dump_check edges
}

@test "dump says once that it cannot write, and dies of SIGPIPE as before" {
	head -c 1M /dev/urandom > data
	load_bytes data
	capture bash -c 'SHM_DUMP_CHUNK=4096 "$SHM" dump -v \
	    "$1" > /dev/full' _ "${P}d"
	assert_fails 2 "shm: dump: standard output: No space left on device"
	capture bash -c 'SHM_DUMP_THREADS=1 "$SHM" dump \
	    --format xxd "$1" > /dev/full' _ "${P}d"
	assert_fails 2 "shm: dump: standard output: No space left on device"
	# Whichever thread's write finds the reader gone: killed, quietly.
	capture bash -c 'SHM_DUMP_CHUNK=4096 "$SHM" dump -v \
	    "$1" | head -c 100000 | wc -c; echo "${PIPESTATUS[0]}"' _ "${P}d"
	assert_equal "$stderr" ""
	assert_equal "$output" "100000
141"
}

# await_writer PID: until a thread of PID waits to write to a full pipe.
await_writer() {
	local i task wchan
	for ((i = 0; i < 2000; i++)); do
		for task in /proc/"$1"/task/*; do
			read -r wchan < "$task/wchan" || true
			[[ $wchan == *pipe_write* ]] && return 0
		done
		nap 0.01
	done
	echo "no thread of $1 waits to write" >&2
	return 1
}

@test "dump says once that the segment shrank under it, and stops" {
	head -c 4M /dev/urandom > data
	load_bytes data
	mkfifo fifo
	SHM_DUMP_CHUNK=4096 "$SHM" dump -v "${P}d" > fifo 2> err &
	local pid=$!
	exec 5< fifo
	await_writer "$pid"
	truncate -s 1M "/dev/shm/${P}d"
	# All of the first MiB, and nothing past it.
	assert_equal "$(wc -c <&5)" $((65536 * 79))
	exec 5<&-
	wait "$pid" || status=$?
	assert_equal "$status" 2
	assert_equal "$(cat err)" "shm: dump: ${P}d: segment shrank to 1048576 bytes while in use"
}
