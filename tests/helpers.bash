# helpers.bash - shared by every test file: `load helpers`.
#
# Each test gets its own state directory and its own object names, and
# removes what it made, so tests can run in parallel and leave /dev/shm
# as they found it.

bats_require_minimum_version 1.5.0

export SHM=${SHM:-$BATS_TEST_DIRNAME/../shm}

setup() {
	export SHM_STATE_DIR="$BATS_TEST_TMPDIR/state"
	# Unique across files, tests and concurrent runs of the suite.
	P="bats-${BATS_ROOT_PID:-$$}-${BATS_SUITE_TEST_NUMBER}-"
	cd "$BATS_TEST_TMPDIR" || return 1
}

teardown() {
	local f
	for f in /dev/shm/"$P"*; do
		[ -e "$f" ] && rm -f "$f"
	done
	return 0
}

shm() {
	"$SHM" "$@"
}

# Fails with both sides shown when the two arguments differ.
assert_equal() {
	if [ "$1" != "$2" ]; then
		printf 'expected: %s\nactual:   %s\n' "$2" "$1" >&2
		return 1
	fi
}

# Asserts the exit status and the exact stderr of the last `run`.
assert_fails() {
	local want_status=$1 want_stderr=$2
	assert_equal "$status" "$want_status"
	assert_equal "$stderr" "$want_stderr"
}
