#!/usr/bin/env bats
# shm stat and shm rm.

load helpers

@test "stat prints every field, one 'field value' a line" {
	skip_if_portable "no birth time without statx"
	shm create -m 640 "${P}a" 300
	shm seek "${P}a" 7 >/dev/null
	capture shm stat "${P}a"
	assert_equal "$status" 0
	local mtime born
	mtime=$(date -u -d "@$(stat -c %Y "/dev/shm/${P}a")" +%Y-%m-%dT%H:%M:%SZ)
	born=$(date -u -d "@$(stat -c %W "/dev/shm/${P}a")" +%Y-%m-%dT%H:%M:%SZ)
	assert_equal "$output" "name       ${P}a
kind       object
path       /dev/shm/${P}a
size       300
cursor     7
owner      $(id -un)
group      $(id -gn)
mode       0640
modified   $mtime
changed    $mtime
born       $born
allocated  0
resident   0
filesystem tmpfs
users      0
seals"
}

@test "stat -f prints the values asked for" {
	shm create "${P}a" 300
	assert_equal "$(shm stat -f size "${P}a")" 300
	assert_equal "$(shm stat --field=size,cursor,kind "${P}a")" "300
0
object"
	capture shm stat -f bogus "${P}a"
	assert_fails 2 "shm: stat: no field 'bogus' (see 'shm stat --help')"
}

@test "stat --json gives the same facts as JSON" {
	shm create "${P}a" 300
	capture shm stat --json "${P}a"
	assert_equal "$status" 0
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["size"]==300 and d["cursor"]==0 and d["kind"]=="object" and d["mode"]=="0600", d' "$output"
}

@test "stat of a file path says file" {
	printf abc > f
	assert_equal "$(shm stat -f kind,path,size ./f)" "file
./f
3"
}

@test "stat of several names reports each, and fails if one is missing" {
	shm create "${P}a" 1
	capture shm stat -f size "${P}a" "${P}b" "${P}a"
	assert_equal "$status" 2
	assert_equal "$output" "1
1"
	assert_equal "$stderr" "shm: stat: ${P}b: no such segment"
}

@test "rm removes objects and files" {
	shm create "${P}a" 1
	shm create "${P}b" 1
	touch f
	shm rm "${P}a" "/${P}b" ./f
	[ ! -e "/dev/shm/${P}a" ] && [ ! -e "/dev/shm/${P}b" ] && [ ! -e f ]
}

@test "rm of a missing name fails, unless -f" {
	capture shm rm "${P}a"
	assert_fails 2 "shm: rm: ${P}a: no such segment"
	capture shm rm -f "${P}a"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
}

@test "rm goes on after a failure and removes the rest" {
	shm create "${P}b" 1
	capture shm rm "${P}a" "${P}b"
	assert_fails 2 "shm: rm: ${P}a: no such segment"
	[ ! -e "/dev/shm/${P}b" ]
}

@test "rm refuses a directory" {
	mkdir d
	capture shm rm ./d
	assert_fails 2 "shm: rm: ./d: is a directory, not a segment"
	[ -d d ]
}

@test "rm forgets the cursor" {
	shm create "${P}a" 10
	shm seek "${P}a" 5 >/dev/null
	[ "$(ls "$SHM_STATE_DIR" | wc -l)" = 1 ]
	shm rm "${P}a"
	[ "$(ls "$SHM_STATE_DIR" | wc -l)" = 0 ]
}

@test "rm needs a NAME" {
	capture shm rm
	assert_fails 2 "shm: rm: missing NAME (see 'shm rm --help')"
}

