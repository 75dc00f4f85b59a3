#!/usr/bin/env bats
# All or nothing, however a command ends: a stream stopped by any signal
# that would kill shm, by ulimit -f, or by a file system too full for
# its undo copy leaves every byte, hole and size as it was, says so in
# one line, and dies of the signal; only SIGKILL is let through.

load helpers

# signal_mid_stream SIG BYTES ARGS...: feeds BYTES random bytes into a
# FIFO that "shm ARGS -i fifo" reads, then sends SIG.  Once the feed is
# all in the pipe, shm has written all but a pipe's worth and waits for
# more: mid-stream, without a sleep.  $status is shm's, stderr in ./err.
# The FIFO is made once a test: each stream ends with both ends closed.
signal_mid_stream() {
	local sig=$1 bytes=$2 pid
	shift 2
	[ -p fifo ] || mkfifo fifo
	# A background job starts with INT and QUIT ignored: not this one.
	env --default-signal "$SHM" "$@" -i fifo 2>err &
	pid=$!
	open_fifo "$pid" fifo
	head -c "$bytes" /dev/urandom >&4
	kill -"$sig" "$pid"
	wait "$pid" && status=0 || status=$?
	exec 4>&-
}

# Holes stay holes: where there are holes to be had (not the portable
# build, which has no SEEK_DATA and writes zeros).
assert_blocks() {
	is_portable || assert_equal "$(blocks "$1")" "$2"
}

