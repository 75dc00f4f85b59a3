#!/usr/bin/env bats
# shm lock: a command run holding a segment's lock, and every shm
# command inside it working within that lock, at any depth.

load helpers

@test "shm commands inside shm lock work within it, at depth 2, by any name" {
	shm create "${P}q" 16
	capture timeout 20 "$SHM" lock "${P}q" -- sh -c '
		"$0" write "$1" -o 0 -s ab &&
		"$0" lock "/dev/shm/$1" sh -c "\"\$0\" write /\$1 -o 2 -s cd && \"\$0\" read \$1 -o 0 -n 4" "$0" "$1"' \
		"$SHM" "${P}q"
	assert_equal "$status" 0
	assert_equal "$output" abcd
	# And the cursor too, moved inside.
	timeout 20 "$SHM" lock "${P}q" "$SHM" write "${P}q" -s XY
	assert_equal "$(shm read "${P}q" -o 0 -n 4)" XYcd
}

@test "shm lock exits with its command's status; options after NAME are its own" {
	shm create "${P}q" 16
	run "$SHM" lock "${P}q" sh -c 'exit 7'
	assert_equal "$status" 7
	run "$SHM" lock "${P}q" ls -d /
	assert_equal "$output" /
	run "$SHM" lock "${P}q" sh -c 'kill -TERM $$'
	assert_equal "$status" 143
	run -127 --separate-stderr "$SHM" lock "${P}q" -- ./no-such-command
	assert_fails 127 "shm: lock: ./no-such-command: No such file or directory"
	capture "$SHM" lock "${P}q"
	assert_fails 2 "shm: lock: missing COMMAND (see 'shm lock --help')"
	capture "$SHM" lock "${P}none" true
	assert_fails 2 "shm: lock: ${P}none: no such segment"
	capture "$SHM" lock -w x "${P}q" true
	assert_fails 2 "shm: lock: -w 'x': not a number of seconds (see 'shm lock --help')"
}

@test "a Python peer's fcntl.flock makes shm lock -w time out, naming it" {
	shm create "${P}q" 16
	python3 -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
open("held", "w").close()
for _ in range(1200):            # until done, or a minute at most
    if os.path.exists("done"):
        break
    time.sleep(0.05)' "/dev/shm/${P}q" &
	local py=$!
	while [ ! -e held ]; do nap 0.05; done
	capture "$SHM" lock -w 0.5 "${P}q" true
	assert_equal "$status" 1
	[[ "$stderr" == "shm: lock: ${P}q: lock not had within 0.5 s: held by pid $py ("*"python3 -c "* ]]
	capture "$SHM" lock -w 0 "${P}q" true
	assert_equal "$status" 1
	# SHM_LOCK_TIMEOUT bounds every command's wait: an error there.
	SHM_LOCK_TIMEOUT=0.3 capture "$SHM" write "${P}q" -s x
	assert_equal "$status" 2
	touch done
	[[ "$stderr" == "shm: write: ${P}q: lock not had within 0.3 s (SHM_LOCK_TIMEOUT): held by pid $py "* ]]
	wait "$py"
	# Free again: no wait at all.
	run "$SHM" lock -w 0 "${P}q" true
	assert_equal "$status" 0
}

@test "two shared locks at once; no change under a shared lock" {
	shm create "${P}q" 16
	"$SHM" lock -s "${P}q" sh -c 'touch held
		until [ -e done ]; do sleep 0.05; done' &
	while [ ! -e held ]; do nap 0.05; done
	run "$SHM" lock -s -w 0.5 "${P}q" "$SHM" read "${P}q" -o 0 -n 1
	assert_equal "$status" 0
	run "$SHM" lock -w 0.2 "${P}q" true
	touch done
	assert_equal "$status" 1
	wait
	for cmd in "write ${P}q -s x" "write ${P}q -o 0 --as B 1" \
	    "resize ${P}q 32" "seek ${P}q 3" "move ${P}q 0 1 1"; do
		capture "$SHM" lock -s "${P}q" "$SHM" $cmd
		assert_fails 2 "shm: ${cmd%% *}: ${P}q: under a shared lock, which allows no change; lock it without -s"
	done
	# Shared inside exclusive narrows it.
	capture "$SHM" lock "${P}q" "$SHM" lock -s "${P}q" "$SHM" write "${P}q" -s x
	assert_equal "$status" 2
	cmp "/dev/shm/${P}q" <(head -c 16 /dev/zero)
}

@test "a forged SHM_LOCKED does not let a command skip the lock" {
	shm create "${P}q" 16
	local key
	key=$(stat -c '%D:%i' "/dev/shm/${P}q")
	key="$(printf '%x' "0x${key%%:*}"):$(printf '%x' "${key##*:}")"
	"$SHM" lock "${P}q" sh -c 'touch held
		until [ -e done ]; do sleep 0.05; done' &
	while [ ! -e held ]; do nap 0.05; done
	# fd 5 is open on the segment, but holds no lock.
	SHM_LOCK_TIMEOUT=0.3 SHM_LOCKED="5:$key:x" capture \
		"$SHM" write "${P}q" -o 0 -s x 5<"/dev/shm/${P}q"
	touch done
	assert_equal "$status" 2
	wait
	cmp "/dev/shm/${P}q" <(head -c 16 /dev/zero)
}

@test "4 producers of length-prefixed records under shm lock: every record whole" {
	shm create "${P}q" 0
	local i n=$((5 * SCALE))
	for i in 1 2 3 4; do
		(
			for ((j = 1; j <= n; j++)); do
				printf -v pad '%*s' $((RANDOM % 300)) ''
				body="producer $i record $j ${pad// /x}"
				# The length, then the body, at the end.
				"$SHM" lock "${P}q" sh -c '
					"$0" resize "$1" +4 &&
					"$0" write "$1" -o -4 --as "<I" "$2" &&
					"$0" write "$1" --grow -s "$3" \
					    -o "$("$0" stat -f size "$1")"' \
					"$SHM" "${P}q" "${#body}" "$body"
			done
		) &
	done
	wait
	python3 -c '
import struct, sys
data = open(sys.argv[1], "rb").read()
off = n = 0
while off < len(data):
    (size,) = struct.unpack_from("<I", data, off)
    body = data[off + 4:off + 4 + size]
    assert body.startswith(b"producer "), (off, body[:20])
    off += 4 + size
    n += 1
assert off == len(data) and n == 4 * int(sys.argv[2]), (off, len(data), n)' \
	    "/dev/shm/${P}q" "$n"
}
