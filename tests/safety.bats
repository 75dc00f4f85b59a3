#!/usr/bin/env bats
# Data safety against a hostile caller, target or timing: each test is
# a class of failure, tried on several instances.

load helpers

# Runs shm with the redirections $1 names ("<&-", ">&- 2>&-", ">> F"),
# made in a shell of its own: made around bats' own run, they would
# meet its capture pipe (which takes a freed number, or replaces >>).
run_redirected() {
	local redir=$1; shift
	capture sh -c "exec \"\$@\" $redir" sh "$SHM" "$@"
}

@test "closed fd 2: an error message never lands in the segment" {
	shm create "${P}a" 16
	run_redirected "2>&-" write "${P}a" -o 0 -s 'more than fits in here'
	assert_equal "$status" 2
	cmp "/dev/shm/${P}a" <(head -c 16 /dev/zero)
	# On success too: --progress's line goes nowhere, not into the data.
	run_redirected "2>&-" write "${P}a" -o 0 -s hello --progress
	assert_equal "$status" 0
	assert_equal "$(shm read "${P}a" -o 0 -n 5)" hello
	assert_equal "$(stat -c %s "/dev/shm/${P}a")" 16
	run_redirected "2>&-" create "${P}b" 1x
	assert_equal "$status" 2
	[ ! -e "/dev/shm/${P}b" ]
}

@test "closed fd 0: standard input is a bad descriptor, never a segment" {
	shm create "${P}a" 4
	run_redirected "<&-" write --grow "${P}a"
	assert_fails 2 "shm: write: standard input: Bad file descriptor"
	run_redirected "<&-" write "${P}a" -i -
	assert_fails 2 "shm: write: standard input: Bad file descriptor"
	run_redirected "<&-" create "${P}b" --from -
	assert_fails 2 "shm: create: standard input: Bad file descriptor"
	[ ! -e "/dev/shm/${P}b" ]
	cmp "/dev/shm/${P}a" <(head -c 4 /dev/zero)
}

@test "closed fd 1: output fails with a message, the cursor stays" {
	shm create "${P}a" 8
	shm write "${P}a" -o 0 -s abcdefgh
	run_redirected ">&-" read "${P}a" -n 3
	assert_fails 2 "shm: read: standard output: Bad file descriptor"
	run_redirected ">&-" seek "${P}a" 5
	assert_fails 2 "shm: seek: standard output: Bad file descriptor"
	run_redirected ">&-" read "${P}a" --as 3s
	assert_fails 2 "shm: read: standard output: Bad file descriptor"
	assert_equal "$(shm seek "${P}a")" 0
	# All three closed at once.
	run_redirected "<&- >&- 2>&-" write "${P}a" -o 0 -s XY
	assert_equal "$status" 0
	assert_equal "$(shm read "${P}a" -o 0)" XYcdefgh
}

@test "rm refuses what is not a regular file, and removes a symlink itself" {
	mkdir d
	mkfifo fifo
	python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("sock")'
	for t in ./fifo:FIFO ./sock:socket /dev/null:"character device" \
	    /dev/zero:"character device"; do
		capture "$SHM" rm "${t%%:*}"
		assert_fails 2 "shm: rm: ${t%%:*}: is a ${t#*:}, not a segment"
		t=${t%%:*}
		[ -e "$t" ]
	done
	capture "$SHM" rm -f ./d
	assert_fails 2 "shm: rm: ./d: is a directory, not a segment"
	[ -c /dev/null ]
	# A symlink goes; the file it points to stays, and keeps its cursor.
	printf 0123456789 > f
	ln -s f link
	shm seek ./f 4 >/dev/null
	shm rm ./link
	[ ! -L link ] && [ -f f ]
	assert_equal "$(shm seek ./f)" 4
	shm write ./f -s X
	assert_equal "$(cat f)" 0123X56789
}

@test "rm of one hard link keeps the file's cursor for the others" {
	skip_if_portable "the ctime, its only identity there, changes with the link count"
	printf 0123456789 > f
	ln f g
	shm seek ./f 6 >/dev/null
	shm rm ./g
	assert_equal "$(shm seek ./f)" 6
	shm rm ./f
	printf abc > f
	assert_equal "$(shm seek ./f)" 0
}

