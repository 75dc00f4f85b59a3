#!/usr/bin/env bats
# shm list: the objects there are.

load helpers

mine() {
	grep "^${P}" || true
}

@test "list prints name, size, owner, mode and time, tab-separated, sorted" {
	shm create "${P}b" 1K
	shm create -m 644 "${P}a" 10
	capture shm list
	assert_equal "$status" 0
	local when
	when=$(date -u -d "@$(stat -c %Y "/dev/shm/${P}a")" +%Y-%m-%dT%H:%M:%SZ)
	assert_equal "$(printf '%s\n' "$output" | mine | cut -f1-4)" "${P}a	10	$(id -un)	0644
${P}b	1024	$(id -un)	0600"
	assert_equal "$(printf '%s\n' "$output" | mine | head -1 | cut -f5)" "$when"
}

@test "list prints no header into a pipe, and one with -H" {
	capture shm list
	assert_equal "$status $stderr" "0 "
	[[ $output != NAME* ]]
	capture shm list -H
	assert_equal "$status $stderr" "0 "
	assert_equal "${lines[0]}" "NAME	SIZE	OWNER	MODE	MODIFIED"
}

@test "list leaves out semaphores, hidden names and directories" {
	shm create "${P}a" 1
	touch "/dev/shm/sem.${P}x" "/dev/shm/.${P}h"
	mkdir "/dev/shm/${P}d"
	capture shm list
	rm -f "/dev/shm/sem.${P}x" "/dev/shm/.${P}h"
	rmdir "/dev/shm/${P}d"
	assert_equal "$(printf '%s\n' "$output" | grep -c "${P}")" 1
}

@test "list --json gives the same facts as JSON" {
	command -v python3 >/dev/null || skip "no python3"
	shm create "${P}a" 10
	capture shm list --json
	assert_equal "$status" 0
	python3 -c '
import json, sys
d = [o for o in json.loads(sys.argv[1]) if o["name"] == sys.argv[2]]
assert len(d) == 1 and d[0]["size"] == 10 and d[0]["mode"] == "0600", d
' "$output" "${P}a"
}

@test "list takes no arguments" {
	capture shm list x
	assert_fails 2 "shm: list: list takes no arguments (see 'shm list --help')"
}

@test "list with no objects at all prints nothing, or an empty JSON array" {
	# A private, empty /dev/shm, in a mount namespace of our own.
	[ "$(id -u)" = 0 ] || skip "needs root for a mount namespace"
	command -v unshare >/dev/null || skip "unshare is not installed"
	unshare -m true 2>/dev/null || skip "cannot make a mount namespace"
	capture unshare -m sh -c \
		'mount -t tmpfs tmpfs /dev/shm && "$1" list && "$1" list --json' _ "$SHM"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" "[]"
}

@test "list -a shows hidden names and semaphores that list hides" {
	shm create "/.${P}hidden" 4096
	shm create "/sem.${P}s" 32
	shm create "${P}plain" 1
	assert_equal "$(shm list | grep -c "${P}")" 1
	assert_equal "$(shm list -a | cut -f1 | grep "${P}" | sort | xargs)" \
		"$(printf '%s\n' ".${P}hidden" "${P}plain" "sem.${P}s" | sort | xargs)"
	shm rm "/.${P}hidden" "/sem.${P}s"
}

@test "list -l adds allocated bytes and users; --total the file system" {
	shm create "${P}big" 64M
	head -c 1048576 /dev/zero | tr '\0' z | shm write "${P}big" -o 0
	sleep 60 < "/dev/shm/${P}big" &
	local holder=$!
	# Until the holder has the segment open (its stdin), not a while.
	until [ "$(readlink "/proc/$holder/fd/0")" = "/dev/shm/${P}big" ]; do
		nap 0.01
	done
	assert_equal "$(shm list -l | grep "^${P}big	" | cut -f2,6,7)" "67108864	1048576	1"
	kill "$holder"; wait "$holder" || true
	shm list -l --json | python3 -c '
import json, sys
o = [x for x in json.load(sys.stdin) if x["name"] == sys.argv[1]][0]
assert o["allocated"] == 1048576 and o["users"] == 0, o' "${P}big"
	local line re=$'^total\tsize [0-9]+\tused [0-9]+\tfree [0-9]+$'
	line=$(shm list --total | tail -n 1)
	[[ "$line" =~ $re ]]
	shm list --json --total | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert isinstance(d["objects"], list) and d["total"]["size"] >= d["total"]["used"], d'
}

