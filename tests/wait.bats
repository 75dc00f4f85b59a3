#!/usr/bin/env bats
# shm wait, and read --follow: waiting for what peers do.

load helpers

# Also ends a waiter a failed test left behind, and removes the SysV
# segments it made.
teardown() {
	local id
	[ -z "${WAITER:-}" ] || kill "$WAITER" 2>/dev/null || true
	for id in ${SYSV_IDS:-}; do
		ipcrm -m "$id" 2>/dev/null || true
	done
	helpers_teardown
}

# Stores byte 0x41 at offset $2 of /dev/shm/$1 through a mapping.
python_store() {
	python3 -c '
import mmap, os, sys
m = mmap.mmap(os.open("/dev/shm/" + sys.argv[1], os.O_RDWR), 0)
m[int(sys.argv[2])] = 0x41' "$@"
}

# Starts "shm wait ARGS..." in the background (stdout in ./out, stderr
# in ./err) and returns once it has taken its first look.
start_waiter() {
	"$SHM" wait "$@" >out 2>err 3>&- &
	WAITER=$!
	await_looking "$WAITER"
}

# Asserts that the waiter has seen no change: it looks on, and ends only
# when it is told to.
assert_waiting() {
	await_looks "$WAITER" 3
	kill "$WAITER"
	end_waiter
	assert_fails 143 ""
}

# Waits for the waiter: $status, $output and $stderr are its own.
end_waiter() {
	wait "$WAITER" && status=0 || status=$?
	WAITER=
	output=$(cat out)
	stderr=$(cat err)
}

@test "wait --change is woken by a store through a Python mapping" {
	shm create "${P}a" 4096
	start_waiter "${P}a" --change -t 15
	python_store "${P}a" 100
	end_waiter
	assert_fails 0 ""
	assert_equal "$(shm read "${P}a" -o 100 -n 1)" A
	# Nothing else wakes it.
	capture "$SHM" wait "${P}a" --change -t 0.2
	assert_fails 1 ""
}

@test "wait --change is woken by a C write(2) and by shm write" {
	cc -o pwrite_peer -x c - <<-'EOF' || skip "no C compiler"
	#include <fcntl.h>
	#include <unistd.h>
	int main(int c, char **v) { (void)c;
		int fd = open(v[1], O_WRONLY);
		return fd < 0 || pwrite(fd, "C", 1, 7) != 1; }
	EOF
	shm create "${P}a" 64
	start_waiter "${P}a" -o 4 -n 8 --change -t 15
	./pwrite_peer "/dev/shm/${P}a"
	end_waiter
	assert_fails 0 ""
	assert_equal "$(shm read "${P}a" -o 7 -n 1)" C
	start_waiter "${P}a" -o -4 --change -t 15
	shm write "${P}a" -o 60 -s z
	end_waiter
	assert_fails 0 ""
	# A change outside the range does not count.
	start_waiter "${P}a" -o 32 -n 8 --change -t 15
	shm write "${P}a" -o 0 -s x
	assert_waiting
}

@test "wait --change: NAME replaced by create --force or mv is a change" {
	# The same bytes: only the name tells the new segment from the old.
	shm create "${P}a" 16
	head -c 16 /dev/zero > zeros
	start_waiter "${P}a" -n 4 --change -t 15
	shm create --force --from zeros "${P}a"
	end_waiter
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	# A file path, replaced by a rename.
	printf abcd > f
	printf abcd > g
	start_waiter ./f --change -t 15
	mv g f
	end_waiter
	assert_fails 0 ""
	# A symlink made to point elsewhere names another file too.
	printf abcd > g
	ln -s f link
	start_waiter ./link --change -t 15
	ln -sfn g link
	end_waiter
	assert_fails 0 ""
	# And nothing of that kind: no change.
	capture "$SHM" wait ./f --change -t 0.2
	assert_fails 1 ""
}

@test "wait --change: a removal is a change; the next wait is an error" {
	shm create "${P}a" 16
	start_waiter "${P}a" --change -t 15
	shm rm "${P}a"
	end_waiter
	assert_fails 0 ""
	# So "while shm wait X --change; do shm read X; done" ends here.
	capture "$SHM" wait "${P}a" --change -t 15
	assert_fails 2 "shm: wait: ${P}a: no such segment"
	printf abcd > f
	start_waiter ./f -o 1 -n 2 --change -t 15
	rm f
	end_waiter
	assert_fails 0 ""
}