@test "rm of an object that is a FIFO or symlink in /dev/shm" {
	mkfifo "/dev/shm/${P}fifo"
	ln -s /dev/null "/dev/shm/${P}link"
	capture "$SHM" rm "${P}fifo"
	assert_fails 2 "shm: rm: ${P}fifo: is a FIFO, not a segment"
	[ -p "/dev/shm/${P}fifo" ]
	capture "$SHM" read "${P}link"
	assert_fails 2 "shm: read: ${P}link: is a symbolic link, not a segment"
	shm rm "${P}link"
	[ ! -L "/dev/shm/${P}link" ] && [ -c /dev/null ]
}

@test "create --force replaces only a segment" {
	mkfifo fifo
	mkdir d
	ln -s f link
	printf data > f
	for t in ./fifo ./link /dev/null; do
		capture "$SHM" create --force "$t" 4
		assert_equal "$status" 2
	done
	assert_equal "$stderr" "shm: create: /dev/null: is a character device, not a segment"
	[ -p fifo ] && [ -L link ] && [ -c /dev/null ]
	assert_equal "$(cat f)" data
	capture "$SHM" create --force ./link 4
	assert_fails 2 "shm: create: ./link: is a symbolic link, not a segment"
	capture "$SHM" create --force ./d 4
	assert_fails 2 "shm: create: ./d: is a directory, not a segment"
	mkfifo "/dev/shm/${P}fifo"
	capture "$SHM" create --force "${P}fifo" 4
	assert_fails 2 "shm: create: ${P}fifo: is a FIFO, not a segment"
	[ -p "/dev/shm/${P}fifo" ]
	# No temporary is left where it was refused.
	assert_equal "$(ls -A /dev/shm | grep -c '^\.shm-create-')" 0
}

@test "every command refuses a device, a FIFO and a directory" {
	mkfifo fifo
	mkdir d
	for t in /dev/zero ./fifo; do
		kind=FIFO
		[ "$t" = /dev/zero ] && kind="character device"
		for cmd in "read $t" "write $t -s x" "seek $t" "find $t x" \
		    "flush $t" "resize $t 1" "move $t 0 0 0" "dump $t" \
		    "stat $t" "read $t --as B" "write $t --as B 1"; do
			capture timeout 10 "$SHM" $cmd
			assert_fails 2 "shm: ${cmd%% *}: $t: is a $kind, not a segment"
		done
	done
}

@test "a segment is never its own source or sink" {
	shm create "${P}a" 8192
	shm write "${P}a" -o 0 -s 'precious data'
	cp "/dev/shm/${P}a" before
	capture "$SHM" read "${P}a" -O "/dev/shm/${P}a"
	assert_fails 2 "shm: read: ${P}a: /dev/shm/${P}a and the segment are the same file; nothing copied ('shm move' copies within a segment)"
	capture "$SHM" write --grow "${P}a" -o 4096 -i "/dev/shm/${P}a"
	assert_fails 2 "shm: write: ${P}a: /dev/shm/${P}a and the segment are the same file; nothing copied ('shm move' copies within a segment)"
	capture "$SHM" write --grow "${P}a" < "/dev/shm/${P}a"
	assert_fails 2 "shm: write: ${P}a: standard input and the segment are the same file; nothing copied ('shm move' copies within a segment)"
	run_redirected ">> /dev/shm/${P}a" read "${P}a" -o 0
	assert_fails 2 "shm: read: ${P}a: standard output and the segment are the same file; nothing copied ('shm move' copies within a segment)"
	run_redirected ">> /dev/shm/${P}a" dump "${P}a"
	assert_equal "$status" 2
	run_redirected "> /dev/shm/${P}a" read --as 4s "${P}a" -o 0
	assert_equal "$status" 2
	printf 'precious data' | dd of="/dev/shm/${P}a" conv=notrunc status=none
	truncate -s 8192 "/dev/shm/${P}a"
	# Through another name: a hard link, a symlink, /a.
	ln "/dev/shm/${P}a" "/dev/shm/${P}hard"
	ln -s "/dev/shm/${P}a" soft
	for other in "/dev/shm/${P}hard" ./soft; do
		capture "$SHM" read "/${P}a" -O "$other"
		assert_equal "$status" 2
		capture "$SHM" write "${P}a" -o 0 -i "$other"
		assert_equal "$status" 2
	done
	cmp before "/dev/shm/${P}a"
	# A copy into another file is fine.
	shm read "${P}a" -o 0 -n 13 -O out
	assert_equal "$(cat out)" 'precious data'
}

