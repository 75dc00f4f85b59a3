#!/usr/bin/env bats
# The README's recipes for handing data between processes, run as the
# README has them: each ```sh block that starts with "# recipe: NAME".

load helpers

# Prints the block of recipe $1, its segments named with the test's
# prefix (log, stats and inbox, also inside /dev/shm/...).
recipe() {
	awk -v want="# recipe: $1" '
	/^```/ { if (on) exit; fence = 1; next }
	fence && $0 == want { on = 1 }
	fence = 0
	on' "$BATS_TEST_DIRNAME/../README.md" |
	    sed -E "s/\\b(log|stats|inbox)\\b/${P}\\1/g"
}

run_recipe() {
	local bin=$BATS_TEST_TMPDIR/bin script
	mkdir -p "$bin"
	ln -sf "$SHM" "$bin/shm"
	script=$(recipe "$1")
	[ -n "$script" ] || { echo "no recipe $1 in README.md"; return 1; }
	run --separate-stderr timeout 60 env PATH="$bin:$PATH" bash -e -c "$script"
}

@test "README: a producer and a consumer, through append and follow" {
	run_recipe log
	assert_equal "$status" 0
	assert_equal "$output" "event 1
event 2
event 3
event 4"
	[ ! -e "/dev/shm/${P}log" ]
}

@test "README: a shell script waits for a counter Python increments" {
	run_recipe counter
	assert_equal "$status" 0
	assert_equal "$output" 100
}

@test "README: header and payload under shm lock, read under fcntl.flock" {
	run_recipe message
	assert_equal "$status" 0
	assert_equal "$output" "hello, reader"
}
