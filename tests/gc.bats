#!/usr/bin/env bats
# shm gc: what it removes, and above all what it leaves.  Every test
# that removes runs as root in mount and IPC namespaces of its own, on
# an empty tmpfs at /dev/shm, so nothing of anyone else's is at risk.

load helpers

# Runs the bash script $1 in private namespaces; `run`'s output and
# status are the script's.  In it: shm; await_file FILE, from
# helpers.bash; old NAME..., which makes objects modified two days ago;
# and every background job is killed on the way out.
private() {
	[ "$(id -u)" = 0 ] || skip "needs root for the namespaces"
	command -v unshare >/dev/null || skip "unshare is not installed"
	unshare -mi true 2>/dev/null || skip "cannot make the namespaces"
	capture env P="$P" unshare -mi bash -c '
		mount -t tmpfs tmpfs /dev/shm || exit 99
		# Each job its own process group, so that the end kills
		# what a job started too (shm lock'\''s command), and
		# quietly: job control would say what it killed.
		set -m
		trap '\''exec 2>/dev/null; for j in $(jobs -p); do
		    kill -- "-$j"; done; wait'\'' EXIT
		shm() { "$SHM" "$@"; }
		old() {
			local n
			for n; do
				shm create "$n" 1K || return
				touch -d "2 days ago" "/dev/shm/$n" || return
			done
		}
		'"$1"
}

@test "gc removes an old unused object, and leaves a recent one" {
	private '
		old "${P}old"
		shm create "${P}new" 2K
		shm gc --older-than 1d
		ls /dev/shm'
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" "${P}old	1024
${P}new"
}