@test "create --exist-ok keeps only a regular file of the caller's" {
	ln -s /dev/null "/dev/shm/${P}link"
	capture "$SHM" create --exist-ok "${P}link" 16
	assert_fails 2 "shm: create: ${P}link: is a symbolic link, not a segment"
	mkfifo "/dev/shm/${P}fifo"
	capture "$SHM" create --exist-ok "${P}fifo" 16
	assert_fails 2 "shm: create: ${P}fifo: is a FIFO, not a segment"
	shm create -m 666 "${P}wide" 16
	capture "$SHM" create --exist-ok "${P}wide" 16
	assert_fails 2 "shm: create: ${P}wide: exists with mode 0666, more than 0600 allows; not kept"
	capture "$SHM" create --exist-ok -m 660 "${P}wide" 16
	assert_fails 2 "shm: create: ${P}wide: exists with mode 0666, more than 0660 allows; not kept"
	shm create --exist-ok -m 666 "${P}wide" 16
	shm create -m 400 "${P}narrow" 16
	shm create --exist-ok "${P}narrow" 99
	assert_equal "$(stat -c %s "/dev/shm/${P}narrow")" 16
}

@test "parallel create --exist-ok of one name all succeed" {
	local i j pids n=$((8 * SCALE)) want=
	for ((i = 1; i <= n; i++)); do
		pids=()
		for j in 1 2 3; do
			"$SHM" create --exist-ok "${P}r$i" 4096 & pids+=($!)
		done
		for j in "${pids[@]}"; do wait "$j"; done
	done
	# One stat for all: each is a process.
	for ((i = 1; i <= n; i++)); do want+=$'4096\n'; done
	assert_equal "$(stat -c %s "/dev/shm/${P}r"*)" "${want%$'\n'}"
}

@test "-m refuses setuid, setgid and sticky bits" {
	for m in 4755 2700 1600 7777; do
		capture "$SHM" create -m "$m" "${P}a" 1
		assert_fails 2 "shm: create: -m '$m': setuid, setgid and sticky bits are not for segments (see 'shm create --help')"
	done
	[ ! -e "/dev/shm/${P}a" ]
}

# Builds the shim tests/shim/$1.c once per test; skips without cc.
shim() {
	skip_if_static
	local so="$BATS_TEST_TMPDIR/$1.so"
	[ -f "$so" ] || cc -shared -fPIC -o "$so" "$BATS_TEST_DIRNAME/shim/$1.c" \
		-ldl 2>/dev/null || skip "no C compiler to build the shim"
	SHIM_SO=$so
}

# Runs shm under the shim built last; ASan wants its runtime first.
run_shim() {
	capture env LD_PRELOAD="$SHIM_SO" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$SHM" "$@"
}

@test "a write whose cursor cannot be saved changes no byte" {
	shm create "${P}a" 8
	shm write "${P}a" -o 0 -s abcdefgh
	printf x > notadir
	for dir in "$PWD/no/such/dir" "$PWD/notadir" "$PWD/notadir/sub"; do
		for cmd in "write ${P}a -s XY" "write ${P}a --as <H 7" \
		    "read ${P}a -n 2" "read ${P}a --as B"; do
			SHM_STATE_DIR=$dir capture "$SHM" $cmd
			assert_equal "$status" 2
			assert_equal "${#lines[@]}" 0
		done
	done
	assert_equal "$(shm read "${P}a" -o 0)" abcdefgh
}

@test "a full state directory fails the write before any data byte" {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
	shm create "${P}a" 8
	shm write "${P}a" -o 0 -s abcdefgh
	mkdir full
	capture unshare -m sh -c '
		mount -t tmpfs -o size=4k,mode=700 tmpfs full || exit 99
		head -c 4096 /dev/zero > full/filler 2>/dev/null
		SHM_STATE_DIR=$PWD/full "$0" write "$1" -s XY' "$SHM" "${P}a"
	[ "$status" != 99 ] || skip "cannot mount tmpfs here"
	assert_equal "$status" 2
	assert_equal "$stderr" "shm: write: ${P}a: cannot save the cursor: No space left on device"
	assert_equal "$(shm read "${P}a" -o 0)" abcdefgh
}

