#!/usr/bin/env bats
# write --append --lines and -z: a stream appended record by record.

load helpers

@test "--lines appends every line, and a last one without a newline as it is" {
	shm create "${P}log" 0
	printf 'one\n\ntwo\nthree' | shm write "${P}log" --append --lines
	assert_equal "$(od -An -c "/dev/shm/${P}log" | tr -s ' ')" \
	    " o n e \n \n t w o \n t h r e e"
	# Nothing at all appends nothing; the cursor never moves.
	shm write "${P}log" --append -l < /dev/null
	assert_equal "$(stat -c %s "/dev/shm/${P}log")" 14
	assert_equal "$(shm seek "${P}log")" 0
	# The next stream goes on after the last record, as --append does.
	printf 'four\n' | shm write "${P}log" --append -l
	assert_equal "$(tail -c 10 "/dev/shm/${P}log")" "threefour"
}

@test "-z appends NUL-ended records, -i FILE too, newlines and all" {
	shm create "${P}log" 0
	printf 'a\nb\0c\0\0d' > recs
	shm write "${P}log" --append -z -i recs
	cmp recs "/dev/shm/${P}log"
	printf 'e\0' | shm write "${P}log" --append --zero-terminated
	assert_equal "$(tr '\0' '|' < "/dev/shm/${P}log")" "a
b|c||de|"
}

@test "--lines and -z are refused where they mean nothing" {
	shm create "${P}log" 0
	local msg
	for opt in -l --lines -z; do
		capture "$SHM" write "${P}log" "$opt"
		assert_fails 2 "shm: write: --lines and -z need --append (see 'shm write --help')"
		capture "$SHM" write "${P}log" -g "$opt"
		assert_fails 2 "shm: write: --lines and -z need --append (see 'shm write --help')"
	done
	msg="shm: write: --lines reads standard input or -i FILE, not -s or -x (see 'shm write --help')"
	capture "$SHM" write "${P}log" --append -l -s x
	assert_fails 2 "$msg"
	capture "$SHM" write "${P}log" --append -z -x 00
	assert_fails 2 "$msg"
	capture "$SHM" write "${P}log" --append -l -o 0
	assert_fails 2 "shm: write: -o and --append exclude each other (see 'shm write --help')"
	capture "$SHM" write "${P}log" --append -l --cursor c
	assert_fails 2 "shm: write: --append moves no cursor: no --cursor (see 'shm write --help')"
	capture "$SHM" write "${P}log" --append --cursor c -s x
	assert_fails 2 "shm: write: --append moves no cursor: no --cursor (see 'shm write --help')"
	# Its own lines would be appended to it for ever.
	echo x > "/dev/shm/${P}log"
	capture "$SHM" write "${P}log" --append -l -i "/dev/shm/${P}log"
	assert_fails 2 "shm: write: ${P}log: /dev/shm/${P}log and the segment are the same file; nothing copied ('shm move' copies within a segment)"
	assert_equal "$(cat "/dev/shm/${P}log")" x
}

