#!/usr/bin/env bats
# shm create: new segments, zero-filled or from a file.

load helpers

@test "create makes a zero-filled object of SIZE bytes, mode 0600" {
	shm create "${P}a" 4K
	assert_equal "$(stat -c '%s %a' "/dev/shm/${P}a")" "4096 600"
	cmp "/dev/shm/${P}a" <(head -c 4096 /dev/zero)
}

@test "create accepts /NAME for the same object" {
	shm create "/${P}a" 10
	assert_equal "$(stat -c %s "/dev/shm/${P}a")" 10
}

@test "create -m sets the mode exactly, whatever the umask" {
	umask 077
	shm create -m 644 "${P}a" 1
	assert_equal "$(stat -c %a "/dev/shm/${P}a")" 644
	shm create --mode=0660 "${P}b" 1
	assert_equal "$(stat -c %a "/dev/shm/${P}b")" 660
}

@test "create refuses a bad mode" {
	capture shm create -m 8 "${P}a" 1
	assert_fails 2 "shm: create: -m '8': not an octal mode (see 'shm create --help')"
	capture shm create -m 17777 "${P}a" 1
	assert_fails 2 "shm: create: -m '17777': mode out of range (0 to 7777) (see 'shm create --help')"
	[ ! -e "/dev/shm/${P}a" ]
}

@test "create of an existing NAME fails and leaves it alone" {
	shm create "${P}a" 3
	shm write "${P}a" -s abc
	capture shm create "${P}a" 10
	assert_fails 2 "shm: create: ${P}a: already exists (--force replaces it, --exist-ok keeps it)"
	assert_equal "$(cat "/dev/shm/${P}a")" abc
	# Its temporary is gone: in a directory of our own, nothing is left.
	mkdir own
	shm create own/f 3
	capture shm create own/f 10 --from /dev/null
	assert_equal "$status" 2
	assert_equal "$(ls -A own)" "f"
}

@test "create --exist-ok keeps an existing NAME and succeeds" {
	shm create "${P}a" 3
	shm write "${P}a" -s abc
	shm create --exist-ok "${P}a" 10
	assert_equal "$(cat "/dev/shm/${P}a")" abc
	shm create --exist-ok "${P}b" 2
	assert_equal "$(stat -c %s "/dev/shm/${P}b")" 2
}

@test "create --force replaces an existing NAME" {
	shm create "${P}a" 3
	shm write "${P}a" -s abc
	shm create --force "${P}a" 5
	cmp "/dev/shm/${P}a" <(head -c 5 /dev/zero)
}

@test "create --force replaces atomically: a reader never sees it missing" {
	shm create "${P}a" --from <(printf 'old-%.0s' {1..1000})
	head -c 1000000 /dev/urandom > big
	(for i in 1 2 3 4 5 6 7 8 9 10; do shm create -f "${P}a" --from big; done) &
	local pid=$! seen=0
	while kill -0 "$pid" 2>/dev/null; do
		size=$(stat -c %s "/dev/shm/${P}a") || { echo "missing"; false; }
		[ "$size" = 4000 ] || [ "$size" = 1000000 ] || { echo "size $size"; false; }
		seen=$((seen + 1))
	done
	wait "$pid"
	cmp big "/dev/shm/${P}a"
}

@test "create --from FILE copies the file and sizes the segment to it" {
	head -c 100000 /dev/urandom > data
	shm create "${P}a" --from data
	cmp data "/dev/shm/${P}a"
}

@test "create --from FILE with a larger SIZE pads with zeros" {
	printf 'abc' > data
	shm create "${P}a" 6 --from data
	cmp "/dev/shm/${P}a" <(printf 'abc\0\0\0')
}

@test "create --from FILE larger than SIZE fails and creates nothing" {
	printf 'abcdef' > data
	capture shm create "${P}a" 4 --from data
	assert_fails 2 "shm: create: ${P}a: data has 6 bytes, more than SIZE (4); nothing created"
	[ ! -e "/dev/shm/${P}a" ]
}

@test "create --from - reads a pipe" {
	head -c 300000 /dev/urandom > data
	cat data | shm create "${P}a" --from -
	cmp data "/dev/shm/${P}a"
}

@test "create --from - reads a redirected file from its current offset" {
	printf '0123456789' > data
	(head -c 4 >/dev/null; shm create "${P}a" --from -) < data
	assert_equal "$(cat "/dev/shm/${P}a")" 456789
}

@test "create --from a pipe with SIZE pads, and refuses more than SIZE" {
	printf 'xy' | shm create "${P}a" 4 --from -
	cmp "/dev/shm/${P}a" <(printf 'xy\0\0')
	capture bash -c 'printf 12345 | "$SHM" create "$1" 4 --from -' _ "${P}b"
	assert_fails 2 "shm: create: ${P}b: standard input has more than SIZE (4 bytes); nothing created"
	[ ! -e "/dev/shm/${P}b" ]
}