@test "wait --change on an empty range: growth by append, resize, ftruncate" {
	# A fresh log: nothing to compare, but growth is a change.
	shm create "${P}log" 0
	start_waiter "${P}log" --change -t 15
	shm write "${P}log" --append -s x
	end_waiter
	assert_fails 0 ""
	# -o at the end of it: growth past the offset.
	start_waiter "${P}log" -o 1 --change -t 15
	shm resize "${P}log" 8
	end_waiter
	assert_fails 0 ""
	# -n 0 watches the size alone: a peer's ftruncate.
	start_waiter "${P}log" -o 2 -n 0 --change -t 15
	python3 -c 'import os, sys
fd = os.open("/dev/shm/" + sys.argv[1], os.O_RDWR)
os.ftruncate(fd, 16)' "${P}log"
	end_waiter
	assert_fails 0 ""
	assert_equal "$(shm stat -f size "${P}log")" 16
	# ... where a byte written is no change, and a shrink is one.
	start_waiter "${P}log" -n 0 --change -t 15
	shm write "${P}log" -o 0 -s y
	assert_waiting
	start_waiter "${P}log" -n 0 --change -t 15
	shm resize --shrink "${P}log" 12
	end_waiter
	assert_fails 0 ""
}

@test "wait --change: growth into the range counts, growth past it does not" {
	shm create "${P}a" 4
	# [2, 10) holds 2 bytes: growing to 6 adds 2 more to it.
	start_waiter "${P}a" -o 2 -n 8 --change -t 15
	shm resize "${P}a" 6
	end_waiter
	assert_fails 0 ""
	# [0, 4) lies inside already: growing past it changes nothing.
	start_waiter "${P}a" -n 4 --change -t 15
	shm resize "${P}a" 64
	assert_waiting
	# Cut short inside the range, or out of it: a change.
	start_waiter "${P}a" -o 32 -n 8 --change -t 15
	shm resize --shrink "${P}a" 36
	end_waiter
	assert_fails 0 ""
	start_waiter "${P}a" -o 32 --change -t 15
	shm resize --shrink "${P}a" 16
	end_waiter
	assert_fails 0 ""
}

@test "wait --until: a transient shrink below the value goes on waiting" {
	shm create "${P}a" 16
	start_waiter "${P}a" -o 8 --as '<Q' --until '== 7' -t 15
	# Below the offset itself, then into the value: not there, no error.
	shm resize --shrink "${P}a" 4
	await_looks "$WAITER" 2
	shm resize "${P}a" 12
	await_looks "$WAITER" 2
	kill -0 "$WAITER"
	shm resize "${P}a" 16
	shm write "${P}a" -o 8 --as '<Q' 7
	end_waiter
	assert_fails 0 ""
	assert_equal "$output" 7
	# Not there at the start is still an error, said at once.
	shm resize --shrink "${P}a" 4
	capture "$SHM" wait "${P}a" -o 2 --as '<Q' --until '== 7'
	assert_fails 2 "shm: wait: ${P}a: format of size 8 does not fit at offset 2 (2 bytes left)"
}

@test "wait --until watches what replaces NAME; NAME removed is an error" {
	shm create "${P}a" 16
	start_waiter "${P}a" -o 8 --as '<Q' --until '>= 9' -t 15
	# A new segment put in place, its value not yet there...
	shm create --force "${P}a" 16
	await_looks "$WAITER" 2
	kill -0 "$WAITER"
	# ... is the one watched: the old one is no longer NAME's.
	shm write "${P}a" -o 8 --as '<Q' 9
	end_waiter
	assert_fails 0 ""
	assert_equal "$output" 9
	# Published with the value in it, by a rename over a file path.
	printf '\0\0\0\0' > f
	printf '\0\0\0\x2a' > g
	start_waiter ./f --as '>I' --until '== 42' -t 15
	mv g f
	end_waiter
	assert_fails 0 ""
	assert_equal "$output" 42
	# No value can come to a segment no name reaches.
	start_waiter "${P}a" -o 8 --as '<Q' --until '== 10' -t 15
	shm rm "${P}a"
	end_waiter
	assert_fails 2 "shm: wait: ${P}a: removed while waiting"
	assert_equal "$output" ""
}