@test "write --as on a full file system writes none of its values" {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
	mkdir small
	capture unshare -m sh -c '
		mount -t tmpfs -o size=64k tmpfs small || exit 99
		truncate -s 1M small/seg
		head -c 65536 /dev/zero > small/filler 2>/dev/null
		"$0" write ./small/seg -o 0 --as "<8192Q" $(seq 8192) ||
			{ s=$?; cmp -s small/seg /dev/zero -n 1048576 && exit $s; }
		exit 98' "$SHM"
	[ "$status" != 99 ] || skip "cannot mount tmpfs here"
	assert_equal "$status" 2
	assert_equal "$stderr" "shm: write: ./small/seg: No space left on device"
}

# Runs shm with the arguments given and prints its peak RSS in KiB
# (ru_maxrss); its status is shm's.  Not ulimit -v: ASan's shadow
# memory alone is more than any bound on address space worth setting.
peak_rss() {
	python3 -c '
import resource, subprocess, sys
rc = subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$SHM" "$@"
}

@test "write --as checks that the format fits before allocating for it" {
	shm create "${P}a" 16
	# 2 GB of pad bytes on 16: refused at once, in little memory.
	capture "$SHM" write "${P}a" -o 0 --as 2000000000x
	assert_fails 2 "shm: write: ${P}a: format '2000000000x' of size 2000000000 does not fit at offset 0 (16 bytes left)"
	run peak_rss write "${P}a" -o 0 --as 2000000000x
	assert_equal "$status" 2
	[ "$output" -lt 300000 ]
	run peak_rss read "${P}a" -o 0 --as 2000000000x
	assert_equal "$status" 2
	[ "$output" -lt 300000 ]
}

@test "create --from an endless stream with SIZE stops after SIZE+1 bytes" {
	capture timeout 20 "$SHM" create "${P}a" 1M --from /dev/zero
	assert_fails 2 "shm: create: ${P}a: /dev/zero has more than SIZE (1048576 bytes); nothing created"
	capture timeout 20 bash -c 'yes | "$0" create "$1" 4K --from -' "$SHM" "${P}b"
	assert_fails 2 "shm: create: ${P}b: standard input has more than SIZE (4096 bytes); nothing created"
	[ ! -e "/dev/shm/${P}a" ] && [ ! -e "/dev/shm/${P}b" ]
	# Exactly SIZE bytes is fine.
	head -c 4096 /dev/zero | shm create "${P}c" 4K --from -
	assert_equal "$(stat -c %s "/dev/shm/${P}c")" 4096
}

@test "a source that shrinks during write --grow leaves the old size" {
	skip_if_portable "the shim strikes sendfile and copy_file_range, never called"
	shim truncate
	shm create "${P}a" 16
	shm write "${P}a" -o 0 -s 0123456789abcdef
	head -c 1048576 /dev/urandom > orig
	local struck=0
	for call in sendfile copy_file_range; do
		for from in ./src "/dev/shm/${P}src"; do
			cp orig "$from"
			SHIM_AFTER=$call SHIM_SIZE=1000 run_shim write --grow "${P}a" -o 8 -i "$from"
			[ "$status" = 2 ] || [ "$status" = 0 ]
			# The shim strikes only the copy method used.
			if [ "$status" = 2 ]; then
				assert_equal "$stderr" "shm: write: $from: shrank while being copied (1000 of 1048576 bytes)"
				assert_equal "$(stat -c %s "/dev/shm/${P}a")" 16
				struck=$((struck + 1))
			else
				shm resize --shrink "${P}a" 16
			fi
		done
	done
	rm -f "/dev/shm/${P}src"
	[ "$struck" -ge 2 ]
	assert_equal "$(shm read "${P}a" -o 0 -n 8)" 01234567
	assert_equal "$(stat -c %s "/dev/shm/${P}a")" 16
}

@test "output that cannot be written moves no cursor" {
	shm create "${P}a" 16
	shm write "${P}a" -o 0 -s 'find me here'
	for cmd in "seek ${P}a 5" "seek ${P}a +3" "find ${P}a here --seek" \
	    "read ${P}a --as <I" "read ${P}a -n 4"; do
		capture "$SHM" $cmd '>/dev/full'
		capture sh -c 'exec "$@" > /dev/full' sh "$SHM" $cmd
		assert_fails 2 "shm: ${cmd%% *}: standard output: No space left on device"
		assert_equal "$(shm seek "${P}a")" 0
	done
}

