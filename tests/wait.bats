#!/usr/bin/env bats
# shm wait, and read --follow: waiting for what peers do.

load helpers

# Starts, in the background, a Python process that stores byte 0x41 at
# offset $2 of /dev/shm/$1 through a mapping, after $3 seconds.
python_store() {
	python3 -c '
import mmap, os, sys, time
time.sleep(float(sys.argv[3]))
m = mmap.mmap(os.open("/dev/shm/" + sys.argv[1], os.O_RDWR), 0)
m[int(sys.argv[2])] = 0x41' "$@" &
}

@test "wait --change is woken by a store through a Python mapping" {
	shm create "${P}a" 4096
	python_store "${P}a" 100 0.3
	run timeout 20 "$SHM" wait "${P}a" --change -t 15
	assert_equal "$status" 0
	# It returned because of the store, not before it.
	assert_equal "$(shm read "${P}a" -o 100 -n 1)" A
	wait
}

@test "wait --change is woken by a C write(2) and by shm write" {
	cc -o pwrite_peer -x c - <<-'EOF' || skip "no C compiler"
	#include <fcntl.h>
	#include <unistd.h>
	int main(int c, char **v) { (void)c; usleep(300000);
		int fd = open(v[1], O_WRONLY);
		return fd < 0 || pwrite(fd, "C", 1, 7) != 1; }
	EOF
	shm create "${P}a" 64
	./pwrite_peer "/dev/shm/${P}a" &
	run timeout 20 "$SHM" wait "${P}a" -o 4 -n 8 --change -t 15
	assert_equal "$status" 0
	assert_equal "$(shm read "${P}a" -o 7 -n 1)" C
	wait
	(sleep 0.3; "$SHM" write "${P}a" -o 60 -s z) &
	run timeout 20 "$SHM" wait "${P}a" -o -4 --change -t 15
	assert_equal "$status" 0
	assert_equal "$(shm read "${P}a" -o 60 -n 1)" z
	wait
	# A change outside the range does not count.
	(sleep 0.2; "$SHM" write "${P}a" -o 0 -s x) &
	run timeout 20 "$SHM" wait "${P}a" -o 32 -n 8 --change -t 0.6
	assert_equal "$status" 1
	wait
}

@test "wait --until: a counter reaching a value, printed as read --as prints it" {
	shm create "${P}a" 16
	(for i in 1 2 3 4 5; do sleep 0.1; "$SHM" write "${P}a" -o 8 --as '<Q' "$((i * 50))"; done) &
	run --separate-stderr timeout 20 "$SHM" wait "${P}a" -o 8 --as '<Q' --until '>= 100' -t 15
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
	(sleep 0.3; "$SHM" create "${P}a" 16) &
	run timeout 20 "$SHM" wait "${P}a" --exists -t 15
	assert_equal "$status" 0
	[ -f "/dev/shm/${P}a" ]
	wait
	run "$SHM" wait "${P}none" --exists -t 0.2
	assert_equal "$status" 1
	run "$SHM" wait "${P}none" --gone
	assert_equal "$status" 0
	(sleep 0.3; "$SHM" rm "${P}a") &
	run timeout 20 "$SHM" wait "${P}a" --gone -t 15
	assert_equal "$status" 0
	[ ! -e "/dev/shm/${P}a" ]
	wait
	# Replaced counts as gone.
	shm create "${P}b" 16
	(sleep 0.3; "$SHM" create --force "${P}b" 16) &
	run timeout 20 "$SHM" wait "${P}b" --gone -t 15
	assert_equal "$status" 0
	wait
	run "$SHM" wait "${P}b" --gone -t 0.2
	assert_equal "$status" 1
}

@test "wait refuses what it cannot do" {
	shm create "${P}a" 16
	run --separate-stderr "$SHM" wait "${P}a"
	assert_fails 2 "shm: wait: missing the condition: --change, --as with --until, --exists or --gone (see 'shm wait --help')"
	run --separate-stderr "$SHM" wait "${P}a" --change --gone
	assert_fails 2 "shm: wait: one condition: --change, --as with --until, --exists or --gone (see 'shm wait --help')"
	run --separate-stderr "$SHM" wait "${P}a" --as '<2I' --until '== 1'
	assert_fails 2 "shm: wait: --until compares one value: format '<2I' has 2 (see 'shm wait --help')"
	run --separate-stderr "$SHM" wait "${P}a" --as '<b' --until '== 300'
	assert_fails 2 "shm: wait: --until '== 300': value 1 ('300'): argument out of range for 'b' (-128..127) (see 'shm wait --help')"
	run --separate-stderr "$SHM" wait "${P}a" --as '4s' --until '< ab'
	assert_fails 2 "shm: wait: --until '< ab': only == and != compare bytes and booleans (see 'shm wait --help')"
	run --separate-stderr "$SHM" wait "${P}a" --as '<I' --until '=~ 1'
	assert_fails 2 "shm: wait: --until '=~ 1': not 'OP VALUE' with OP one of == != < <= > >= (see 'shm wait --help')"
	run --separate-stderr "$SHM" wait "${P}a" -o 14 --as '<I' --until '== 0'
	assert_fails 2 "shm: wait: ${P}a: format of size 4 does not fit at offset 14 (2 bytes left)"
	run --separate-stderr "$SHM" wait "${P}a" --change -t soon
	assert_fails 2 "shm: wait: -t 'soon': not a number of seconds (see 'shm wait --help')"
	run --separate-stderr "$SHM" wait "${P}none" --change
	assert_fails 2 "shm: wait: ${P}none: no such segment"
}

@test "a follower gets everything three appenders wrote, and ends when it is removed" {
	shm create "${P}log" 0
	timeout 60 "$SHM" read "${P}log" --follow -o 0 > got &
	local follower=$! i
	for i in 1 2 3; do
		(for j in $(seq 30); do printf 'w%d r%02d\n' "$i" "$j" | "$SHM" write "${P}log" --append; done) &
	done
	wait %2 %3 %4
	shm rm "${P}log"
	wait "$follower"
	assert_equal "$(wc -l < got)" 90
	for i in 1 2 3; do
		assert_equal "$(grep -c "^w$i " got)" 30
		# Each appender's lines arrive in its order.
		assert_equal "$(grep "^w$i " got | cut -d' ' -f2 | xargs)" "$(printf 'r%02d ' $(seq 30) | sed 's/ $//')"
	done
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
	run --separate-stderr "$SHM" read "${P}log" --follow -n 3
	assert_fails 2 "shm: read: --follow takes no -n, --line, -O or --as (see 'shm read --help')"
	run --separate-stderr "$SHM" read "${P}log" --timeout 1
	assert_fails 2 "shm: read: --timeout goes with --follow (see 'shm read --help')"
}

@test "a follower whose reader has stopped reading keeps no writer waiting" {
	shm create "${P}log" 0
	head -c 1000000 /dev/zero | shm write "${P}log" --append
	# sleep never reads: the follower blocks on the full pipe.
	(timeout 20 "$SHM" read "${P}log" --follow -o 0 | sleep 3) &
	sleep 0.5
	SHM_LOCK_TIMEOUT=2 run --separate-stderr "$SHM" write "${P}log" --append -s x
	assert_equal "$status" 0
	SHM_LOCK_TIMEOUT=2 run --separate-stderr "$SHM" resize "${P}log" +1
	assert_equal "$status" 0
	wait
}