@test "create --from a missing file fails and creates nothing" {
	capture shm create "${P}a" --from nonexistent
	assert_fails 2 "shm: create: nonexistent: No such file or directory"
	[ ! -e "/dev/shm/${P}a" ]
}

@test "create --from a directory fails" {
	mkdir d
	capture shm create "${P}a" --from d
	assert_fails 2 "shm: create: d: is a directory"
}

@test "create makes an empty segment" {
	shm create "${P}a" 0
	assert_equal "$(stat -c %s "/dev/shm/${P}a")" 0
	run shm read "${P}a"
	assert_equal "$status" 0
	assert_equal "$output" ""
}

@test "create makes a file when NAME is a path" {
	shm create ./seg.bin 1K
	assert_equal "$(stat -c '%s %a' seg.bin)" "1024 600"
	mkdir sub
	shm create sub/../file3 3
	[ -f file3 ]
}

@test "create in a missing directory fails" {
	capture shm create nodir/x 1
	assert_fails 2 "shm: create: nodir/x: No such file or directory"
}

@test "create needs NAME and SIZE" {
	capture shm create
	assert_fails 2 "shm: create: missing NAME (see 'shm create --help')"
	capture shm create "${P}a"
	assert_fails 2 "shm: create: missing SIZE (see 'shm create --help')"
	capture shm create "${P}a" 1 2
	assert_fails 2 "shm: create: too many arguments (see 'shm create --help')"
}

@test "create refuses malformed and overflowing sizes" {
	capture shm create "${P}a" 12x
	assert_fails 2 "shm: create: SIZE '12x': not a number (see 'shm create --help')"
	capture shm create "${P}a" 99999999999999999999
	assert_fails 2 "shm: create: SIZE '99999999999999999999': number too large (see 'shm create --help')"
	capture shm create "${P}a" 9E
	assert_fails 2 "shm: create: SIZE '9E': number too large (see 'shm create --help')"
	capture shm create "${P}a" -5
	assert_fails 2 "shm: create: SIZE '-5': not a number (see 'shm create --help')"
	[ ! -e "/dev/shm/${P}a" ]
}

@test "create takes dd's size suffixes" {
	local s
	for s in 1K:1024 1KiB:1024 1KB:1000 1kB:1000 2M:2097152 1MB:1000000 0x10:16 3c:3; do
		shm create -f "${P}a" "${s%%:*}"
		assert_equal "$(stat -c %s "/dev/shm/${P}a")" "${s##*:}"
	done
}

@test "create of a sparse 20 GiB object is instant" {
	shm create "${P}a" 20G
	assert_equal "$(stat -c %s "/dev/shm/${P}a")" 21474836480
	shm write "${P}a" -o 10G -s needle
	assert_equal "$(shm read "${P}a" -o 10G -n 6)" needle
}

# Starts a create from a slow pipe into own/ and waits until it is
# filling its new file (unnamed: an fd on own/#INODE (deleted)).
start_slow_create() {
	# A feeder that never ends, stopped by stop_feeder: a pipeline's
	# sleep would hold the test up after shm was killed.
	rm -f feed && mkfifo feed
	sleep 30 > feed &
	feeder=$!
	# --default-signal: a background job would start with SIGINT ignored.
	env --default-signal=INT "$@" "$SHM" create own/seg --from - < feed &
	pid=$!
	local i
	for i in $(seq 100); do
		ls -l /proc/$pid/fd 2>/dev/null | grep -q "$PWD/own/" && return
		nap 0.05
	done
	return 1
}

@test "a create killed by any signal, SIGKILL too, leaves nothing" {
	skip_if_portable "no O_TMPFILE: a SIGKILL leaves the named temporary"
	mkdir own
	for sig in TERM INT HUP KILL; do
		start_slow_create
		# Nothing is visible while it fills: the file has no name yet.
		assert_equal "$(ls -A own)" ""
		kill -"$sig" "$pid"
		wait "$pid" || true
		kill "$feeder"; wait "$feeder" || true
		assert_equal "$(ls -A own)" ""
	done
}

@test "without O_TMPFILE, an interrupted create removes its temporary" {
	skip_if_static
	local shim="$BATS_TEST_TMPDIR/notmpfile.so"
	cc -shared -fPIC -o "$shim" "$BATS_TEST_DIRNAME/shim/notmpfile.c" -ldl ||
		skip "no C compiler to build the shim"
	mkdir own
	for sig in TERM INT HUP; do
		start_slow_create LD_PRELOAD="$shim" \
			ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
		[[ "$(ls -A own)" == .shm-create-* ]]
		kill -"$sig" "$pid"
		wait "$pid" || true
		kill "$feeder"; wait "$feeder" || true
		assert_equal "$(ls -A own)" ""
	done
	# And it still creates.
	echo hi | env LD_PRELOAD="$shim" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$SHM" create own/seg --from -
	assert_equal "$(ls -A own)" seg
	assert_equal "$(cat own/seg)" hi
}