@test "a pipe read before the lock is read on when the segment grew" {
	shm create "${P}a" 4
	# Hold the lock while shm waits for it, and grow the segment; from
	# a process that does not run shm, which never waits for its own
	# parent's lock.
	flock "/dev/shm/${P}a" bash -c 'touch held.a; until_lock_waited "$0"
		truncate -s 16 "$0"' "/dev/shm/${P}a" &
	while [ ! -e held.a ]; do nap 0.05; done
	printf 0123456789 | "$SHM" write "${P}a" -o 0
	wait
	cmp "/dev/shm/${P}a" <(printf '0123456789\0\0\0\0\0\0')
	# Grown, but not enough: all of it still fails, none is written.
	shm create -f "${P}b" 4
	flock "/dev/shm/${P}b" bash -c 'touch held.b; until_lock_waited "$0"
		truncate -s 8 "$0"' "/dev/shm/${P}b" &
	while [ ! -e held.b ]; do nap 0.05; done
	capture sh -c 'printf 0123456789 | "$0" write "$1" -o 0' \
		"$SHM" "${P}b"
	wait
	cmp "/dev/shm/${P}b" <(head -c 8 /dev/zero)
	assert_fails 2 "shm: write: ${P}b: more than 8 bytes at offset 0 do not fit in 8 bytes; nothing written (--grow extends it)"
}

@test "files whose size the kernel gets wrong are copied whole" {
	skip_if_portable "pseudo-file systems are told apart by Linux's statfs magic"
	for f in /proc/version /proc/self/status /sys/kernel/mm/transparent_hugepage/enabled /proc/sys/kernel/ostype; do
		[ -r "$f" ] || continue
		shm create -f "${P}a" --from "$f"
		# /proc/self/status is our own: compare the stable first line.
		if [ "$f" = /proc/self/status ]; then
			[ "$(stat -c %s "/dev/shm/${P}a")" -gt 100 ]
			continue
		fi
		cmp "/dev/shm/${P}a" "$f"
		shm create -f "${P}b" 4096
		shm write "${P}b" -o 0 -i "$f"
		assert_equal "$(shm read "${P}b" -o 0 -n "$(wc -c < "$f")")" "$(cat "$f")"
	done
}

@test "seek '' is an error and --string= is an empty string" {
	shm create "${P}a" 8
	shm seek "${P}a" 3 >/dev/null
	capture "$SHM" seek "${P}a" ''
	assert_fails 2 "shm: seek: ${P}a: position '': not a number"
	assert_equal "$(shm seek "${P}a")" 3
	# --string= takes nothing, not the next word: NAME stays NAME.
	shm write --string= "${P}a"
	assert_equal "$(shm seek "${P}a")" 3
	capture "$SHM" write -o 0 --input= "${P}a"
	assert_fails 2 "shm: write: '': empty file name"
	capture "$SHM" read --length= "${P}a"
	assert_fails 2 "shm: read: -n '': not a number (see 'shm read --help')"
}

@test "-x takes any white space and names a bad digit by its place" {
	head -c 300 /dev/urandom > data
	shm create "${P}a" 300
	shm write "${P}a" -o 0 -x "$(xxd -p data)"
	cmp data "/dev/shm/${P}a"
	shm write "${P}a" -o 0 -x $'de\tad\r\nbe  ef\v00'
	assert_equal "$(shm read "${P}a" -o 0 -n 5 | xxd -p)" deadbeef00
	local hex
	hex=$(xxd -p data)
	capture "$SHM" write "${P}a" -x "${hex}zz"
	assert_fails 2 "shm: write: -x: 'z' at character $(( ${#hex} + 1 )) is not a hex digit (see 'shm write --help')"
	capture "$SHM" find "${P}a" -x $'de\x1bad'
	assert_fails 2 "shm: find: PATTERN: '\\x1b' at character 3 is not a hex digit (see 'shm find --help')"
	capture "$SHM" find -r -a "${P}a" x
	assert_fails 2 "shm: find: -r and -a exclude each other (see 'shm find --help')"
}

@test "a hostile name forges no line and no row" {
	local evil=$'x\ny\tz\e[31m'
	capture "$SHM" read "${P}$evil"
	assert_fails 2 "shm: read: ${P}x\\ny\\tz\\x1b[31m: no such segment"
	shm create "${P}$evil" 3
	shm create "${P}é" 2
	assert_equal "$(shm list | grep -c "^$P")" 2
	assert_equal "$(shm list | grep "^$P" | cut -f1)" "${P}x\\ny\\tz\\x1b[31m
${P}é"
	assert_equal "$(shm stat -f name "${P}$evil")" "${P}x\\ny\\tz\\x1b[31m"
	shm list --json | python3 -c '
import json, sys
names = [o["name"] for o in json.load(sys.stdin) if o["name"].startswith(sys.argv[1])]
assert names == [sys.argv[1] + "x\ny\tz\x1b[31m", sys.argv[1] + "\u00e9"], names' "$P"
	shm rm "${P}$evil" "${P}é"
}