# signal_number SIG: kill -l's number for SIG into $signum, and its name
# by that number (IO for POLL, RTMIN+1...) into $signame.  One kill -l
# for a whole test: each $(kill -l) is a process of its own.
signal_number() {
	local -a w
	local i
	if [ "${#signal_numbers[@]}" = 0 ]; then
		declare -gA signal_numbers=() signal_names=()
		read -r -d '' -a w < <(kill -l) || true
		# " 1) SIGHUP	 2) SIGINT ...": a number, then its name.
		for ((i = 0; i + 1 < ${#w[@]}; i += 2)); do
			signal_numbers[${w[i + 1]#SIG}]=${w[i]%)}
			signal_names[${w[i]%)}]=${w[i + 1]#SIG}
		done
	fi
	signum=${signal_numbers[${1#SIG}]}
	signame=${signal_names[$signum]}
}

# The one line a stream stopped by SIG says, with whatever count read:
# stderr is that line and its newline, nothing more.
assert_stopped_by() {
	local signum signame err line
	signal_number "$1"
	assert_equal "$status" $((128 + signum))
	IFS= read -r -d '' err < err || true
	line=${err%$'\n'}
	assert_equal "$line"$'\n' "$err"
	[[ $line != *$'\n'* ]]
	if [[ $line =~ ^(.*reading\ )[0-9]+(\ bytes.*)$ ]]; then
		line=${BASH_REMATCH[1]}N${BASH_REMATCH[2]}
	fi
	# A real-time signal is named from the C library's SIGRTMIN, which
	# is 34 for glibc (as kill -l counts) but 35 for musl.
	if [[ $line =~ ^(.*SIGRT)(MIN|MAX)([+-][0-9]+)?(.*)$ ]]; then
		line=${BASH_REMATCH[1]}${BASH_REMATCH[4]}
	fi
	assert_equal "$line" \
		"shm: write: fifo: interrupted by SIG${signame/RT*/RT} after reading N bytes; nothing written"
}

# Every signal whose default ends the process, as kill -l names it
# (musl keeps glibc's SIGRTMIN, 34, for itself).
terminating_signals() {
	echo HUP INT QUIT PIPE ALRM TERM USR1 USR2 VTALRM PROF XCPU IO PWR \
		SYS SEGV ABRT FPE ILL TRAP RTMIN+1 RTMIN+3 RTMAX-2 RTMAX
}

# assert_fresh PATH: all zeros, 1 MiB of them, and all holes.
assert_fresh() {
	cmp -n 1048576 /dev/zero "$1"
	if is_portable; then
		assert_equal "$(stat -c %s "$1")" 1048576
	else
		assert_equal "$(stat -c '%s %b' "$1")" "1048576 0"
	fi
}

@test "a stream over a fresh segment's holes, stopped: holes stay holes" {
	shm create "${P}a" 1M
	capture bash -c 'yes | "$0" write "$1" -o 0' "$SHM" \
		"${P}a"
	assert_fails 2 "shm: write: ${P}a: more than 1048576 bytes at offset 0 do not fit in 1048576 bytes; nothing written (--grow extends it)"
	cmp <(head -c 1M /dev/zero) "/dev/shm/${P}a"
	assert_blocks "/dev/shm/${P}a" 0
}

@test "a stream from and to the middle of pages gives back whole holes" {
	# Data in one page at 1000000; holes around it; the stream starts
	# and would end part way into hole pages, which it allocates whole.
	shm create "${P}p" 3M
	head -c 100000 /dev/urandom | shm write "${P}p" -o 1000000
	cp "/dev/shm/${P}p" before
	local was
	was=$(blocks "/dev/shm/${P}p")
	capture bash -c 'head -c 4000000 /dev/urandom |
		"$0" write "$1" -o 700001' "$SHM" "${P}p"
	assert_fails 2 "shm: write: ${P}p: more than 2445727 bytes at offset 700001 do not fit in 3145728 bytes; nothing written (--grow extends it)"
	cmp before "/dev/shm/${P}p"
	assert_blocks "/dev/shm/${P}p" "$was"
}

@test "every terminating signal mid-stream over holes puts all back" {
	local sig
	# One segment for all: each signal must leave it as it was made.
	# shm has taken in all but the pipe's 64 KiB of the 512 KiB fed.
	shm create "${P}a" 1M
	for sig in $(terminating_signals); do
		signal_mid_stream "$sig" 512K write "${P}a" -o 0
		assert_stopped_by "$sig"
		assert_fresh "/dev/shm/${P}a"
	done
}

@test "a signal mid-stream over data and holes, at an offset, puts all back" {
	local sig was
	# One segment for all: each signal must leave it as it was made.
	make_mixed "${P}m"
	was=$(blocks "/dev/shm/${P}m")
	for sig in QUIT USR1 ALRM RTMIN+3 SEGV; do
		# From 2 MiB: data, the whole hole, then into the 'z's.
		signal_mid_stream "$sig" 6M write "${P}m" -o 2M
		assert_stopped_by "$sig"
		cmp before "/dev/shm/${P}m"
		assert_equal "$(blocks "/dev/shm/${P}m")" "$was"
	done
}

@test "a signal mid-stream with --grow or --append cuts the size back" {
	local sig was
	make_mixed "${P}m"
	was=$(blocks "/dev/shm/${P}m")
	for sig in USR2 XCPU; do
		# 4 MiB over the hole and the 'z's, then past the end.
		signal_mid_stream "$sig" 6M write "${P}m" -o 5M --grow
		assert_stopped_by "$sig"
		cmp before "/dev/shm/${P}m"
		assert_equal "$(blocks "/dev/shm/${P}m")" "$was"
		signal_mid_stream "$sig" 6M write "${P}m" --append
		assert_stopped_by "$sig"
		cmp before "/dev/shm/${P}m"
		assert_equal "$(blocks "/dev/shm/${P}m")" "$was"
	done
	# Into a fresh, empty object.
	shm create "${P}e" 0
	signal_mid_stream PROF 6M write "${P}e" --grow
	assert_stopped_by PROF
	assert_equal "$(stat -c %s "/dev/shm/${P}e")" 0
	assert_blocks "/dev/shm/${P}e" 0
}

@test "a signal ignored at start stays ignored: the stream goes in whole" {
	shm create "${P}a" 8M
	head -c 6M /dev/urandom > data
	rm -f fifo
	mkfifo fifo
	(trap '' USR1; exec "$SHM" write "${P}a" -o 0 -i fifo 2>err) &
	local pid=$!
	open_fifo "$pid" fifo
	head -c 3M data >&4
	kill -USR1 "$pid"
	tail -c +3145729 data >&4
	exec 4>&-
	wait "$pid"
	assert_equal "$(cat err)" ""
	cmp data <(head -c 6M "/dev/shm/${P}a")
}

@test "ulimit -f: write, resize and create fail with EFBIG, nothing changed" {
	shm create "${P}a" 512K
	shm write "${P}a" -o 0 -s hello
	cp "/dev/shm/${P}a" before
	head -c 3M /dev/urandom > big
	capture bash -c 'ulimit -f 1024
		head -c 3M /dev/urandom | "$0" write "$1" -o 0 --grow' \
		"$SHM" "${P}a"
	# Splice says no offset; a portable build's pwrite does.
	[ "$status" = 2 ]
	[[ $stderr =~ ^shm:\ write:\ ${P}a:\ (write\ failed\ at\ offset\ [0-9]+:\ )?File\ too\ large$ ]]
	cmp before "/dev/shm/${P}a"
	# A file of known length is refused before a byte goes in.
	capture bash -c 'ulimit -f 1024
		"$0" write "$1" -o 0 --grow -i big' "$SHM" "${P}a"
	[ "$status" = 2 ]
	[[ $stderr == "shm: write: ${P}a: "*"File too large" ]]
	cmp before "/dev/shm/${P}a"
	capture bash -c 'ulimit -f 1024
		"$0" resize "$1" 2M' "$SHM" "${P}a"
	assert_fails 2 "shm: resize: ${P}a: cannot resize to 2097152 bytes: File too large"
	cmp before "/dev/shm/${P}a"
	capture bash -c 'ulimit -f 1024
		"$0" create "$1" 2M' "$SHM" "${P}b"
	assert_fails 2 "shm: create: ${P}b: cannot resize to 2097152 bytes: File too large"
	[ ! -e "/dev/shm/${P}b" ]
	capture bash -c 'ulimit -f 1024
		"$0" create "$1" --from big' "$SHM" "${P}b"
	[ "$status" = 2 ]
	[[ $stderr == "shm: create: ${P}b: "*"File too large" ]]
	[ ! -e "/dev/shm/${P}b" ]
}

@test "the undo copy claims what the write overwrites, not its read-ahead" {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
	mkdir small
	# 8 MiB of data on 14 MiB: a copy of the 5 MiB overwritten fits in
	# the 6 MiB left; the keeper's 4 MiB ahead would not.
	capture unshare -m sh -c '
		mount -t tmpfs -o size=14m tmpfs small || exit 99
		head -c 8M /dev/urandom > small/seg
		head -c 5M /dev/urandom > data
		free=$(stat -f -c %f small)
		cat data | "$0" write small/seg -o 0 || exit $?
		cmp -s data small/seg -n 5242880 || exit 97
		[ "$(stat -f -c %f small)" = "$free" ] || exit 95' "$SHM"
	[ "$status" != 99 ] || skip "cannot mount tmpfs here"
	assert_fails 0 ""
}

@test "no room for the undo copy: the message names the copy and its size" {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
	mkdir small
	# 8 MiB of data on 10 MiB: a 5 MiB overwrite needs 5 MiB of copy.
	capture unshare -m sh -c '
		mount -t tmpfs -o size=10m tmpfs small || exit 99
		head -c 8M /dev/urandom > small/seg
		cp small/seg before
		free=$(stat -f -c %f small)
		head -c 5M /dev/urandom | "$0" write small/seg -o 0
		s=$?
		cmp -s before small/seg || exit 97
		[ "$(stat -f -c %f small)" = "$free" ] || exit 95
		exit $s' "$SHM"
	[ "$status" != 99 ] || skip "cannot mount tmpfs here"
	assert_equal "$status" 2
	[[ $stderr =~ ^shm:\ write:\ small/seg:\ no\ room\ to\ keep\ a\ copy\ of\ what\ this\ write\ overwrites:\ ([0-9]+)\ bytes\ or\ more\;\ nothing\ written$ ]]
	# More than the 1 MiB read first; one byte more than the 2 MiB free
	# at most: what was kept, and the next byte that found no room.
	echo "needed: ${BASH_REMATCH[1]}"
	((BASH_REMATCH[1] > 1048576 && BASH_REMATCH[1] <= 2097153))
}

@test "--progress that fails ends with its error, no progress line after" {
	head -c 3M /dev/urandom > data
	shm create "${P}a" 1
	capture "$SHM" create "${P}a" --from data --progress
	assert_equal "$status" 2
	assert_equal "${stderr##*$'\n'}" "shm: create: ${P}a: already exists (--force replaces it, --exist-ok keeps it)"
	capture "$SHM" write "${P}a" -i data --progress
	assert_equal "$status" 2
	assert_equal "${stderr##*[$'\n\r']}" "shm: write: ${P}a: 3145728 bytes at offset 0 do not fit in 1 bytes; nothing written (--grow extends it)"
	capture bash -c 'cat "$0" | "$1" write "$2" -o 0 \
		--progress' data "$SHM" "${P}a"
	assert_equal "$status" 2
	assert_equal "${stderr##*[$'\n\r']}" "shm: write: ${P}a: more than 1 bytes at offset 0 do not fit in 1 bytes; nothing written (--grow extends it)"
}

@test "resize, seek and move stopped while waiting for the lock change nothing" {
	shm create "${P}a" 8
	shm write "${P}a" -o 0 -s abcdefgh
	# A sibling holds the lock: one that ran us and sat on it would be
	# refused at once (shm-lock(1)), not waited for.
	"$SHM" lock "${P}a" sh -c 'touch held; until [ -e done ]; do
		sleep 0.05; done' &
	local holder=$! cmd pid i
	until [ -e held ]; do nap 0.01; done
	for cmd in "resize ${P}a 16" "seek ${P}a 4" "move ${P}a 0 4 4"; do
		# shellcheck disable=SC2086	# the words of cmd
		env --default-signal "$SHM" $cmd 2>>err & pid=$!
		# Waiting for the lock: blocked in flock.
		i=0
		until grep -q flock "/proc/$pid/wchan" 2>/dev/null ||
		    [ "$(cat "/proc/$pid/wchan" 2>/dev/null)" = \
		    locks_lock_inode_wait ] || [ $i -ge 100 ]; do
			nap 0.05; i=$((i + 1))
		done
		kill -USR1 $pid
		wait $pid && echo 0 >> status || echo $? >> status
	done
	touch done
	wait "$holder"
	assert_equal "$(cat status)" $'138\n138\n138'
	assert_equal "$(cat err)" "shm: resize: ${P}a: interrupted by SIGUSR1 while waiting for the lock; nothing changed
shm: seek: ${P}a: interrupted by SIGUSR1 while waiting for the lock; nothing changed
shm: move: ${P}a: interrupted by SIGUSR1 while waiting for the lock; nothing changed"
	assert_equal "$(shm read "${P}a" -o 0)" abcdefgh
	assert_equal "$(shm seek "${P}a")" 0
}
