#!/usr/bin/env bats
# The cursor's state directory: private, and refused when it is not.

load helpers

@test "the state directory is created private (0700)" {
	shm create "${P}a" 4
	shm seek "${P}a" 1 >/dev/null
	assert_equal "$(stat -c %a "$SHM_STATE_DIR")" 700
}

@test "reading a cursor does not create the state directory" {
	shm create "${P}a" 4
	shm seek "${P}a" >/dev/null
	[ ! -e "$SHM_STATE_DIR" ]
}

@test "a state directory writable by others is refused" {
	mkdir -m 777 "$SHM_STATE_DIR"
	chmod 777 "$SHM_STATE_DIR"
	shm create "${P}a" 4
	capture shm seek "${P}a" 1
	assert_fails 2 "shm: seek: $SHM_STATE_DIR: state directory is writable by others; set SHM_STATE_DIR or chmod 700 it"
}

@test "a state directory that is a symlink is refused" {
	mkdir real
	ln -s real "$SHM_STATE_DIR"
	shm create "${P}a" 4
	capture shm seek "${P}a" 1
	assert_fails 2 "shm: seek: $SHM_STATE_DIR: state directory is a symlink or not a directory; refusing it"
	# A trailing slash or "." would name what it points to: no way past.
	local link=$SHM_STATE_DIR spelling
	for spelling in "$link/" "$link//" "$link/." "$link/./" "$link/././/"; do
		capture env SHM_STATE_DIR="$spelling" \
			"$SHM" seek "${P}a" 1
		assert_fails 2 "shm: seek: $link: state directory is a symlink or not a directory; refusing it"
	done
	[ -z "$(ls real)" ]
	# Spelled so, a real directory is the same directory.
	rm "$link"
	mkdir -m 700 "$link"
	SHM_STATE_DIR="$link/./" shm seek "${P}a" 3 >/dev/null
	assert_equal "$(shm seek "${P}a")" 3
}

@test "a state directory owned by another user is refused" {
	[ "$(id -u)" = 0 ] || skip "needs root to chown"
	mkdir -m 700 "$SHM_STATE_DIR"
	chown 65534 "$SHM_STATE_DIR"
	shm create "${P}a" 4
	capture shm write "${P}a" -s x
	assert_fails 2 "shm: write: $SHM_STATE_DIR: state directory belongs to another user; set SHM_STATE_DIR"
	cmp "/dev/shm/${P}a" <(head -c 4 /dev/zero)
}

@test "without SHM_STATE_DIR the cursor lives in XDG_RUNTIME_DIR/shm" {
	unset SHM_STATE_DIR
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	shm create "${P}a" 4
	shm seek "${P}a" 2 >/dev/null
	[ -d "$XDG_RUNTIME_DIR/shm" ]
	assert_equal "$(stat -c %a "$XDG_RUNTIME_DIR/shm")" 700
}

@test "without either, the cursor lives in TMPDIR/shm-UID" {
	unset SHM_STATE_DIR XDG_RUNTIME_DIR
	export TMPDIR=$BATS_TEST_TMPDIR
	shm create "${P}a" 4
	shm seek "${P}a" 2 >/dev/null
	[ -d "$TMPDIR/shm-$(id -u)" ]
}

@test "a corrupt cursor record reads as 0" {
	shm create "${P}a" 4
	shm seek "${P}a" 2 >/dev/null
	for f in "$SHM_STATE_DIR"/*; do printf 'garbage' > "$f"; done
	assert_equal "$(shm seek "${P}a")" 0
}
