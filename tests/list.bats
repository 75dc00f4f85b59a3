#!/usr/bin/env bats
# shm list: the objects there are.

load helpers

mine() {
	grep "^${P}" || true
}

@test "list prints name, size, owner, mode and time, tab-separated, sorted" {
	shm create "${P}b" 1K
	shm create -m 644 "${P}a" 10
	run --separate-stderr shm list
	assert_equal "$status" 0
	local when
	when=$(date -u -d "@$(stat -c %Y "/dev/shm/${P}a")" +%Y-%m-%dT%H:%M:%SZ)
	assert_equal "$(printf '%s\n' "$output" | mine | cut -f1-4)" "${P}a	10	$(id -un)	0644
${P}b	1024	$(id -un)	0600"
	assert_equal "$(printf '%s\n' "$output" | mine | head -1 | cut -f5)" "$when"
}

@test "list prints no header into a pipe, and one with -H" {
	run --separate-stderr shm list
	assert_equal "$status $stderr" "0 "
	[[ $output != NAME* ]]
	run --separate-stderr shm list -H
	assert_equal "$status $stderr" "0 "
	assert_equal "${lines[0]}" "NAME	SIZE	OWNER	MODE	MODIFIED"
}

@test "list leaves out semaphores, hidden names and directories" {
	shm create "${P}a" 1
	touch "/dev/shm/sem.${P}x" "/dev/shm/.${P}h"
	mkdir "/dev/shm/${P}d"
	run --separate-stderr shm list
	rm -f "/dev/shm/sem.${P}x" "/dev/shm/.${P}h"
	rmdir "/dev/shm/${P}d"
	assert_equal "$(printf '%s\n' "$output" | grep -c "${P}")" 1
}

@test "list --json gives the same facts as JSON" {
	command -v python3 >/dev/null || skip "no python3"
	shm create "${P}a" 10
	run --separate-stderr shm list --json
	assert_equal "$status" 0
	python3 -c '
import json, sys
d = [o for o in json.loads(sys.argv[1]) if o["name"] == sys.argv[2]]
assert len(d) == 1 and d[0]["size"] == 10 and d[0]["mode"] == "0600", d
' "$output" "${P}a"
}

@test "list takes no arguments" {
	run --separate-stderr shm list x
	assert_fails 2 "shm: list: list takes no arguments (see 'shm list --help')"
}

@test "list with no objects at all prints nothing, or an empty JSON array" {
	# A private, empty /dev/shm, in a mount namespace of our own.
	[ "$(id -u)" = 0 ] || skip "needs root for a mount namespace"
	command -v unshare >/dev/null || skip "unshare is not installed"
	unshare -m true 2>/dev/null || skip "cannot make a mount namespace"
	run --separate-stderr unshare -m sh -c \
		'mount -t tmpfs tmpfs /dev/shm && "$1" list && "$1" list --json' _ "$SHM"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" "[]"
}