@test "stat says what a segment costs: allocated, resident, users" {
	shm create "${P}a" 64M
	assert_equal "$(shm stat -f allocated,resident,filesystem,users "${P}a")" "0
0
tmpfs
0"
	shm write "${P}a" -o 1M -s x
	head -c 1048576 /dev/zero | tr '\0' y | shm write "${P}a" -o 32M
	assert_equal "$(shm stat -f allocated "${P}a")" $((4096 + 1048576))
	assert_equal "$(shm stat -f resident "${P}a")" $((4096 + 1048576))
	assert_equal "$(stat -c %s "/dev/shm/${P}a")" 67108864
	# Someone holding it open counts as a user.
	mkfifo opened
	sh -c 'exec 3< "$0"; echo > opened; exec sleep 10' "/dev/shm/${P}a" &
	local holder=$!
	read -r _ < opened
	assert_equal "$(shm stat -f users "${P}a")" 1
	kill "$holder"; wait "$holder" || true
}

@test "stat resident of a file follows the page cache" {
	head -c 4194304 /dev/urandom > f
	python3 -c 'import os; fd = os.open("f", os.O_RDONLY); os.fsync(os.open("f", os.O_RDWR)); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)'
	local before
	before=$(shm stat -f resident ./f)
	[ "$before" -lt 4194304 ]
	cat f > /dev/null
	assert_equal "$(shm stat -f resident ./f)" 4194304
	# The type /proc/self/mountinfo gives this directory's mount.
	[ -n "$(shm stat -f filesystem ./f)" ]
}

@test "a memfd reached through /proc/PID/fd: kind memfd, its seals, its bytes" {
	skip_if_portable "seals are read with Linux's F_GET_SEALS"
	python3 -c 'import os; os.memfd_create' 2>/dev/null || skip "no memfd in this Python"
	run python3 -c '
import fcntl, os, subprocess, sys
shm = sys.argv[1]
fd = os.memfd_create("demo", os.MFD_ALLOW_SEALING)
os.write(fd, b"hello memfd")
fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW)
p = "/proc/%d/fd/%d" % (os.getpid(), fd)
def run(*args):
    r = subprocess.run([shm] + list(args), capture_output=True, text=True)
    return r.stdout + r.stderr
print(run("stat", "-f", "kind,size,seals,filesystem", p), end="")
print(run("write", p, "-o", "0", "-s", "HELLO"), end="")
print(run("read", p, "-o", "0"))
print(run("write", "--grow", p, "-o", "11", "-s", "!"), end="")' "$SHM"
	assert_equal "${lines[0]}" memfd
	assert_equal "${lines[1]}" 11
	assert_equal "${lines[2]}" shrink,grow
	assert_equal "${lines[3]}" tmpfs
	assert_equal "${lines[4]}" "HELLO memfd"
	[[ "${lines[5]}" == "shm: write: /proc/"*": Operation not permitted" ]]
}

@test "stat and list -l say users is unknown when /proc could not be read" {
	shm create "${P}a" 16
	# 0, 1, 2, the segment and /proc: no descriptor left for a maps file.
	capture with_descriptors 5 "$SHM" stat -f size,users \
		"${P}a"
	assert_equal "$status" 2
	assert_equal "$output" "16
-"
	[[ "$stderr" =~ ^"shm: stat: ${P}a: "[0-9]+" process"(es)?" could not be inspected: "("Too many open files"|"No file descriptors available")$ ]]
	capture with_descriptors 5 "$SHM" stat --json "${P}a"
	assert_equal "$status" 2
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["users"] is None and d["size"] == 16, d' "$output"
	# The fields that need no scan need no descriptor more.
	capture with_descriptors 5 "$SHM" stat -f size "${P}a"
	assert_equal "$status" 0
	assert_equal "$output" 16
	# list -l: the users column says "-", the reason is said once.
	capture with_descriptors 4 "$SHM" list -l
	assert_equal "$status" 2
	assert_equal "$(grep "^${P}a	" <<<"$output" | cut -f 2,7)" "16	-"
	[[ "$stderr" =~ ^"shm: list: "[0-9]+" process"(es)?" could not be inspected: "("Too many open files"|"No file descriptors available")$ ]]
}
