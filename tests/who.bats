#!/usr/bin/env bats
# shm who: the processes that map a segment, hold it open or lock it.

load helpers

@test "who names a Python process that maps a range, as offsets" {
	shm create "${P}a" 16384
	python3 -c '
import mmap, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 4096, offset=8192)
os.close(fd)
open("mapped", "w").close()
time.sleep(10)' "/dev/shm/${P}a" &
	local py=$!
	while [ ! -e mapped ]; do sleep 0.05; done
	run --separate-stderr "$SHM" who "${P}a"
	kill "$py"; wait "$py" || true
	assert_equal "$status" 0
	assert_equal "${#lines[@]}" 1
	[[ "${lines[0]}" == "$py	$(id -un)	"*python3*"	map 8192-12288 rw-s"* ]]
}

@test "who names the holder of shm lock, and a process with it open" {
	shm create "${P}a" 16
	"$SHM" lock "${P}a" sh -c 'touch held; exec sleep 10' &
	local holder=$!
	while [ ! -e held ]; do sleep 0.05; done
	run --separate-stderr "$SHM" who --json "/dev/shm/${P}a"
	# The sleep too, which the lock's child became: it holds the lock too.
	{ pkill -P "$holder"; kill "$holder"; } 2>/dev/null || true
	wait "$holder" || true
	assert_equal "$status" 0
	python3 -c '
import json, sys
users = {u["pid"]: u for u in json.loads(sys.argv[1])}
h = users[int(sys.argv[2])]
assert h["lock"] == "exclusive" and h["fds"] and h["command"].startswith(sys.argv[3]), h
assert any(u["command"] == "sleep 10" and u["lock"] == "exclusive" for u in users.values()), users' \
		"$output" "$holder" "$SHM lock"
}

@test "who exits 1 for a segment nobody uses, and refuses what is no segment" {
	shm create "${P}a" 16
	run --separate-stderr "$SHM" who "${P}a"
	assert_equal "$status" 1
	assert_equal "$output" ""
	run --separate-stderr "$SHM" who "${P}none"
	assert_fails 2 "shm: who: ${P}none: no such segment"
	run --separate-stderr "$SHM" who /dev/null
	assert_fails 2 "shm: who: /dev/null: not a regular file"
}

@test "who counts the processes it may not inspect" {
	[ "$(id -u)" = 0 ] || skip "needs root to switch users"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	shm create -m 644 "${P}a" 16
	run --separate-stderr setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$SHM" who "/dev/shm/${P}a"
	assert_equal "$status" 1
	[[ "$stderr" =~ ^"shm: who: /dev/shm/${P}a: "[0-9]+" process"(es)?" could not be inspected: permission denied"$ ]]
}
