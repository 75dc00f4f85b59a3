#!/usr/bin/env bats
# Data safety against a hostile caller, target or timing: each test is
# a class of failure, tried on several instances.

load helpers

# Runs shm with the redirections $1 names ("<&-", ">&- 2>&-", ">> F"),
# made in a shell of its own: made around bats' own run, they would
# meet its capture pipe (which takes a freed number, or replaces >>).
run_redirected() {
	local redir=$1; shift
	run --separate-stderr sh -c "exec \"\$@\" $redir" sh "$SHM" "$@"
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
	for t in ./fifo ./sock /dev/null /dev/zero; do
		run --separate-stderr "$SHM" rm "$t"
		assert_fails 2 "shm: rm: $t: not a regular file"
		[ -e "$t" ]
	done
	run --separate-stderr "$SHM" rm -f ./d
	assert_fails 2 "shm: rm: ./d: is a directory"
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
	run --separate-stderr "$SHM" rm "${P}fifo"
	assert_fails 2 "shm: rm: ${P}fifo: not a regular file"
	[ -p "/dev/shm/${P}fifo" ]
	run --separate-stderr "$SHM" read "${P}link"
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
		run --separate-stderr "$SHM" create --force "$t" 4
		assert_equal "$status" 2
	done
	assert_equal "$stderr" "shm: create: /dev/null: not a regular file"
	[ -p fifo ] && [ -L link ] && [ -c /dev/null ]
	assert_equal "$(cat f)" data
	run --separate-stderr "$SHM" create --force ./link 4
	assert_fails 2 "shm: create: ./link: is a symbolic link, not a segment"
	run --separate-stderr "$SHM" create --force ./d 4
	assert_fails 2 "shm: create: ./d: is a directory"
	mkfifo "/dev/shm/${P}fifo"
	run --separate-stderr "$SHM" create --force "${P}fifo" 4
	assert_fails 2 "shm: create: ${P}fifo: not a regular file"
	[ -p "/dev/shm/${P}fifo" ]
	# No temporary is left where it was refused.
	assert_equal "$(ls -A /dev/shm | grep -c '^\.shm-create-')" 0
}

@test "every command refuses a device, a FIFO and a directory" {
	mkfifo fifo
	mkdir d
	for t in /dev/zero ./fifo; do
		for cmd in "read $t" "write $t -s x" "seek $t" "find $t x" \
		    "flush $t" "resize $t 1" "move $t 0 0 0" "dump $t" \
		    "stat $t" "read $t --as B" "write $t --as B 1"; do
			run --separate-stderr timeout 10 "$SHM" $cmd
			assert_fails 2 "shm: ${cmd%% *}: $t: not a regular file"
		done
	done
}

@test "a segment is never its own source or sink" {
	shm create "${P}a" 8192
	shm write "${P}a" -o 0 -s 'precious data'
	cp "/dev/shm/${P}a" before
	run --separate-stderr "$SHM" read "${P}a" -O "/dev/shm/${P}a"
	assert_fails 2 "shm: read: ${P}a: /dev/shm/${P}a and the segment are the same file; nothing copied ('shm move' copies within a segment)"
	run --separate-stderr "$SHM" write --grow "${P}a" -o 4096 -i "/dev/shm/${P}a"
	assert_fails 2 "shm: write: ${P}a: /dev/shm/${P}a and the segment are the same file; nothing copied ('shm move' copies within a segment)"
	run --separate-stderr "$SHM" write --grow "${P}a" < "/dev/shm/${P}a"
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
		run --separate-stderr "$SHM" read "/${P}a" -O "$other"
		assert_equal "$status" 2
		run --separate-stderr "$SHM" write "${P}a" -o 0 -i "$other"
		assert_equal "$status" 2
	done
	cmp before "/dev/shm/${P}a"
	# A copy into another file is fine.
	shm read "${P}a" -o 0 -n 13 -O out
	assert_equal "$(cat out)" 'precious data'
}

@test "create --exist-ok keeps only a regular file of the caller's" {
	ln -s /dev/null "/dev/shm/${P}link"
	run --separate-stderr "$SHM" create --exist-ok "${P}link" 16
	assert_fails 2 "shm: create: ${P}link: is a symbolic link, not a segment"
	mkfifo "/dev/shm/${P}fifo"
	run --separate-stderr "$SHM" create --exist-ok "${P}fifo" 16
	assert_fails 2 "shm: create: ${P}fifo: not a regular file"
	shm create -m 666 "${P}wide" 16
	run --separate-stderr "$SHM" create --exist-ok "${P}wide" 16
	assert_fails 2 "shm: create: ${P}wide: exists with mode 0666, more than 0600 allows; not kept"
	run --separate-stderr "$SHM" create --exist-ok -m 660 "${P}wide" 16
	assert_fails 2 "shm: create: ${P}wide: exists with mode 0666, more than 0660 allows; not kept"
	shm create --exist-ok -m 666 "${P}wide" 16
	shm create -m 400 "${P}narrow" 16
	shm create --exist-ok "${P}narrow" 99
	assert_equal "$(stat -c %s "/dev/shm/${P}narrow")" 16
}

@test "parallel create --exist-ok of one name all succeed" {
	local i j pids
	for i in $(seq 40); do
		pids=()
		for j in 1 2 3; do
			"$SHM" create --exist-ok "${P}r$i" 4096 & pids+=($!)
		done
		for j in "${pids[@]}"; do wait "$j"; done
		assert_equal "$(stat -c %s "/dev/shm/${P}r$i")" 4096
	done
}

@test "-m refuses setuid, setgid and sticky bits" {
	for m in 4755 2700 1600 7777; do
		run --separate-stderr "$SHM" create -m "$m" "${P}a" 1
		assert_fails 2 "shm: create: -m $m: setuid, setgid and sticky bits are not for segments (see 'shm create --help')"
	done
	[ ! -e "/dev/shm/${P}a" ]
}
