#!/usr/bin/env bats
# Named cursors (--cursor, SHM_CURSOR) and write --append.

load helpers

@test "two cursors read the same bytes independently" {
	shm create "${P}q" 16
	shm write "${P}q" -o 0 -s 'line 1
line 2
'
	assert_equal "$(shm read "${P}q" --cursor a --line)" "line 1"
	assert_equal "$(shm read "${P}q" --cursor b --line)" "line 1"
	assert_equal "$(shm read "${P}q" --cursor a --line)" "line 2"
	assert_equal "$(SHM_CURSOR=b shm read "${P}q" --line)" "line 2"
	# The default cursor has not moved; --cursor beats SHM_CURSOR.
	assert_equal "$(shm seek "${P}q")" 0
	assert_equal "$(SHM_CURSOR=b shm seek --cursor a "${P}q")" 14
	# Writes and typed values, find --seek and --from-cursor too.
	shm seek --cursor w "${P}q" 2 >/dev/null
	shm write "${P}q" --cursor w -s NE
	assert_equal "$(shm read "${P}q" -o 0 -n 6)" "liNE 1"
	shm write "${P}q" --cursor w --as B 33
	assert_equal "$(shm seek --cursor w "${P}q")" 5
	assert_equal "$(shm find "${P}q" line --cursor w --from-cursor)" 7
	shm find "${P}q" 2 --cursor f --seek >/dev/null
	assert_equal "$(shm read "${P}q" --cursor f --as c)" "2"
	assert_equal "$(shm seek "${P}q")" 0
}

@test "stat shows every cursor; rm forgets them all" {
	shm create "${P}q" 16
	shm seek --cursor one "${P}q" 3 >/dev/null
	shm seek --cursor two "${P}q" 7 >/dev/null
	shm seek "${P}q" 1 >/dev/null
	assert_equal "$(shm stat "${P}q" | grep '^cursor' | sort)" "cursor     1
cursor.one 3
cursor.two 7"
	shm stat --json "${P}q" | python3 -c '
import json, sys
o = json.load(sys.stdin)
assert o["cursor"] == 1 and o["cursors"] == {"one": 3, "two": 7}, o'
	assert_equal "$(shm stat --cursor two -f cursor "${P}q")" 7
	shm rm "${P}q"
	assert_equal "$(ls -A "$SHM_STATE_DIR")" ""
	shm create "${P}q" 16
	assert_equal "$(shm seek --cursor one "${P}q")" 0
}

@test "a bad cursor name is a usage error" {
	shm create "${P}q" 16
	for n in '' '.hidden' 'a/b' 'tab	x' "$(printf 'x%.0s' {1..65})"; do
		capture "$SHM" read "${P}q" --cursor "$n"
		assert_equal "$status" 2
	done
	capture "$SHM" seek --cursor a/b "${P}q"
	assert_fails 2 "shm: seek: --cursor 'a/b': a cursor name is letters, digits, '_', '.' and '-', not first '.' (see 'shm seek --help')"
	SHM_CURSOR=../x capture "$SHM" read "${P}q" -n 1
	assert_fails 2 "shm: read: cursor '../x': a cursor name is letters, digits, '_', '.' and '-', not first '.'"
}

@test "8 processes append multi-KiB records: every record whole" {
	shm create "${P}log" 0
	local i n=$((5 * SCALE))
	for i in 1 2 3 4 5 6 7 8; do
		(
			body=$i
			while [ ${#body} -lt 8000 ]; do body=$body$body; done
			for ((j = 1; j <= n; j++)); do
				k=$((1000 + (i * 997 + j * 131) % 7000))
				# Three writes into the pipe: shm reads a record
				# in as many pieces as come.
				{ printf 'BEGIN %d %d %d\n' "$i" "$j" "$k"
				  printf %s "${body:0:k}"
				  printf '\nEND\n'; } | "$SHM" write "${P}log" --append
			done
		) &
	done
	wait
	python3 -c '
import re, sys
data = open(sys.argv[1], "rb").read()
off = count = 0
seen = set()
while off < len(data):
    m = re.match(rb"BEGIN (\d) (\d+) (\d+)\n", data[off:off + 40])
    assert m, (off, data[off:off + 40])
    i, j, n = int(m[1]), int(m[2]), int(m[3])
    body = data[off + m.end():off + m.end() + n]
    assert body == str(i).encode() * n, (i, j)
    off += m.end() + n
    assert data[off:off + 5] == b"\nEND\n", (i, j)
    off += 5
    seen.add((i, j))
assert len(seen) == 8 * int(sys.argv[2]), len(seen)' "/dev/shm/${P}log" "$n"
	# --append moves no cursor and takes no -o.
	assert_equal "$(shm seek "${P}log")" 0
	capture "$SHM" write "${P}log" --append -o 0 -s x
	assert_fails 2 "shm: write: -o and --append exclude each other (see 'shm write --help')"
}