@test "wait on SysV segments: --exists, --gone, --change, --until" {
	command -v ipcmk >/dev/null || skip "ipcmk is not installed"
	local out id key
	out=$(ipcmk -M 4096) || skip "cannot make a SysV segment here"
	id=${out##* }
	SYSV_IDS=$id
	key=$(awk -v id="$id" '$2 == id { printf "0x%08x", $1 < 0 ? $1 + 4294967296 : $1 }' /proc/sysvipc/shm)
	capture "$SHM" wait "sysvid:$id" --exists -t 15
	assert_fails 0 ""
	capture "$SHM" wait "sysv:$key" --exists -t 15
	assert_fails 0 ""
	capture "$SHM" wait "sysvid:$id" --gone -t 0.2
	assert_fails 1 ""
	capture "$SHM" wait "sysv:$key" --gone -t 0.2
	assert_fails 1 ""
	start_waiter "sysvid:$id" -o 100 -n 4 --change -t 15
	shm write "sysvid:$id" -o 102 -s z
	end_waiter
	assert_fails 0 ""
	# Nothing of it is reported: with --no-poll it is looked at all the
	# same (shm write stores through its attachment).
	start_waiter "sysvid:$id" -o 100 -n 4 --change --no-poll -t 15
	shm write "sysvid:$id" -o 101 -s y
	end_waiter
	assert_fails 0 ""
	start_waiter "sysvid:$id" -o 8 --as '<Q' --until '== 5' -t 15
	shm write "sysvid:$id" -o 8 --as '<Q' 5
	end_waiter
	assert_fails 0 ""
	assert_equal "$output" 5
	# Removed while attached (the waiter's own attachment keeps it):
	# IPC_RMID only marks it, and marked is gone.
	start_waiter "sysvid:$id" --change -t 15
	local changer=$WAITER
	start_waiter "sysv:$key" --gone -t 15
	ipcrm -m "$id"
	end_waiter
	assert_fails 0 ""
	WAITER=$changer
	end_waiter
	assert_fails 0 ""
	capture "$SHM" wait "sysvid:$id" --gone -t 15
	assert_fails 0 ""
	capture "$SHM" wait "sysvid:$id" --exists -t 0.2
	assert_fails 1 ""
	capture "$SHM" wait "sysv:$key" --exists -t 0.2
	assert_fails 1 ""
}

@test "wait on sysv:KEY: the key given to another segment is a change" {
	[ -r /proc/sysvipc/shm ] || skip "no /proc/sysvipc/shm"
	# A key of this test's own, for segments made with it.
	local key=$(((0x5e000000 + $$ % 65536 * 256 + BATS_SUITE_TEST_NUMBER) % 0x7fffffff))
	make_keyed() {
		python3 -c '
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
id = libc.shmget(int(sys.argv[1]), 4096, 0o3600)   # IPC_CREAT|IPC_EXCL
sys.exit(1) if id < 0 else print(id)' "$key"
	}
	local id1 id2
	id1=$(make_keyed) || skip "cannot make a SysV segment of key $key"
	SYSV_IDS=$id1
	start_waiter "sysv:$key" --change -t 15
	local changer=$WAITER
	start_waiter "sysv:$key" --gone -t 15
	ipcrm -m "$id1"
	id2=$(make_keyed)
	SYSV_IDS="$id1 $id2"
	end_waiter
	assert_fails 0 ""
	WAITER=$changer
	end_waiter
	assert_fails 0 ""
	# The key names the new one now.
	capture "$SHM" wait "sysv:$key" --gone -t 0.2
	assert_fails 1 ""
	capture "$SHM" wait "sysv:$key" --exists -t 15
	assert_fails 0 ""
	ipcrm -m "$id2"
	capture "$SHM" wait "sysv:$key" --gone -t 15
	assert_fails 0 ""
}

@test "wait --change --no-poll is woken by write(2), truncation and the name" {
	shm create "${P}a" 64
	start_waiter "${P}a" -o 4 -n 8 --change --no-poll -t 15
	python3 -c 'import os, sys
os.pwrite(os.open("/dev/shm/" + sys.argv[1], os.O_WRONLY), b"P", 7)' "${P}a"
	end_waiter
	assert_fails 0 ""
	start_waiter "${P}a" -o 10 -n 4 --change --no-poll -t 15
	shm write "${P}a" -o 12 -s s
	end_waiter
	assert_fails 0 ""
	# O_APPEND: the range runs to the end, and the segment grows.
	start_waiter "${P}a" -o 60 --change --no-poll -t 15
	printf z >> "/dev/shm/${P}a"
	end_waiter
	assert_fails 0 ""
	start_waiter "${P}a" -n 0 --change --no-poll -t 15
	truncate -s 100 "/dev/shm/${P}a"
	end_waiter
	assert_fails 0 ""
	assert_equal "$(shm stat -f size "${P}a")" 100
	# The same bytes under the name, put there by a rename: replaced.
	shm read "${P}a" > same
	start_waiter "${P}a" --change --no-poll -t 15
	shm create --force --from same "${P}a"
	end_waiter
	assert_fails 0 ""
	start_waiter "${P}a" --change --no-poll -t 15
	shm rm "${P}a"
	end_waiter
	assert_fails 0 ""
	# A file, written with >> and replaced by mv.
	printf abcd > f
	start_waiter ./f --change --no-poll -t 15
	printf e >> f
	end_waiter
	assert_fails 0 ""
	printf abcde > g
	start_waiter ./f --change --no-poll -t 15
	mv g f
	end_waiter
	assert_fails 0 ""
}

@test "wait --change --no-poll does not look for stores through a mapping" {
	skip_if_portable "nothing is reported: it looks every ms"
	shm create "${P}a" 4096
	start_waiter "${P}a" --change --no-poll -t 1
	python_store "${P}a" 100
	end_waiter
	assert_fails 1 ""
	assert_equal "$(shm read "${P}a" -o 100 -n 1)" A
}

@test "wait --change sees a store in the last byte of 64 MiB, and gives holes no memory" {
	shm create "${P}a" 64M
	start_waiter "${P}a" --change -t 60
	# Round the range more than once: its holes are still holes.
	await_looks "$WAITER" 200
	assert_equal "$(stat -c %b "/dev/shm/${P}a")" 0
	python_store "${P}a" $((64 * 1048576 - 1))
	end_waiter
	assert_fails 0 ""
	# All of it data, and a store at the last byte again.
	head -c 64M /dev/zero | tr '\0' 'x' | shm write "${P}a" -o 0
	start_waiter "${P}a" -o 1 --change -t 60
	python_store "${P}a" $((64 * 1048576 - 1))
	end_waiter
	assert_fails 0 ""
	assert_equal "$(shm read "${P}a" -o -2 -n 2)" xA
}

@test "wait --until --no-poll is woken by a write, and follows a replacement" {
	shm create "${P}a" 16
	start_waiter "${P}a" -o 8 --as '<Q' --until '== 3' --no-poll -t 15
	shm create --force "${P}a" 16
	shm write "${P}a" -o 8 --as '<Q' 3
	end_waiter
	assert_fails 0 ""
	assert_equal "$output" 3
}

@test "wait --until: a counter reaching a value, printed as read --as prints it" {
	shm create "${P}a" 16
	(for i in 1 2 3 4 5; do sleep 0.1; "$SHM" write "${P}a" -o 8 --as '<Q' "$((i * 50))"; done) &
	capture timeout 20 "$SHM" wait "${P}a" -o 8 --as '<Q' --until '>= 100' -t 15
	assert_equal "$status" 0
	[ "$output" -ge 100 ]
	wait
	# Holds at once: returns at once.  Floats, signed, bytes.
	run "$SHM" wait "${P}a" -o 8 --as '<Q' --until '== 250'
	assert_equal "$output" 250
	shm write "${P}a" -o 0 --as '<i' -5
	run "$SHM" wait "${P}a" --as '<i' --until '< -4'
	assert_equal "$output" -5
	run "$SHM" wait "${P}a" --as '<i' --until '> 0' -t 0.2
	assert_equal "$status" 1
	shm write "${P}a" -o 0 --as '<d' 2.5
	run "$SHM" wait "${P}a" --as '<d' --until '>= 2.25'
	assert_equal "$output" 2.5
	shm write "${P}a" -o 0 -s 'ok'
	run "$SHM" wait "${P}a" --as 2s --until '== ok'
	assert_equal "$output" ok
	# 2^64-1 compares as an integer, not a float.
	shm write "${P}a" -o 8 --as '<Q' 18446744073709551615
	run "$SHM" wait "${P}a" -o 8 --as '<Q' --until '> 18446744073709551614'
	assert_equal "$output" 18446744073709551615
}

@test "wait --exists and --gone" {
	start_waiter "${P}a" --exists -t 15
	shm create "${P}a" 16
	end_waiter
	assert_fails 0 ""
	capture "$SHM" wait "${P}none" --exists -t 0.2
	assert_fails 1 ""
	capture "$SHM" wait "${P}none" --gone
	assert_fails 0 ""
	start_waiter "${P}a" --gone -t 15
	shm rm "${P}a"
	end_waiter
	assert_fails 0 ""
	# Replaced counts as gone, by create --force or by mv of a file.
	shm create "${P}b" 16
	start_waiter "${P}b" --gone -t 15
	shm create --force "${P}b" 16
	end_waiter
	assert_fails 0 ""
	capture "$SHM" wait "${P}b" --gone -t 0.2
	assert_fails 1 ""
	printf a > f
	printf b > g
	start_waiter ./f --gone -t 15
	mv g f
	end_waiter
	assert_fails 0 ""
}

@test "wait refuses what it cannot do" {
	shm create "${P}a" 16
	capture "$SHM" wait "${P}a"
	assert_fails 2 "shm: wait: missing the condition: --change, --as with --until, --exists or --gone (see 'shm wait --help')"
	capture "$SHM" wait "${P}a" --change --gone
	assert_fails 2 "shm: wait: one condition: --change, --as with --until, --exists or --gone (see 'shm wait --help')"
	capture "$SHM" wait "${P}a" --as '<2I' --until '== 1'
	assert_fails 2 "shm: wait: --until compares one value: format '<2I' has 2 (see 'shm wait --help')"
	capture "$SHM" wait "${P}a" --as '<b' --until '== 300'
	assert_fails 2 "shm: wait: --until '== 300': value 1 ('300'): argument out of range for 'b' (-128..127) (see 'shm wait --help')"
	capture "$SHM" wait "${P}a" --as '4s' --until '< ab'
	assert_fails 2 "shm: wait: --until '< ab': only == and != compare bytes and booleans (see 'shm wait --help')"
	capture "$SHM" wait "${P}a" --as '<I' --until '=~ 1'
	assert_fails 2 "shm: wait: --until '=~ 1': not 'OP VALUE' with OP one of == != < <= > >= (see 'shm wait --help')"
	capture "$SHM" wait "${P}a" -o 14 --as '<I' --until '== 0'
	assert_fails 2 "shm: wait: ${P}a: format of size 4 does not fit at offset 14 (2 bytes left)"
	capture "$SHM" wait "${P}a" --change -t soon
	assert_fails 2 "shm: wait: -t 'soon': not a number of seconds (see 'shm wait --help')"
	capture "$SHM" wait "${P}none" --change
	assert_fails 2 "shm: wait: ${P}none: no such segment"
	capture "$SHM" wait "${P}a" --exists --no-poll
	assert_fails 2 "shm: wait: --exists and --gone take no --no-poll (see 'shm wait --help')"
}

@test "a follower gets everything three appenders wrote, and ends when it is removed" {
	shm create "${P}log" 0
	timeout 60 "$SHM" read "${P}log" --follow -o 0 > got &
	local follower=$! i j n=$((20 * SCALE)) rec
	for i in 1 2 3; do
		(for ((j = 1; j <= n; j++)); do
			printf -v rec 'w%d r%02d\n' "$i" "$j"
			"$SHM" write "${P}log" --append -s "$rec" || exit 1
		done) &
	done
	wait %2 %3 %4
	shm rm "${P}log"
	wait "$follower"
	# Each appender's lines, each once and in its order.
	local -a got=() lines
	mapfile -t lines < got
	assert_equal "${#lines[@]}" $((3 * n))
	for rec in "${lines[@]}"; do
		got[${rec:1:1}]+="${rec#* } "
	done
	printf -v rec 'r%02d ' $(seq "$n")
	for i in 1 2 3; do
		assert_equal "${got[i]}" "$rec"
	done
}

@test "a follower with --no-poll gets what write(2) appends, and ends when it is removed" {
	shm create "${P}log" 0
	timeout 60 "$SHM" read "${P}log" --follow --no-poll -o 0 > got &
	local follower=$! i
	for i in 1 2 3; do
		printf 'o%d\n' "$i" >> "/dev/shm/${P}log"
		printf 'w%d\n' "$i" | shm write "${P}log" --append
	done
	# Until all six lines are out (10 s at most).
	for ((i = 0; i < 1000; i++)); do
		[ "$(wc -l < got)" -lt 6 ] || break
		nap 0.01
	done
	shm rm "${P}log"
	wait "$follower"
	assert_equal "$(cat got | xargs)" "o1 w1 o2 w2 o3 w3"
	capture "$SHM" read "${P}log" --no-poll
	assert_fails 2 "shm: read: --no-poll goes with --follow (see 'shm read --help')"
}

@test "follow --timeout, and a named cursor that resumes" {
	shm create "${P}log" 0
	echo one | shm write "${P}log" --append
	run timeout 20 "$SHM" read "${P}log" --follow --timeout 0.3 --cursor c
	assert_equal "$status" 1
	assert_equal "$output" one
	echo two | shm write "${P}log" --append
	run timeout 20 "$SHM" read "${P}log" --follow --timeout 0.3 --cursor c
	assert_equal "$output" two
	assert_equal "$(shm seek --cursor c "${P}log")" 8
	# A reader that goes away ends the follower (SIGPIPE).
	run bash -c 'timeout 20 "$0" read "$1" -f -o 0 | head -c 2' "$SHM" "${P}log"
	assert_equal "$output" on
	capture "$SHM" read "${P}log" --follow -n 3
	assert_fails 2 "shm: read: --follow takes no -n, --line, -O or --as (see 'shm read --help')"
	capture "$SHM" read "${P}log" --timeout 1
	assert_fails 2 "shm: read: --timeout goes with --follow (see 'shm read --help')"
}

@test "a follower whose reader has stopped reading keeps no writer waiting" {
	shm create "${P}log" 0
	head -c 1000000 /dev/zero | shm write "${P}log" --append
	# Nobody reads the FIFO: the follower blocks on the full pipe.
	mkfifo full
	exec 6<>full
	"$SHM" read "${P}log" --follow -o 0 >&6 &
	local pid=$!
	await_wchan "$pid" '*pipe*write*'
	SHM_LOCK_TIMEOUT=2 capture "$SHM" write "${P}log" --append -s x
	assert_equal "$status" 0
	SHM_LOCK_TIMEOUT=2 capture "$SHM" resize "${P}log" +1
	assert_equal "$status" 0
	kill "$pid"
	wait "$pid" || true
	exec 6>&-
}

@test "wait --layout FILE --until 'FIELD OP VALUE' at -o" {
	shm create "${P}a" 32
	printf '>\nflag:?\nn:i\n' > rec.layout
	(for ((i = 0; i < 3; i++)); do
		shm write -o 8 --layout rec.layout "${P}a" n-=1 >/dev/null
	done) &
	capture shm wait "${P}a" -o 8 --layout rec.layout \
	    --until 'n <= -3' -t 20
	assert_equal "$output" "n=-3"
	assert_equal "$status" 0
	wait
	capture shm wait "${P}a" -o 8 --layout rec.layout \
	    --until 'flag == True' -t 0.05
	assert_equal "$status" 1
	capture shm wait "${P}a" --layout rec.layout \
	    --until 'n'
	assert_fails 2 "shm: wait: --until 'n': not 'FIELD OP VALUE' with OP one of == != < <= > >= (see 'shm wait --help')"
}
