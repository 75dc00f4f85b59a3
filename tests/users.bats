#!/usr/bin/env bats
# Other users: shm run as nobody against root's segments.  Runs only
# when the suite runs as root and setpriv is there.

load helpers

setup() {
	helpers_setup || return 1
	[ "$(id -u)" = 0 ] || skip "needs root to switch users"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	# nobody's own state directory, somewhere nobody can reach.
	HOME_NOBODY=$(mktemp -d /tmp/shm-nobody.XXXXXX)
	chmod 755 "$HOME_NOBODY"
	chown 65534:65534 "$HOME_NOBODY"
}

teardown() {
	[ -n "${HOME_NOBODY:-}" ] && rm -rf "$HOME_NOBODY"
	helpers_teardown
}

# shm as uid/gid 65534, with its own state directory.
as_nobody() {
	capture setpriv --reuid=65534 --regid=65534 \
		--clear-groups env SHM_STATE_DIR="$HOME_NOBODY/state" \
		"$SHM" "$@"
}

@test "a new object is 0600: another user can neither read nor write it" {
	shm create "${P}a" 16
	as_nobody read "${P}a"
	assert_fails 2 "shm: read: ${P}a: Permission denied"
	as_nobody write "${P}a" -s x
	assert_fails 2 "shm: write: ${P}a: Permission denied"
}

@test "reading commands work on a segment the user may only read" {
	shm create -m 644 "${P}a" 16
	shm write "${P}a" -o 0 -s 'hello, world'
	as_nobody read "${P}a" -o 7 -n 5
	assert_equal "$status" 0
	assert_equal "$output" world
	as_nobody find "${P}a" world
	assert_equal "$output" 7
	as_nobody dump "${P}a" -n 5
	assert_equal "$output" "00000000  68 65 6c 6c 6f                                    |hello|
00000005"
	as_nobody read "${P}a" -o 0 --as '<5s'
	assert_equal "$output" hello
	as_nobody stat -f size,owner "${P}a"
	assert_equal "$output" "16
root"
	as_nobody seek "${P}a" 7
	assert_equal "$output" 7
	as_nobody read "${P}a" -n 5
	assert_equal "$output" world
}

@test "writing commands fail cleanly on a segment the user may only read" {
	shm create -m 644 "${P}a" 16
	for args in "write ${P}a -s x" "write ${P}a --as <I 1" \
	    "resize ${P}a 32" "move ${P}a 0 1 1" "rm ${P}a"; do
		as_nobody $args
		assert_equal "$status" 2
		assert_equal "$stderr" "shm: ${args%% *}: ${P}a: Permission denied"
	done
	cmp "/dev/shm/${P}a" <(head -c 16 /dev/zero)
}

@test "one user's cursor is not another's" {
	shm create -m 644 "${P}a" 16
	shm seek "${P}a" 9 >/dev/null
	as_nobody seek "${P}a"
	assert_equal "$output" 0
	assert_equal "$(shm seek "${P}a")" 9
}

@test "a state directory that is another user's is refused" {
	shm create -m 644 "${P}a" 16
	mkdir -m 755 "$HOME_NOBODY/theirs"
	capture setpriv --reuid=65534 --regid=65534 \
		--clear-groups env SHM_STATE_DIR="$HOME_NOBODY/theirs" \
		"$SHM" seek "${P}a" 1
	assert_fails 2 "shm: seek: $HOME_NOBODY/theirs: state directory belongs to another user; set SHM_STATE_DIR"
	chmod 700 "$HOME_NOBODY/theirs"
	capture setpriv --reuid=65534 --regid=65534 \
		--clear-groups env SHM_STATE_DIR="$HOME_NOBODY/theirs" \
		"$SHM" seek "${P}a" 1
	assert_fails 2 "shm: seek: $HOME_NOBODY/theirs: cannot open the state directory: Permission denied"
}

@test "create --exist-ok as root refuses another user's object" {
	# nobody plants a world-writable object under the name root expects.
	as_nobody create -m 666 "${P}a" 64
	assert_equal "$status" 0
	capture "$SHM" create --exist-ok -m 666 "${P}a" 64
	assert_fails 2 "shm: create: ${P}a: exists but belongs to user nobody; not kept (only your own is)"
	# And so with a symlink nobody planted, to a file of root's.
	as_nobody create "${P}own" 1
	capture setpriv --reuid=65534 --regid=65534 --clear-groups \
		ln -s /etc/passwd "/dev/shm/${P}link"
	capture "$SHM" create --exist-ok "${P}link" 64
	assert_fails 2 "shm: create: ${P}link: is a symbolic link, not a segment"
	capture "$SHM" write "${P}link" -s x
	assert_fails 2 "shm: write: ${P}link: is a symbolic link, not a segment"
	rm -f "/dev/shm/${P}link"
}

@test "a state directory nobody may not write fails the write, not the data" {
	as_nobody create -m 600 "${P}a" 8
	as_nobody write "${P}a" -o 0 -s abcdefgh
	mkdir -m 500 "$HOME_NOBODY/ro"
	chown 65534:65534 "$HOME_NOBODY/ro"
	capture setpriv --reuid=65534 --regid=65534 \
		--clear-groups env SHM_STATE_DIR="$HOME_NOBODY/ro" \
		"$SHM" write "${P}a" -s XY
	assert_fails 2 "shm: write: ${P}a: cannot save the cursor: Permission denied"
	as_nobody read "${P}a" -o 0
	assert_equal "$output" abcdefgh
}

@test "stat says resident is unknown where the kernel will not tell" {
	shm create -m 644 "${P}a" 1M
	shm write "${P}a" -o 0 -s x
	# Asked of a file nobody may only read, mincore would say all of it.
	as_nobody stat -f resident,allocated "${P}a"
	assert_equal "$status" 0
	assert_equal "$output" "-
4096"
	as_nobody stat --json "${P}a"
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["resident"] is None and d["allocated"] == 4096, d' "$output"
	# Its owner is told.
	assert_equal "$(shm stat -f resident "${P}a")" 4096
	# And another user who may write it.
	chmod 666 "/dev/shm/${P}a"
	as_nobody stat -f resident "${P}a"
	assert_equal "$output" 4096
}
