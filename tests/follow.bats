#!/usr/bin/env bats
# read --follow with a cursor: every byte once, across signals, closed
# pipes, kills, shared cursors and segments truncated under it.

load helpers

# 3,000,000 bytes of numbered lines: any byte out of place shows.
make_data() {
	seq -f 'record %07g' 200000 > data
}

# wait_size FILE N: until FILE holds at least N bytes (10 s at most).
# Each look is a process (stat), so the looks come 10 ms apart at
# first, then further, up to 80 ms: a few a second, not a hundred.
wait_size() {
	local ms=10 waited=0 size
	while :; do
		size=$(stat -c %s "$1" 2>/dev/null) || size=0
		[ "$size" -lt "$2" ] || return 0
		[ "$waited" -lt 10000 ] || break
		nap "0.0$ms"
		waited=$((waited + ms))
		[ "$ms" -ge 80 ] || ms=$((ms * 2))
	done
	echo "$1 never reached $2 bytes" >&2
	return 1
}

# slow_reader FIFO OUT [PAUSE...]: copies FIFO to OUT, 4 KiB a
# millisecond, a reader much slower than the follower; after the Nth
# PAUSE bytes, it stops reading until the file goN exists.
slow_reader() {
	python3 - "$@" <<'EOF'
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
out = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
pauses = [int(a) for a in sys.argv[3:]]
done = 0
while True:
    if pauses and done >= pauses[0]:
        while not os.path.exists("go%d" % (len(sys.argv) - 3 - len(pauses) + 1)):
            time.sleep(0.005)
        pauses.pop(0)
    b = os.read(fd, 4096)
    if not b:
        break
    os.write(out, b)
    done += len(b)
    time.sleep(0.001)
EOF
}

# stop_reader FIFO N PID: reads exactly N bytes of FIFO, stops the
# follower PID (its blocked write(2) then returns what it took), closes
# the FIFO with the bytes still in it, lets PID go on, and prints how
# many bytes the follower's writes accepted: those read, and those left
# in the pipe.
stop_reader() {
	python3 - "$@" <<'EOF'
import fcntl, os, signal, struct, sys, termios, time
fd = os.open(sys.argv[1], os.O_RDONLY)
want, pid = int(sys.argv[2]), int(sys.argv[3])
got = 0
while got < want:
    b = os.read(fd, want - got)
    if not b:
        sys.exit("the follower ended early")
    got += len(b)
os.kill(pid, signal.SIGSTOP)
for _ in range(2000):
    with open("/proc/%d/stat" % pid) as f:
        if f.read().rsplit(")", 1)[1].split()[0] == "T":
            break
    time.sleep(0.005)
else:
    sys.exit("the follower did not stop")
left = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]
os.close(fd)
os.kill(pid, signal.SIGCONT)
print(got + left)
EOF
}

# resume NAME CURSOR OUT: the rest, from the cursor, into OUT.
resume() {
	timeout 20 "$SHM" read "$1" -f --cursor "$2" --timeout 0.3 \
	    > "$3" 2> "$3.err" && status=0 || status=$?
	assert_equal "$status" 1
	assert_equal "$(cat "$3.err")" ""
}

@test "a follower stopped by TERM, INT or HUP on a slow reader goes on at the next byte" {
	local sig pid reader
	make_data
	for sig in TERM INT HUP; do
		shm create --from data "${P}$sig"
		mkfifo "fifo$sig"
		slow_reader "fifo$sig" "out$sig" &
		reader=$!
		env --default-signal=INT "$SHM" read "${P}$sig" -f \
		    --cursor c > "fifo$sig" 2> "err$sig" &
		pid=$!
		wait_size "out$sig" 100000
		kill -"$sig" "$pid"
		wait "$pid" && status=0 || status=$?
		wait "$reader"
		assert_equal "$status" $((128 + $(kill -l "$sig")))
		assert_equal "$(cat "err$sig")" ""
		# Saved: exactly what the pipe accepted, which the reader got.
		assert_equal "$(shm seek --cursor c "${P}$sig")" \
		    "$(stat -c %s "out$sig")"
		resume "${P}$sig" c "more$sig"
		cat "out$sig" "more$sig" | cmp - data
	done
}

@test "a follower whose reader closes the pipe saves exactly what its writes accepted" {
	local pid n
	make_data
	shm create --from data "${P}s"
	mkfifo fifo
	"$SHM" read "${P}s" -f --cursor c > fifo 2> err &
	pid=$!
	n=$(stop_reader fifo 5000 "$pid")
	wait "$pid" && status=0 || status=$?
	assert_equal "$status" 141
	assert_equal "$(cat err)" ""
	# Bytes left in the pipe were accepted: delivered, and not again.
	[ "$n" -gt 5000 ]
	assert_equal "$(shm seek --cursor c "${P}s")" "$n"
	resume "${P}s" c more
	tail -c +$((n + 1)) data | cmp - more
}

