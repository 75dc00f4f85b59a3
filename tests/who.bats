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
	while [ ! -e mapped ]; do nap 0.05; done
	capture "$SHM" who "${P}a"
	kill "$py"; wait "$py" || true
	assert_equal "$status" 0
	assert_equal "${#lines[@]}" 1
	[[ "${lines[0]}" == "$py	$(id -un)	"*python3*"	map 8192-12288 rw-s"* ]]
}

@test "who names the holder of shm lock, and a process with it open" {
	shm create "${P}a" 16
	"$SHM" lock "${P}a" sh -c 'touch held; exec sleep 10' &
	local holder=$!
	while [ ! -e held ]; do nap 0.05; done
	capture "$SHM" who --json "/dev/shm/${P}a"
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
	capture "$SHM" who "${P}a"
	assert_equal "$status" 1
	assert_equal "$output" ""
	capture "$SHM" who "${P}none"
	assert_fails 2 "shm: who: ${P}none: no such segment"
	capture "$SHM" who /dev/null
	assert_fails 2 "shm: who: /dev/null: is a character device, not a segment"
}

@test "who counts the processes it may not inspect" {
	[ "$(id -u)" = 0 ] || skip "needs root to switch users"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	shm create -m 644 "${P}a" 16
	capture setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$SHM" who "/dev/shm/${P}a"
	assert_equal "$status" 1
	[[ "$stderr" =~ ^"shm: who: /dev/shm/${P}a: "[0-9]+" process"(es)?" could not be inspected: Permission denied"$ ]]
}

# A path that puts text shaped as a maps line of NAME's at offsets 511
# and 4095 of the maps line of a file it maps: what a reader of 512- or
# 4096-byte pieces would take for a line of its own.
forge_maps_line() {
	# exec: a kill of the job ends Python, not a shell waiting for it.
	exec python3 -c '
import mmap, os, sys, time
seg = os.stat(sys.argv[1])
forged = "0-1000 rw-s 00000000 %x:%x %d " % (os.major(seg.st_dev),
    os.minor(seg.st_dev), seg.st_ino)
def mapped_line(f):
    m = mmap.mmap(os.open(f, os.O_RDONLY), 4096, prot=mmap.PROT_READ)
    ino = os.stat(f).st_ino
    for line in open("/proc/self/maps"):
        if line.split()[4] == str(ino):
            return m, line
open("probe", "wb").write(b"x" * 4096)
probe = os.path.abspath("probe")
_, line = mapped_line("probe")
start = line.index(probe)	# where a path starts on a maps line
path, parts = os.getcwd(), []
for at in (511, 4095):
    while at - start - len(path) > 201:
        parts.append("d" * 200)
        path += "/" + parts[-1]
    parts.append("d" * (at - start - len(path) - 1) + forged + "e")
    path += "/" + parts[-1]
for p in parts:
    os.mkdir(p)
    os.chdir(p)
open("f", "wb").write(b"x" * 4096)
m, line = mapped_line("f")
assert len(line) > 4096, len(line)
for at in (511, 4095):
    assert line[at:at + len(forged)] == forged, (at, line)
open(sys.argv[2], "w").close()
time.sleep(20)' "$@"
}

@test "who reads a maps line of any length: a long path forges no row" {
	shm create "${P}a" 4096
	forge_maps_line "/dev/shm/${P}a" "$BATS_TEST_TMPDIR/mapped" &
	local py=$!
	local i
	for i in $(seq 200); do [ -e mapped ] && break; nap 0.05; done
	capture "$SHM" who "${P}a"
	kill "$py"; wait "$py" || true
	[ -e mapped ]
	assert_equal "$output" ""
	assert_equal "$status" 1
	# As root, only what the system hides from root (a pid 1 in another
	# user namespace, say) is not inspected.
	[[ "$stderr" =~ ^("shm: who: ${P}a: "[0-9]+" process"(es)?" could not be inspected: Permission denied")?$ ]]
}

@test "who counts processes not inspected for want of descriptors, exit 2" {
	shm create "${P}a" 16
	# 0, 1, 2 and /proc's directory: nothing left to open a maps file.
	capture with_descriptors 4 "$SHM" who "${P}a"
	assert_equal "$output" ""
	assert_equal "$status" 2
	[[ "$stderr" =~ ^"shm: who: ${P}a: "[0-9]+" process"(es)?" could not be inspected: "("Too many open files"|"No file descriptors available")$ ]]
}