@test "a SysV segment, which cannot grow, is refused before any input is read" {
	command -v ipcmk >/dev/null || skip "ipcmk is not installed"
	local out id
	out=$(ipcmk -M 64) || skip "cannot make a SysV segment here"
	id=${out##* }
	printf 'a\nb\n' > recs
	capture "$SHM" write "sysvid:$id" --append -l < recs
	ipcrm -m "$id"
	assert_fails 2 "shm: write: sysvid:$id: a SysV segment keeps the size it was made with (64 bytes); it cannot grow"
}

@test "a record that does not fit fails whole; those before it stay" {
	# 150 bytes short of the largest size: one 100-byte record fits.
	shm create "${P}big" 0
	shm resize "${P}big" 9223372035781033834
	capture "$SHM" write "${P}big" --append -l \
	    < <(printf '%099d\n' 1 2 3)
	assert_fails 2 "shm: write: ${P}big: 100 bytes at offset 9223372035781033934: more than a segment may hold (9223372035781033984)
shm: write: ${P}big: record 2 not appended, nor any after it; 1 record (100 bytes) appended before it"
	assert_equal "$(stat -c %s "/dev/shm/${P}big")" 9223372035781033934
	assert_equal "$(shm read "${P}big" -o -100)" "$(printf '%099d' 1)"
	shm rm "${P}big"

	# ulimit -f: the record across the limit is half written, then
	# cut away again, in one write with those before it or alone.
	shm create "${P}log" 0
	printf '%0299d\n' 1 2 3 4 5 > recs
	capture bash -c 'ulimit -f 1; "$0" write "$1" --append -l < recs' "$SHM" "${P}log"
	assert_fails 2 "shm: write: ${P}log: write failed at offset 1024: File too large
shm: write: ${P}log: record 4 not appended, nor any after it; 3 records (900 bytes) appended before it"
	cmp <(head -c 900 recs) "/dev/shm/${P}log"
}

@test "a record longer than the buffer goes whole, or is cut away again" {
	shm create "${P}log" 0
	{ printf 'short\n'; head -c 3000000 /dev/zero | tr '\0' q
	  printf '\nafter\nlast'; } > recs
	shm write "${P}log" --append -l < recs
	cmp recs "/dev/shm/${P}log"

	# Past ulimit -f (2 MiB) half-way through the long one.
	shm create "${P}cut" 0
	capture bash -c 'ulimit -f 2048; "$0" write "$1" --append -l < recs' "$SHM" "${P}cut"
	assert_equal "$status" 2
	assert_equal "${stderr##*$'\n'}" "shm: write: ${P}cut: record 2 not appended, nor any after it; 1 record (6 bytes) appended before it"
	assert_equal "$(cat "/dev/shm/${P}cut")" short
}

@test "each record is appended as soon as it is read, with more to come" {
	shm create "${P}log" 0
	mkfifo fifo
	"$SHM" write "${P}log" --append -l -i fifo &
	local pid=$! i
	open_fifo "$pid" fifo
	# The second part of a record waits for the first to be there:
	# never, if shm waited for more input than a whole record.
	for i in 1 2 3; do
		printf 'rec%d\npart' "$i" >&4
		for ((t = 0; t < 500; t++)); do
			[ "$(stat -c %s "/dev/shm/${P}log")" = $((13 * i - 8)) ] &&
				break
			nap 0.01
		done
		assert_equal "$(stat -c %s "/dev/shm/${P}log")" $((13 * i - 8))
		printf 'ial\n' >&4
	done
	exec 4>&-
	wait "$pid"
	assert_equal "$(cat "/dev/shm/${P}log")" "rec1
partial
rec2
partial
rec3
partial"
}

@test "records of --lines and of Python appenders under flock stay whole" {
	shm create "${P}log" 0
	local n=$((300 * SCALE))
	# The producer writes each record in four pieces, so shm reads
	# many a record in parts, while three Python peers append records
	# of their own under fcntl.flock, as a C or Python program would.
	python3 -c '
import os, sys, time
n = int(sys.argv[1])
for j in range(n):
    rec = b"S %05d %s\n" % (j, b"s" * (j % 200))
    for a, b in ((0, 3), (3, 6), (6, 9), (9, len(rec))):
        os.write(1, rec[a:b])
        # Now and then, a pause: shm then reads the pieces one by one.
        if j % 20 == 0:
            time.sleep(0.002)
' "$n" | "$SHM" write "${P}log" --append --lines &
	local shm_pid=$! i pids=()
	for i in 1 2 3; do
		python3 -c '
import fcntl, os, sys
path, i, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
fd = os.open(path, os.O_WRONLY)
for j in range(n):
    rec = b"P%s %05d %s\n" % (i.encode(), j, b"p" * (j % 150))
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.pwrite(fd, rec, os.fstat(fd).st_size)
    fcntl.flock(fd, fcntl.LOCK_UN)
' "/dev/shm/${P}log" "$i" "$n" &
		pids+=($!)
	done
	wait "$shm_pid"
	for i in "${pids[@]}"; do wait "$i"; done
	python3 -c '
import re, sys
n = int(sys.argv[2])
lines = open(sys.argv[1], "rb").read().split(b"\n")
assert lines.pop() == b"", "no newline at the end"
seen = {}
for line in lines:
    m = re.fullmatch(rb"(S|P[123]) (\d{5}) (s*|p*)", line)
    assert m, line[:60]
    who, j, body = m[1], int(m[2]), m[3]
    assert len(body) == j % (200 if who == b"S" else 150), line[:60]
    assert seen.get(who, -1) == j - 1, (who, j)
    seen[who] = j
assert sorted(seen.items()) == [(w, n - 1) for w in
    (b"P1", b"P2", b"P3", b"S")], seen' "/dev/shm/${P}log" "$n"
}

# The records of a stream stopped by a signal are consecutive and
# whole, and exactly what the line says was appended.
check_stopped() {
	local n bytes rest
	[[ $stderr =~ ^shm:\ write:\ ${P}log:\ interrupted\ by\ SIGTERM\ after\ appending\ ([0-9]+)\ records?\ \(([0-9]+)\ bytes\)\;\ the\ ([0-9]+)\ bytes\ read\ after\ them\ not\ written$ ]] ||
		{ echo "stderr: $stderr" >&2; return 1; }
	n=${BASH_REMATCH[1]} bytes=${BASH_REMATCH[2]} rest=${BASH_REMATCH[3]}
	assert_equal "$(stat -c %s "/dev/shm/${P}log")" "$bytes"
	python3 -c '
import sys
data = open(sys.argv[1], "rb").read()
n = int(sys.argv[2])
want = b"".join(b"%06d %s\n" % (j, b"r" * (j % 97)) for j in range(n))
assert data == want, (len(data), len(want))' "/dev/shm/${P}log" "$n"
}

@test "a signal at a random moment leaves whole records, and says how many" {
	local round pid
	for ((round = 0; round < 3 * SCALE; round++)); do
		rm -f "/dev/shm/${P}log" fifo err
		shm create "${P}log" 0
		mkfifo fifo
		# Records written in two pieces, without end: the signal
		# finds shm reading, locking or writing, a record in part.
		python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
j = 0
while True:
    rec = b"%06d %s\n" % (j, b"r" * (j % 97))
    try:
        os.write(fd, rec[:5])
        os.write(fd, rec[5:])
    except BrokenPipeError:
        break
    j += 1
' fifo 2>/dev/null &
		# A background job starts with INT and QUIT ignored: TERM.
		"$SHM" write "${P}log" --append -l -i fifo 2>err &
		pid=$!
		for ((t = 0; t < 500; t++)); do
			[ "$(stat -c %s "/dev/shm/${P}log")" -gt 0 ] && break
			nap 0.01
		done
		nap "0.0$((RANDOM % 10))"
		kill -TERM "$pid"
		wait "$pid" && status=0 || status=$?
		wait
		assert_equal "$status" 143
		stderr=$(cat err)
		check_stopped
	done
}

@test "a lock not had in time stops the stream, and says how far it got" {
	shm create "${P}log" 0
	mkfifo fifo
	SHM_LOCK_TIMEOUT=0.2 "$SHM" write "${P}log" --append -l -i fifo 2>err &
	local pid=$! holder t
	open_fifo "$pid" fifo
	printf 'a\n' >&4
	for ((t = 0; t < 500; t++)); do
		[ "$(stat -c %s "/dev/shm/${P}log")" = 2 ] && break
		nap 0.01
	done
	# Holds the lock until told to let it go.
	"$SHM" lock "${P}log" -- sh -c \
	    ': > held; while [ ! -e done ]; do sleep 0.05; done' &
	holder=$!
	for ((t = 0; t < 500; t++)); do
		[ -e held ] && break
		nap 0.01
	done
	printf 'b\nc\n' >&4
	exec 4>&-
	wait "$pid" && status=0 || status=$?
	: > done
	wait "$holder"
	assert_equal "$status" 2
	assert_equal "$(wc -l < err)" 2
	assert_equal "$(tail -n 1 err)" "shm: write: ${P}log: record 2 not appended, nor any after it; 1 record (2 bytes) appended before it"
	assert_equal "$(cat "/dev/shm/${P}log")" a
}