@test "| head -n 1, then again: the second run starts where the pipe stopped taking" {
	local c
	make_data
	shm create --from data "${P}h"
	run bash -c '"$0" read "$1" -f --cursor c | head -n 1' "$SHM" "${P}h"
	assert_equal "$output" "record 0000001"
	c=$(shm seek --cursor c "${P}h")
	# head read at least its line; what it and the pipe held is gone.
	[ "$c" -ge 15 ]
	[ "$c" -lt 3000000 ]
	resume "${P}h" c more
	tail -c +$((c + 1)) data | cmp - more
	# | head -c N: the same.
	run bash -c '"$0" read "$1" -f --cursor d | head -c 20' "$SHM" "${P}h"
	assert_equal "$output" "record 0000001
recor"
	c=$(shm seek --cursor d "${P}h")
	[ "$c" -ge 20 ]
	[ "$c" -lt 3000000 ]
	resume "${P}h" d more
	tail -c +$((c + 1)) data | cmp - more
}

@test "a follower killed outright repeats at most its last write, and skips nothing" {
	local pid reader a c
	make_data
	shm create --from data "${P}k"
	mkfifo fifo
	slow_reader fifo out &
	reader=$!
	"$SHM" read "${P}k" -f --cursor c > fifo &
	pid=$!
	# Past the first write(2) of a 1 MiB piece, into the second.
	wait_size out 1200000
	kill -KILL "$pid"
	wait "$pid" && status=0 || status=$?
	wait "$reader"
	assert_equal "$status" 137
	a=$(stat -c %s out)
	c=$(shm seek --cursor c "${P}k")
	head -c "$a" data | cmp - out
	resume "${P}k" c more
	tail -c +$((c + 1)) data | cmp - more
	# Not skipped (c <= a); repeated: what the unfinished write took.
	[ "$c" -le "$a" ]
	[ "$c" -ge 1048576 ]
	[ $((a - c)) -le 1048576 ]
}

