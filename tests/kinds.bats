#!/usr/bin/env bats
# Every kind of segment behaves as every other: one set of checks, run
# on a POSIX object, a file, a SysV segment named by key and by id, and
# a memfd reached through /proc/PID/fd.  Where a kind cannot do a thing
# (a SysV segment cannot grow) the check says what it says instead.

load helpers

setup() {
	helpers_setup || return 1
	ID= HOLDER=
}

teardown() {
	[ -n "$ID" ] && ipcrm -m "$ID" 2>/dev/null
	if [ -n "$HOLDER" ]; then
		: > done
		wait "$HOLDER" 2>/dev/null
	fi
	helpers_teardown
}

# A SysV segment of 8192 bytes: ID, and KEY as ipcs prints it.
make_sysv() {
	command -v ipcmk >/dev/null || skip "ipcmk is not installed"
	[ -r /proc/sysvipc/shm ] || skip "no /proc/sysvipc/shm"
	local out
	out=$(ipcmk -M 8192) || skip "cannot make a SysV segment here"
	ID=${out##* }
	KEY=$(awk -v id="$ID" '$2 == id {
		printf "0x%08x", $1 < 0 ? $1 + 4294967296 : $1 }' /proc/sysvipc/shm)
}

# A memfd of 8192 bytes, held by a Python process until teardown: NAME.
make_memfd() {
	command -v python3 >/dev/null || skip "no python3"
	python3 -c '
import os, time
fd = os.memfd_create("kinds")
os.ftruncate(fd, 8192)
with open("where.tmp", "w") as f:
	f.write("/proc/%d/fd/%d" % (os.getpid(), fd))
os.rename("where.tmp", "where")
for _ in range(6000):
	if os.path.exists("done"):
		break
	time.sleep(0.01)' &
	HOLDER=$!
	local i
	for i in $(seq 1000); do
		[ -e where ] && break
		nap 0.01
	done
	NAME=$(cat where)
}

# The checks.  $1: the kind stat names; $2: the tail of the message a
# write past the end gets.
check_kind() {
	local kind=$1 past=$2

	# Bytes in and out, by string, file, sparse file and pipe.
	shm write "$NAME" -o 0 -s 'hello, kinds'
	assert_equal "$(shm read "$NAME" -o 7 -n 5)" kinds
	printf 'from a file' > small
	shm write "$NAME" -o 100 -i small
	assert_equal "$(shm read "$NAME" -o 100 -n 11)" 'from a file'
	printf 'piped' | shm write "$NAME" -o 200
	assert_equal "$(shm read "$NAME" -o 200 -n 5)" piped
	# A source with holes: its holes read as zeros where data was.
	shm write "$NAME" -o 4096 -s XXXXXXXX
	truncate -s 8192 sparse
	printf data | dd of=sparse bs=1 seek=4100 conv=notrunc status=none
	shm write "$NAME" -o 0 -i sparse
	shm read "$NAME" -o 0 > back
	cmp back sparse

	# Typed values, find, dump.
	shm write "$NAME" -o 16 --as '<I' 305419896
	assert_equal "$(shm read "$NAME" -o 16 --as '<I')" 305419896
	assert_equal "$(shm find "$NAME" data)" 4100
	capture "$SHM" find "$NAME" absent
	assert_fails 1 ""
	assert_equal "$(shm dump "$NAME" -o 16 -n 4)" \
	    "00000010  78 56 34 12                                       |xV4.|
00000014"

	# What it is, and what it costs: the page written is memory.
	assert_equal "$(shm stat -f kind,size "$NAME")" "$kind
8192"
	[ "$(shm stat -f allocated "$NAME")" -ge 4096 ]

	# Past its end.
	capture "$SHM" write "$NAME" -o 8190 -s abc
	assert_fails 2 "shm: write: $NAME: 3 bytes at offset 8190 do not fit in 8192 bytes; nothing written ($past)"

	# Waiting: each condition that holds now returns now, each that
	# does not times out with 1.
	shm wait "$NAME" --exists -t 5
	run "$SHM" wait "$NAME" --gone -t 0.05
	assert_equal "$status" 1
	assert_equal "$(shm wait "$NAME" -o 16 --as '<I' --until '> 7' -t 5)" \
	    305419896
	run "$SHM" wait "$NAME" --change -t 0.05
	assert_equal "$status" 1

	# Following: all there is, then 1 when nothing more comes.
	capture "$SHM" read "$NAME" --follow -o 8188 \
	    --timeout 0.1
	assert_equal "$status" 1
	assert_equal "${#output}" 0
	"$SHM" read "$NAME" --follow -o 4100 --timeout 0.1 > followed ||
	    [ $? = 1 ]
	assert_equal "$(head -c 4 followed)" data
	assert_equal "$(wc -c < followed)" 4092

	# The cursor.
	shm seek "$NAME" 4100 >/dev/null
	assert_equal "$(shm read "$NAME" -n 4)" data
	assert_equal "$(shm seek "$NAME")" 4104
}

# Removal: rm forgets its cursors, and waiters see it gone.
check_rm() {
	local missing=$1

	[ -n "$(ls "$SHM_STATE_DIR")" ]
	shm rm "$NAME"
	assert_equal "$(ls "$SHM_STATE_DIR")" ""
	shm wait "$NAME" --gone -t 5
	run "$SHM" wait "$NAME" --exists -t 0.05
	assert_equal "$status" 1
	capture "$SHM" read "$NAME"
	assert_fails 2 "shm: read: $NAME: $missing"
}

@test "kinds: a POSIX object" {
	NAME=${P}obj
	shm create "$NAME" 8192
	check_kind object "--grow extends it"
	check_rm "no such segment"
}

@test "kinds: a file" {
	NAME=$BATS_TEST_TMPDIR/file
	shm create "$NAME" 8192
	check_kind file "--grow extends it"
	check_rm "no such segment"
}

@test "kinds: a SysV segment by key" {
	make_sysv
	NAME=sysv:$KEY
	check_kind sysv "a SysV segment keeps the size it was made with"
	check_rm "no such SysV segment"
	ID=
}

@test "kinds: a SysV segment by id" {
	make_sysv
	NAME=sysvid:$ID
	check_kind sysv "a SysV segment keeps the size it was made with"
	check_rm "no such SysV segment"
	ID=
}

@test "kinds: a memfd through /proc/PID/fd" {
	make_memfd
	check_kind memfd "--grow extends it"
}

@test "kinds: a SysV segment takes no lock, no resize, no create" {
	make_sysv
	for NAME in "sysv:$KEY" "sysvid:$ID"; do
		# A file of that name here is no SysV segment to keep.
		: > "$NAME"
		chmod 600 "$NAME"
		capture "$SHM" resize "$NAME" 100
		assert_fails 2 "shm: resize: $NAME: a SysV segment keeps the size it was made with (8192 bytes); it cannot be resized"
		shm resize "$NAME" 8192
		capture "$SHM" write "$NAME" --grow -o 8190 -s abc
		assert_fails 2 "shm: write: $NAME: a SysV segment keeps the size it was made with (8192 bytes); it cannot grow"
		capture "$SHM" lock "$NAME" true
		assert_fails 2 "shm: lock: $NAME: a SysV segment has no descriptor to flock, so no lock"
		capture "$SHM" create --exist-ok "$NAME" 8192
		assert_fails 2 "shm: create: $NAME: SysV segments are made with ipcmk -M SIZE or shmget(2); create makes POSIX objects and files"
	done
}

@test "kinds: a SysV segment removed while attached is gone, as a file" {
	make_sysv
	command -v python3 >/dev/null || skip "no python3"
	python3 -c '
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
assert libc.shmat(int(sys.argv[1]), None, 0) != ctypes.c_void_p(-1).value
open("attached", "w").close()
for _ in range(6000):
	if os.path.exists("done"):
		break
	time.sleep(0.01)' "$ID" &
	HOLDER=$!
	local i
	for i in $(seq 1000); do
		[ -e attached ] && break
		nap 0.01
	done
	shm rm "sysvid:$ID"
	for cmd in read stat dump; do
		capture "$SHM" $cmd "sysvid:$ID"
		assert_fails 2 "shm: $cmd: sysvid:$ID: no such SysV segment"
	done
	capture "$SHM" rm "sysvid:$ID"
	assert_fails 2 "shm: rm: sysvid:$ID: no such SysV segment"
	shm rm -f "sysvid:$ID"
	shm wait "sysvid:$ID" --gone -t 5
	# Still there for the one attached: its id is not free yet.
	grep -q "^ *-\?[0-9]* *$ID " /proc/sysvipc/shm
}