@test "gc leaves an old object that is mapped, open or locked" {
	private '
		old "${P}map" "${P}fd" "${P}lock" "${P}free"
		python3 -c "
import mmap, os, signal
fd = os.open(\"/dev/shm/${P}map\", os.O_RDWR)
m = mmap.mmap(fd, 1024)
os.close(fd)
open(\"map.ready\", \"w\").close()
signal.pause()" &
		bash -c "exec 3< /dev/shm/${P}fd; touch fd.ready; exec sleep 60" &
		shm lock "${P}lock" -- sh -c "touch lock.ready; exec sleep 60" &
		await_file map.ready && await_file fd.ready &&
		    await_file lock.ready || exit
		shm gc --older-than 1d
		ls /dev/shm'
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" "${P}free	1024
${P}fd
${P}lock
${P}map"
}

@test "gc's last look leaves an object replaced since its check" {
	skip_if_static
	local so="$BATS_TEST_TMPDIR/replace.so"
	cc -shared -fPIC -o "$so" "$BATS_TEST_DIRNAME/shim/replace.c" -ldl \
		2>/dev/null || skip "no C compiler to build the shim"
	SO=$so private '
		old "${P}a"
		env SHIM_REPLACE="/dev/shm/${P}a" LD_PRELOAD="$SO" \
		    ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		    "$SHM" gc --older-than 1d
		echo "rc $?"
		shm read "${P}a"'
	assert_equal "$stderr" ""
	assert_equal "$output" "rc 0
new"
}

@test "gc leaves other users' objects unless --all-users" {
	private '
		old "${P}mine" "${P}theirs"
		chown 65534 "/dev/shm/${P}theirs"
		shm gc --older-than 1d -n
		echo --
		shm gc --older-than 1d --all-users
		ls /dev/shm | wc -l'
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" "${P}mine	1024
--
${P}mine	1024
${P}theirs	1024
0"
}

@test "gc, not root, keeps what others may open: not all was inspected" {
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	private '
		old "${P}private" "${P}shared"
		chmod 644 "/dev/shm/${P}shared"
		chown 65534 "/dev/shm/${P}private" "/dev/shm/${P}shared"
		# Root'"'"'s processes, this shell among them, are hidden from
		# nobody: only its own processes could open a 0600 object.
		SHM_STATE_DIR=/nonexistent setpriv --reuid 65534 \
		    --regid 65534 --clear-groups "$SHM" gc --older-than 1d
		echo "rc $?"
		ls /dev/shm'
	assert_equal "$output" "${P}private	1024
rc 0
${P}shared"
	local re="^shm: gc: 1 object kept that others may open, as not every process could be inspected:
shm: gc: [0-9]+ process(es)? could not be inspected: Permission denied\$"
	[[ "$stderr" =~ $re ]] || { echo "$stderr"; false; }
}

@test "gc -n removes nothing, and --json says the same in JSON" {
	private '
		old "${P}a"
		shm write "${P}a" -s hi
		touch -d "2 days ago" "/dev/shm/${P}a"
		shm gc --older-than 1d -n --json
		shm gc --older-than 2h --dry-run
		ls /dev/shm'
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" "[
  {\"name\": \"${P}a\", \"kind\": \"object\", \"size\": 1024, \"allocated\": 4096}
]
${P}a	1024
${P}a"
}

@test "gc removes shm's own old temporaries, never other hidden names" {
	private '
		old ".shm-create-1-0" ".shm-scratch-Ab12Cd" ".${P}dot" \
		    "sem.${P}s"
		shm gc --older-than 1d --json
		ls -A /dev/shm'
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" "[
  {\"name\": \".shm-create-1-0\", \"kind\": \"temporary\", \"size\": 1024, \"allocated\": 0},
  {\"name\": \".shm-scratch-Ab12Cd\", \"kind\": \"temporary\", \"size\": 1024, \"allocated\": 0}
]
.${P}dot
sem.${P}s"
}

@test "gc prints nothing, or [], when nothing is old enough" {
	private '
		shm create "${P}a" 1
		shm gc --older-than 10m
		shm gc --older-than 10m --json
		shm gc --older-than 0 -n'
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" "[]
${P}a	1"
}

@test "gc --sysv removes orphans only: none attached, creator gone" {
	private '
		# Made by a process that has gone.
		python3 -c "
import ctypes
libc = ctypes.CDLL(None)
for key in 0x5c01, 0x5c02:
    if libc.shmget(key, 4096, 0o1600) < 0:
        raise SystemExit(1)" || exit
		python3 -c "
import ctypes, signal
libc = ctypes.CDLL(None)
libc.shmat.restype = ctypes.c_void_p
if libc.shmat(libc.shmget(0x5c02, 0, 0), None, 0) in (None, 2**64 - 1):
    raise SystemExit(1)
libc.shmget(0x5c03, 4096, 0o1600)	# it made it, and lives on
open(\"sysv.ready\", \"w\").close()
signal.pause()" &
		await_file sysv.ready || exit
		id=$(awk "\$1 == $((0x5c01)) { print \$2 }" /proc/sysvipc/shm)
		shm gc --older-than 0 > out
		[ ! -s out ] || { cat out; exit 1; }
		shm gc --older-than 0 --sysv > out
		[ "$(cat out)" = "sysvid:$id	4096" ] || { cat out; exit 1; }
		awk "NR > 1 { printf \"%x\\n\", \$1 }" /proc/sysvipc/shm | sort'
	assert_equal "$stderr" ""
	assert_equal "$status" 0
	assert_equal "$output" "5c02
5c03"
}

@test "gc's durations: units s, m, h, d; anything else is refused" {
	local d
	for d in "" 1.5h -1 1w 10M " 1m" "1m " 2hh 0x10 h 36501d \
	    99999999999999999999; do
		capture shm gc --older-than "$d"
		assert_equal "$status" 2
		case $d in
		36501d|9*) reason="more than ten years" ;;
		*) reason="not a duration (a whole number and s, m, h or d)" ;;
		esac
		assert_equal "$stderr" "shm: gc: --older-than '$d': $reason (see 'shm gc --help')"
	done
	capture shm gc
	assert_fails 2 "shm: gc: missing --older-than DURATION (see 'shm gc --help')"
	capture shm gc --older-than 1d extra
	assert_fails 2 "shm: gc: gc takes no arguments (see 'shm gc --help')"
	private '
		for d in 0 30 30s 10m 2h 7d 3650d; do
			shm gc --older-than "$d" -n --json || exit
		done'
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" "$(printf '[]\n%.0s' 1 2 3 4 5 6 7)"
}
