#!/usr/bin/env bats
# SysV shared memory: sysv:KEY and sysvid:ID segments.

load helpers

setup() {
	helpers_setup || return 1
	command -v ipcmk >/dev/null || skip "ipcmk is not installed"
	[ -r /proc/sysvipc/shm ] || skip "no /proc/sysvipc/shm"
	local out
	out=$(ipcmk -M 8192) || skip "cannot make a SysV segment here"
	ID=${out##* }
	KEY=$(awk -v id="$ID" '$2 == id { printf "0x%08x", $1 < 0 ? $1 + 4294967296 : $1 }' /proc/sysvipc/shm)
}

teardown() {
	[ -n "${ID:-}" ] && ipcrm -m "$ID" 2>/dev/null
	helpers_teardown
}

# Runs Python with the segment attached as m (a ctypes buffer).
python_attached() {
	python3 -c '
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
addr = libc.shmat(int(sys.argv[1]), None, 0)
assert addr != ctypes.c_void_p(-1).value
m = (ctypes.c_char * 8192).from_address(addr)
exec(sys.argv[2])' "$ID" "$1"
}

@test "a SysV segment is written by shm and read back by Python, by key and id" {
	shm write "sysv:$KEY" -o 0 -s 'hello, sysv'
	assert_equal "$(python_attached 'print(m.raw[:11].decode())')" "hello, sysv"
	python_attached 'm[100:105] = b"peer!"'
	assert_equal "$(shm read "sysvid:$ID" -o 100 -n 5)" "peer!"
	# Typed values, the cursor, move.
	shm write "sysvid:$ID" -o 200 --as '<Q' 123456789
	assert_equal "$(python_attached 'import struct; print(struct.unpack_from("<Q", m, 200)[0])')" 123456789
	shm seek "sysvid:$ID" 7 >/dev/null
	assert_equal "$(shm read "sysv:$KEY" -n 4)" "sysv"
	assert_equal "$(shm seek "sysvid:$ID")" 11
	shm move "sysvid:$ID" 300 0 5
	assert_equal "$(shm read "sysvid:$ID" -o 300 -n 5)" hello
}

@test "a SysV segment cannot grow: --grow past its end changes no byte" {
	shm write "sysvid:$ID" -o 8180 -s 'last bytes!!'
	for src in "-s 0123456789abcdef" "-i big"; do
		head -c 3000000 /dev/urandom > big
		capture "$SHM" write "sysvid:$ID" --grow -o 8180 $src
		assert_fails 2 "shm: write: sysvid:$ID: a SysV segment keeps the size it was made with (8192 bytes); it cannot grow"
		assert_equal "$(shm read "sysvid:$ID" -o 8180)" 'last bytes!!'
	done
	# A stream larger than memory: written as it comes, then put back.
	capture bash -c 'cat big | "$0" write "$1" --grow -o 0' "$SHM" "sysvid:$ID"
	assert_fails 2 "shm: write: sysvid:$ID: a SysV segment keeps the size it was made with (8192 bytes); it cannot grow"
	assert_equal "$(shm read "sysvid:$ID" -o 8180)" 'last bytes!!'
	# --grow that fits is a plain write.
	shm write "sysvid:$ID" --grow -o 0 -s fits
	assert_equal "$(shm read "sysvid:$ID" -n 4)" fits
}

@test "a stream larger than memory into a SysV segment: whole, or put back" {
	local out big
	out=$(ipcmk -M 3145728) || skip "cannot make a 3 MiB SysV segment"
	big=${out##* }
	head -c 3145728 /dev/urandom > data
	cat data | shm write "sysvid:$big" -o 0
	cmp data <(shm read "sysvid:$big" -o 0)
	capture bash -c '{ head -c 3145728 /dev/zero; printf x; } |
		"$0" write "$1" -o 0' "$SHM" "sysvid:$big"
	shm read "sysvid:$big" -o 0 > after
	ipcrm -m "$big"
	assert_fails 2 "shm: write: sysvid:$big: more than 3145728 bytes at offset 0 do not fit in 3145728 bytes; nothing written (a SysV segment keeps the size it was made with)"
	cmp data after
}

@test "a SysV segment dumps as hexdump -C shows the same bytes, and is found" {
	python_attached 'import os; m[0:4096] = os.urandom(4096); m[5000:5006] = b"needle"'
	python_attached 'sys.stdout.buffer.write(m.raw)' > bytes
	assert_equal "$(shm dump "sysvid:$ID")" "$(hexdump -C bytes)"
	assert_equal "$(shm find "sysvid:$ID" needle --start 4096)" 5000
	assert_equal "$(shm stat -f kind,size,filesystem "sysvid:$ID")" "sysv
8192
sysvipc"
}

@test "list --sysv lists it; rm marks it for removal" {
	shm list --sysv | grep -q "^$KEY	$ID	8192	"
	shm list --sysv --json | python3 -c '
import json, sys
assert any(s["id"] == int(sys.argv[1]) and s["size"] == 8192 for s in json.load(sys.stdin))' "$ID"
	shm rm "sysvid:$ID"
	capture "$SHM" read "sysvid:$ID"
	assert_fails 2 "shm: read: sysvid:$ID: no such SysV segment"
	capture "$SHM" rm "sysvid:$ID"
	assert_fails 2 "shm: rm: sysvid:$ID: no such SysV segment"
	shm rm -f "sysvid:$ID"
	ID=
}

@test "SysV: what cannot apply says so; a missing key; who sees an attacher" {
	capture "$SHM" resize "sysvid:$ID" 16K
	assert_fails 2 "shm: resize: sysvid:$ID: a SysV segment keeps the size it was made with (8192 bytes); it cannot be resized"
	capture "$SHM" lock "sysvid:$ID" true
	assert_fails 2 "shm: lock: sysvid:$ID: a SysV segment has no descriptor to flock, so no lock"
	capture "$SHM" create "sysv:0x5eed" 16
	assert_fails 2 "shm: create: sysv:0x5eed: SysV segments are made with ipcmk -M SIZE or shmget(2); create makes POSIX objects and files"
	capture "$SHM" read sysv:0x7fff0bad
	assert_fails 2 "shm: read: sysv:0x7fff0bad: no such SysV segment"
	capture "$SHM" read sysv:0
	assert_fails 2 "shm: read: sysv:0: key 0 is IPC_PRIVATE, which names no one segment; name it by sysvid:ID"
	capture "$SHM" read sysvid:x
	assert_fails 2 "shm: read: sysvid:x: not a SysV id: not a number"
	capture "$SHM" write "sysvid:$ID" -o 8190 -s abc
	assert_equal "$status" 2
	# Attached until told: sys.stdin's end, when the test closes it.
	python_attached 'import sys; open("attached", "w").close(); sys.stdin.read()' \
	    < <(until [ -e seen ]; do nap 0.05; done) &
	while [ ! -e attached ]; do nap 0.05; done
	capture "$SHM" who "sysvid:$ID"
	touch seen
	wait
	assert_equal "$status" 0
	[[ "${lines[0]}" == *"	map 0-8192 rw-s" ]]
}

@test "a SysV segment the user may not attach is refused" {
	[ "$(id -u)" = 0 ] || skip "needs root to switch users"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	ipcrm -m "$ID"
	local out
	out=$(ipcmk -M 4096 -p 0600)
	ID=${out##* }
	capture setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$SHM" read "sysvid:$ID"
	assert_fails 2 "shm: read: sysvid:$ID: Permission denied"
}