@test "a follower on the default cursor never moves it back past write -g's appends" {
	local pid reader i
	make_data
	head -c 200000 data > a
	tail -c 200000 data > b
	shm create "${P}g" 0
	mkfifo fifo
	slow_reader fifo out 10000 250000 &
	reader=$!
	"$SHM" read "${P}g" -f > fifo 2> err &
	pid=$!
	# Started: its first save adds its digest to the record.
	for ((i = 0; i < 500; i++)); do
		grep -qs ' 0x' "$SHM_STATE_DIR"/* && break
		nap 0.02
	done
	printf 'start\n' | shm write -g "${P}g"
	wait_size out 6
	# The follower blocks writing a's 200000 bytes out; b is appended.
	shm write -g "${P}g" -i a
	wait_size out 10000
	shm write -g "${P}g" -i b
	touch go1
	# Its cursor saved past a, it blocks writing b out: one more.
	wait_size out 250000
	printf 'end\n' | shm write -g "${P}g"
	touch go2
	wait_size out 400010
	shm read "${P}g" -o 0 > seg
	# Each record where write -g put it; none overwritten.
	{ printf 'start\n'; cat a b; printf 'end\n'; } | cmp - seg
	assert_equal "$(shm seek "${P}g")" 400010
	shm rm "${P}g"
	wait "$pid"
	wait "$reader"
	cmp out seg
	assert_equal "$(cat err)" ""
}

@test "write -g appenders and a follower on the default cursor lose no record" {
	local follower pid i j
	shm create "${P}g" 0
	timeout 60 "$SHM" read "${P}g" -f > got 2> err &
	follower=$!
	# Its start at cursor 0 first: it sleeps between looks once begun
	# (a follower started later begins at the writers' cursor).
	# timeout's one child is shm.  Read in bash, as pgrep and grep
	# would be two processes a look; neither file ends in a newline.
	i=0 pid= wchan=
	until [ -n "$pid" ] && [[ $wchan == *nanosleep* || $wchan == *poll* ]]; do
		nap 0.01; i=$((i + 1)); [ $i -lt 1000 ] || return 1
		pid= wchan=
		read -r pid _ < "/proc/$follower/task/$follower/children" || :
		[ -z "$pid" ] || read -r wchan < "/proc/$pid/wchan" || :
	done
	local n=$((12 * SCALE)) rec
	for i in 1 2 3 4; do
		(for ((j = 1; j <= n; j++)); do
			printf -v rec 'w%d r%02d\n' "$i" "$j"
			"$SHM" write -g "${P}g" -s "$rec" || exit 1
		done) &
	done
	wait %2 %3 %4 %5
	shm read "${P}g" -o 0 > seg
	assert_equal "$(stat -c %s seg)" $((4 * n * 7))
	# Each writer's records, each once and in its order.
	local -a got=() want=() lines
	mapfile -t lines < seg
	for rec in "${lines[@]}"; do
		got[${rec:1:1}]+="${rec#* } "
	done
	for ((j = 1; j <= n; j++)); do
		printf -v rec 'r%02d ' "$j"
		want[0]+=$rec
	done
	for i in 1 2 3 4; do
		assert_equal "${got[i]}" "${want[0]}"
	done
	assert_equal "${#lines[@]}" $((4 * n))
	assert_equal "$(shm seek "${P}g")" $((4 * n * 7))
	shm rm "${P}g"
	wait "$follower"
	cmp got seg
	assert_equal "$(cat err)" ""
}

@test "a follower sees a segment truncated, or truncated and refilled, while idle" {
	local follower
	shm create "${P}t" 0
	echo one | shm write "${P}t" --append
	timeout 60 "$SHM" read "${P}t" -f > got 2> err &
	follower=$!
	wait_size got 4
	# Cut short, then (a look later) written again: from the start.
	shm resize --shrink "${P}t" 0
	until [ -s err ]; do nap 0.01; done
	echo 2 | shm write "${P}t" --append
	wait_size got 6
	# Cut and refilled past the follower's position between two looks.
	shm lock "${P}t" -- sh -c '"$1" resize --shrink "$0" 0 &&
	    echo three | "$1" write "$0" --append' "${P}t" "$SHM"
	wait_size got 12
	shm rm "${P}t"
	wait "$follower"
	assert_equal "$(cat got)" "one
2
three"
	assert_equal "$(cat err)" "shm: read: ${P}t: truncated; following from the start
shm: read: ${P}t: rewritten; following from the start"
}

@test "a follower blocked on a full pipe sees the segment refilled under it" {
	local pid reader
	make_data
	shm create --from data "${P}b"
	tail -c 1500000 data | tr 0-9 a-j > new
	mkfifo fifo
	slow_reader fifo out 100000 &
	reader=$!
	"$SHM" read "${P}b" -f > fifo 2> err &
	pid=$!
	wait_size out 100000
	# The follower is in the middle of a piece's write(2), blocked.
	shm lock "${P}b" -- sh -c '"$1" resize --shrink "$0" 0 &&
	    "$1" write "$0" --append -i new' "${P}b" "$SHM"
	touch go1
	wait_size out $((1048576 + 1500000))
	shm rm "${P}b"
	wait "$pid"
	wait "$reader"
	# What the piece being written held (1 MiB), then the new
	# content from its start.
	head -c 1048576 data | cat - new | cmp - out
	assert_equal "$(cat err)" "shm: read: ${P}b: rewritten; following from the start"
}

@test "a follower started again sees the segment truncated or rewritten since" {
	shm create "${P}r" 0
	echo one | shm write "${P}r" --append
	resume "${P}r" c got
	assert_equal "$(cat got)" one
	# Refilled past the cursor: the record's digest of "one\n" differs.
	shm resize --shrink "${P}r" 0
	echo seventeen | shm write "${P}r" --append
	capture timeout 20 "$SHM" read "${P}r" -f --cursor c \
	    --timeout 0.3
	assert_equal "$status" 1
	assert_equal "$output" seventeen
	assert_equal "$stderr" "shm: read: ${P}r: rewritten; following from the start"
	# Cut short below the cursor.
	shm resize --shrink "${P}r" 3
	capture timeout 20 "$SHM" read "${P}r" -f --cursor c \
	    --timeout 0.3
	assert_equal "$status" 1
	assert_equal "$output" sev
	assert_equal "$stderr" "shm: read: ${P}r: truncated; following from the start"
	# Appended to: no word, just the new bytes.
	echo en | shm write "${P}r" --append
	resume "${P}r" c got
	assert_equal "$(cat got)" en
	# A record without a digest (seek's, or an older shm's) is trusted.
	shm seek --cursor c "${P}r" 1 > /dev/null
	resume "${P}r" c got
	assert_equal "$(cat got)" "even"
	# Such a record past the end: truncated, and the cursor follows.
	shm seek --cursor c "${P}r" end > /dev/null
	shm resize --shrink "${P}r" 2
	capture timeout 20 "$SHM" read "${P}r" -f --cursor c \
	    --timeout 0.3
	assert_equal "$status" 1
	assert_equal "$output" se
	assert_equal "$stderr" "shm: read: ${P}r: truncated; following from the start"
	assert_equal "$(shm seek --cursor c "${P}r")" 2
}