@test "--progress counts pipe input once and ends its line before an error" {
	printf abc | shm create "${P}a" --from - --progress 2>err
	assert_equal "$(tr '\r' '\n' < err | grep -c bytes)" 1
	[[ "$(cat err)" == $'\r'"3 bytes "* ]]
	printf abc | shm write "${P}a" -o 0 --progress 2>err
	[[ "$(cat err)" == $'\r'"3 bytes "* ]]
	# Interrupted after the line is drawn: the message starts a line.
	# The line comes a second after the start, with the next bytes.
	(printf abc; sleep 1.2; printf def; until [ -e done ]; do
		sleep 0.05; done) |
		"$SHM" create "${P}b" --from - --progress 2>err &
	local pid=$! i
	for ((i = 0; i < 500; i++)); do
		[[ "$(< err)" != *"6 bytes"* ]] || break
		nap 0.02
	done
	kill -TERM "$pid"
	# wait waits for the whole pipeline: the producer ends on done.
	touch done
	wait "$pid" || true
	assert_equal "$(tail -n 1 err)" "shm: create: ${P}b: interrupted by SIGTERM after 6 bytes"
	[[ "$(head -n 1 err)" == $'\r'"6 bytes "*"copied"* ]]
	[ ! -e "/dev/shm/${P}b" ]
}

@test "a new file on a reused inode does not inherit the cursor (no birth time)" {
	skip_if_portable "no generation ioctl: a new file on the inode within the ctime granularity looks the same"
	[ "$(id -u)" = 0 ] || skip "needs root to mount an ext4 image"
	command -v mkfs.ext4 >/dev/null || skip "no mkfs.ext4"
	truncate -s 8M img
	mkfs.ext4 -q -I 128 -F img >/dev/null 2>&1 || skip "mkfs.ext4 failed"
	mkdir mnt
	# ext4 with 128-byte inodes keeps no birth time: the generation tells.
	capture unshare -m sh -c '
		mount -o loop img mnt 2>/dev/null || exit 99
		printf 0123456789 > mnt/f
		ino=$(stat -c %i mnt/f)
		"$0" seek ./mnt/f 7 >/dev/null
		rm mnt/f
		printf abcdefghij > mnt/g
		[ "$(stat -c %i mnt/g)" = "$ino" ] || exit 98
		"$0" stat -f born,cursor ./mnt/g' "$SHM"
	[ "$status" != 99 ] || skip "cannot mount a loop device here"
	[ "$status" != 98 ] || skip "the inode was not reused"
	assert_equal "$status" 0
	assert_equal "$output" "
0"
}

@test "without birth time or generation, shm's own changes keep every cursor" {
	shim noident
	printf 0123456789 > f
	run_shim seek ./f 4
	run_shim seek --cursor r ./f 2
	# Each changes the ctime, the only identity here, under the lock:
	# the records follow, as the file is the one they were saved for.
	run_shim write ./f -o 0 -s Q
	assert_equal "$status" 0
	run_shim write ./f -o 0 --as '<B' 82
	assert_equal "$status" 0
	run_shim move ./f 8 0 1
	assert_equal "$status" 0
	run_shim resize ./f +2
	assert_equal "$status" 0
	assert_equal "$(cat f)" "R1234567R9"$'\0\0'
	run_shim seek ./f
	assert_equal "$output" 4
	run_shim seek --cursor r ./f
	assert_equal "$output" 2
}

@test "without birth time or generation, a changed file's cursor is refused" {
	shim noident
	printf 0123456789 > f
	run_shim seek ./f 4
	assert_equal "$output" 4
	run_shim write ./f -s X
	assert_equal "$status" 0
	assert_equal "$(cat f)" 0123X56789
	run_shim seek ./f
	assert_equal "$output" 5
	# Changed behind shm's back: perhaps another file on the inode.
	python3 -c 'import os; f = os.open("f", os.O_WRONLY); os.pwrite(f, b"Y", 9)'
	run_shim write ./f -s Z
	assert_fails 2 "shm: write: ./f: cursor not trusted: the file changed since it was saved, and its file system keeps no birth time or generation to tell whether it is the same file; 'shm seek NAME POS' sets it"
	assert_equal "$(cat f)" 0123X5678Y
	run_shim seek ./f 6
	assert_equal "$output" 6
	run_shim write ./f -s Z
	assert_equal "$(cat f)" 0123X5Z78Y
}