# A python3 that holds three removed segments: ${P}a only mapped (its
# descriptors closed), ${P}b only open, and the memfd ${P}m; each holds
# "hello" at 4096 of 1 MiB of holes.  Says so in ./held, then waits.
hold_removed() {
	python3 -c '
import mmap, os, signal, sys
p = sys.argv[1]
def make(path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    os.ftruncate(fd, 1 << 20)
    os.pwrite(fd, b"hello", 4096)
    os.unlink(path)
    return fd
fd = make("/dev/shm/" + p + "a")
m = mmap.mmap(fd, 1 << 20)
os.close(fd)
for f in os.listdir("/proc/self/fd"):		# mmap keeps a dup of its own
    try:
        if "/dev/shm/" + p + "a" in os.readlink("/proc/self/fd/" + f):
            os.close(int(f))
    except FileNotFoundError:
        pass
b = make("/dev/shm/" + p + "b")
mf = os.memfd_create(p + "m")
os.ftruncate(mf, 1 << 20)
os.pwrite(mf, b"hello", 4096)
open("held", "w").close()
signal.pause()' "$P" &
	holder=$!
	local i
	for ((i = 0; i < 400; i++)); do
		[ -e held ] && return 0
		nap 0.025
	done
	return 1
}

@test "list --deleted shows removed segments still held, with a way in" {
	[ "$(id -u)" = 0 ] || skip "map_files needs root"
	hold_removed
	local comm fd_b fd_m re
	comm=$(cat "/proc/$holder/comm")
	for fd in /proc/"$holder"/fd/*; do
		case $(readlink "$fd") in
		"/dev/shm/${P}b (deleted)") fd_b=$fd ;;
		"/memfd:${P}m (deleted)") fd_m=$fd ;;
		esac
	done
	capture shm list --deleted
	assert_equal "$status" 0
	output=$(grep -F "$P" <<< "$output" | sort)
	re="^/dev/shm/${P}a	1048576	4096	$holder	$comm	/proc/$holder/map_files/[0-9a-f]+-[0-9a-f]+
/dev/shm/${P}b	1048576	4096	$holder	$comm	$fd_b
/memfd:${P}m	1048576	4096	$holder	$comm	$fd_m\$"
	[[ "$output" =~ $re ]] || { echo "$output"; false; }
	# Each is rescued byte for byte, its holes kept (where holes can
	# be found: SEEK_DATA is Linux's).
	local path allocated=4096
	! is_portable || allocated=1048576
	for path in $(shm list --deleted --json | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    if sys.argv[1] in o["name"]:
        assert o["pid"] == int(sys.argv[2]) and o["size"] == 1 << 20, o
        print(o["path"])' "$P" "$holder"); do
		shm create "${P}r" --from "$path"
		assert_equal "$(shm list -l 2>/dev/null | grep "^${P}r	" |
			cut -f2,6)" "1048576	$allocated"
		cmp <(shm read "${P}r") <(head -c 4096 /dev/zero; printf hello;
			head -c $((1048576 - 4101)) /dev/zero)
		shm rm "${P}r"
	done
	assert_equal "$(shm list --deleted | grep -cF "$P")" 3
	kill "$holder"; wait "$holder" || true
	assert_equal "$(shm list --deleted | grep -cF "$P")" 0
}

@test "list --deleted --json, and what it takes" {
	capture shm list --deleted -l
	assert_fails 2 "shm: list: --deleted takes no -a, -l, --total or --sysv (see 'shm list --help')"
	capture shm list --sysv --deleted
	assert_fails 2 "shm: list: --sysv takes no -a, -l, --total or --deleted (see 'shm list --help')"
	capture shm list --deleted --json
	python3 -c 'import json, sys; assert isinstance(json.load(sys.stdin), list)' <<< "$output"
	capture shm list --deleted -H
	assert_equal "${lines[0]}" "NAME	SIZE	ALLOCATED	PID	COMMAND	PATH"
}