@test "HUP, INT and TERM during a write stop it with a message and the signal" {
	shm create "${P}a" 8
	shm write "${P}a" -o 0 -s abcdefgh
	local sig want
	for sig in HUP INT TERM; do
		# Reading a stream, before any byte is written.
		interrupt_fifo_write "$sig" "printf 12" write "${P}a" -o 0
		assert_equal "$status" $((128 + $(kill -l "$sig")))
		assert_equal "$(cat err)" "shm: write: fifo$sig: interrupted by SIG$sig after reading 2 bytes; nothing written"
	done
	# Waiting for the lock, which a process that does not run shm holds.
	flock "/dev/shm/${P}a" sh -c 'touch held
		until [ -e done ]; do sleep 0.05; done' &
	while [ ! -e held ]; do nap 0.05; done
	env --default-signal=INT "$SHM" write "${P}a" -o 0 -s XY 2>err &
	local pid=$! i
	for ((i = 0; i < 200; i++)); do
		grep -q -- "-> FLOCK .* $pid " /proc/locks && break
		nap 0.05
	done
	kill -INT "$pid"
	wait "$pid" || echo $? > status
	touch done
	wait
	assert_equal "$(cat status)" 130
	assert_equal "$(cat err)" "shm: write: ${P}a: interrupted by SIGINT while waiting for the lock; nothing changed"
	assert_equal "$(shm read "${P}a" -o 0)" abcdefgh
	# Ignored on entry (as by 'cmd &' in a script): still ignored.
	(trap '' INT; "$SHM" write "${P}a" -o 0 -i fifoINT 2>err & echo $! > pid; wait) &
	until [ -s pid ]; do nap 0.01; done
	open_fifo "$(cat pid)" fifoINT
	kill -INT "$(cat pid)"
	printf XY >&4
	exec 4>&-
	wait
	assert_equal "$(shm read "${P}a" -o 0)" XYcdefgh
}

@test "a long pipe into write --grow is written whole, in bounded memory" {
	shm create "${P}a" 16
	run python3 -c '
import resource, subprocess, sys
shm, name = sys.argv[1:]
p = subprocess.run(["bash", "-c", "head -c 268435456 /dev/zero | \"$0\" write --grow \"$1\" -o 8", shm, name], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$SHM" "${P}a"
	assert_equal "$status" 0
	# Peak memory of any one process, in KiB: far below the 256 MiB.
	[ "$output" -lt 65536 ]
	assert_equal "$(stat -c %s "/dev/shm/${P}a")" $((268435456 + 8))
}

@test "create on what is no segment says what it is, and offers no --force" {
	mkfifo fifo
	mkdir d
	ln -s f link
	printf data > f
	local t flags
	for t in "/dev/null:character device" "./:directory" "./d/:directory" \
	    "./fifo:FIFO" "./link:symbolic link"; do
		for flags in "" --force --exist-ok; do
			# shellcheck disable=SC2086	# no flag, or one
			capture "$SHM" create $flags "${t%%:*}" 8
			assert_fails 2 "shm: create: ${t%%:*}: is a ${t#*:}, not a segment"
		done
	done
	[ -p fifo ] && [ -L link ] && [ -c /dev/null ] && [ -z "$(ls d)" ]
	assert_equal "$(cat f)" data
	# Refused before any copy is made: no temporary, nothing read.
	assert_equal "$(ls -A /dev/shm | grep -c '^\.shm-create-')" 0
	capture "$SHM" create ./fifo --from /dev/zero
	assert_fails 2 "shm: create: ./fifo: is a FIFO, not a segment"
	# resize, write --grow and rm say the same.
	for t in resize:"16" write:"--grow -s x" rm:""; do
		# shellcheck disable=SC2086
		capture "$SHM" "${t%%:*}" ./fifo ${t#*:}
		assert_fails 2 "shm: ${t%%:*}: ./fifo: is a FIFO, not a segment"
	done
}
