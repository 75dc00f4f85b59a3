# helpers.bash - shared by every test file: `load helpers`.
#
# Each test gets its own state directory and its own object names, and
# removes what it made, so tests can run in parallel and leave /dev/shm
# as they found it.

bats_require_minimum_version 1.5.0

export SHM=${SHM:-$BATS_TEST_DIRNAME/../shm}

# A version manager's python3 (pyenv's shim) is a script that runs a
# shell and several programs before Python: half a second of CPU at each
# start here, with dozens of starts; and the site-packages of the
# interpreter can import much at each start (a .pth file here imports
# certifi: 60 ms).  The tests use the standard library alone: the
# interpreter the shim would start is asked for once a run and linked,
# as python3, first in PATH, beside a pyvenv.cfg that makes it a
# virtual environment without site-packages.  Its command line stays
# "python3 ...", which who and lock show.  This runs as each file is
# loaded, before its tests, which inherit PATH.  Beside it, the FIFO
# nap reads.
if [ -z "${SHM_TEST_BIN:-}" ] && [ -d "${BATS_RUN_TMPDIR:-}" ]; then
	export SHM_TEST_BIN="$BATS_RUN_TMPDIR/shm-test-bin"
	if [ ! -e "$SHM_TEST_BIN/python3" ] && shm_python3=$(python3 -S -c \
	    'import sys; print(sys.executable)' 2>/dev/null) &&
	    [ -x "$shm_python3" ]; then
		# Files load in parallel: each made apart, then renamed.
		mkdir -p "$SHM_TEST_BIN" &&
			printf 'home = %s\ninclude-system-site-packages = false\n' \
			    "${shm_python3%/*}" > "$SHM_TEST_BIN/.pyvenv.cfg.$$" &&
			mv -f "$SHM_TEST_BIN/.pyvenv.cfg.$$" \
			    "$SHM_TEST_BIN/pyvenv.cfg" &&
			ln -s "$shm_python3" "$SHM_TEST_BIN/.python3.$$" &&
			mv -f "$SHM_TEST_BIN/.python3.$$" "$SHM_TEST_BIN/python3"
	fi
	[ -p "$SHM_TEST_BIN/nap" ] || { mkdir -p "$SHM_TEST_BIN" &&
		mkfifo "$SHM_TEST_BIN/nap"; } 2>/dev/null
	export PATH="$SHM_TEST_BIN:$PATH"
fi

# nap SECONDS: sleep(1) without a process, for a poll's rounds: a read
# that times out on a FIFO nobody writes, opened for reading and
# writing so that the open does not wait.  A process costs about 10 ms
# of CPU here; a poll that runs sleep each round spends that each round.
nap() {
	read -r -t "$1" _ <> "${SHM_TEST_BIN:-/nonexistent}/nap" 2>/dev/null ||
		[ $? -gt 128 ] || sleep "$1"
}

# bats --jobs N runs N files at a time (make test), and would also run
# the tests of each file N at a time: each test waits for one of the
# file's slots by polling with find, wc, flock and sleep 1, some 0.3 s
# of CPU a test here, more than most tests cost.  Read by bats after it
# loads the file: the tests of one file run one after another.
# shellcheck disable=SC2034	# bats reads it
BATS_NO_PARALLELIZE_WITHIN_FILE=true

# How many times the default rounds a random or concurrent test makes:
# make test-deep sets more (SCALE=5).  make test keeps to what proves
# the promise, quickly.
# shellcheck disable=SC2034	# the test files use it
SCALE=${SHM_TEST_SCALE:-1}

# A file that needs more calls this first in a setup of its own.
helpers_setup() {
	export SHM_STATE_DIR="$BATS_TEST_TMPDIR/state"
	# Unique across files, tests and concurrent runs of the suite.
	P="bats-${BATS_ROOT_PID:-$$}-${BATS_SUITE_TEST_NUMBER}-"
	cd "$BATS_TEST_TMPDIR" || return 1
	# bats runs a DEBUG trap before each command, to say where a test
	# failed; with functrace it runs in every $(...), ( ) and function
	# too, where its writes cost a subshell some 2 ms of copied pages
	# here, and nothing it records there reaches the report.  Off, the
	# trap still runs in the test's body: a failure is still reported
	# at its line, or at the line that called the failing function.
	set +o functrace
}

setup() {
	helpers_setup
}

# What a test made in /dev/shm goes, a failed one's too: its objects,
# what it made beside them to be listed (sem.NAME, .NAME, a directory),
# and what it left there when it stopped part way.  A file with a
# teardown of its own calls this one last.
teardown() {
	helpers_teardown
}

helpers_teardown() {
	local f
	reap_jobs
	for f in /dev/shm/"$P"* /dev/shm/sem."$P"* /dev/shm/."$P"*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		rm -rf -- "$f"
	done
	return 0
}

# A background job a test left running (a failed one, say), or its
# children, would hold bats's output open: bats would wait for it to end
# before it ends the file.  Ends each job still running and what it
# started, children first.  The list goes through a file: $(jobs -pr)
# would be a process each test, and most tests leave no job.
reap_jobs() {
	local pid pids list="$BATS_TEST_TMPDIR/.jobs"
	jobs -pr > "$list" || return 0
	mapfile -t pids < "$list"
	for pid in "${pids[@]}"; do
		kill_tree "$pid"
	done
}

kill_tree() {
	local child
	for child in $(pgrep -P "$1"); do
		kill_tree "$child"
	done
	kill "$1" 2>/dev/null || true
}

shm() {
	"$SHM" "$@"
}

# capture CMD [ARGS...]: runs CMD, as bats's "run --separate-stderr"
# does, into the same variables: $status, $output and $lines, $stderr
# and $stderr_lines, each trimmed as run trims it.  run makes the file
# for standard error with mktemp(1) and checks its own version each
# time: 20 ms of processes a call here, where the command it runs takes
# 5.  The file here is named by the capturing shell's pid, so that
# captures in parallel subshells of one test do not share it, and is
# left for bats to remove with the test's directory.
capture() {
	local flags=$- err="$BATS_TEST_TMPDIR/.stderr.$BASHPID"
	set +eET
	output=$("$@" 2> "$err") && status=0 || status=$?
	stderr=
	read -d '' -r stderr < "$err"
	IFS=$'\n' read -d '' -r -a lines <<< "$output"
	IFS=$'\n' read -d '' -r -a stderr_lines <<< "$stderr"
	set "-$flags"
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

# Succeeds when the ELF file $1 names a dynamic loader (a PT_INTERP
# program header), fails (1) when it names none, as a static build such
# as make musl's does, and returns 2 when $1 is not ELF.  Only the loader
# reads LD_PRELOAD, so this is the question a test with a shim has to
# ask; od is in coreutils, where file(1), readelf or ldd may be missing
# (and ldd runs the loader on the file it is asked about).
elf_has_interp() {
	local -a h p
	local big off size num i t
	# shellcheck disable=SC2207	# od prints numbers only
	h=($(od -An -v -t u1 -N 64 -- "$1" 2>/dev/null))
	[ "${#h[@]}" -ge 52 ] && [ "${h[*]:0:4}" = "127 69 76 70" ] || return 2
	big=$((h[5] == 2))
	# ELF64: e_phoff at 32, 8 bytes; e_phentsize, e_phnum at 54, 56.
	# ELF32: e_phoff at 28, 4 bytes; e_phentsize, e_phnum at 42, 44.
	if [ "${h[4]}" = 2 ]; then
		elf_int h 32 8 off; elf_int h 54 2 size; elf_int h 56 2 num
	else
		elf_int h 28 4 off; elf_int h 42 2 size; elf_int h 44 2 num
	fi
	((num > 0 && size >= 4)) || return 1
	# shellcheck disable=SC2207
	p=($(od -An -v -t u1 -j "$off" -N $((num * size)) -- "$1" 2>/dev/null))
	for ((i = 0; i < num; i++)); do
		elf_int p $((i * size)) 4 t
		((t == 3)) && return 0		# PT_INTERP
	done
	return 1
}

# elf_int ARRAY AT LEN VAR: the LEN-byte integer at ARRAY[AT], in the
# byte order $big says, into VAR.
elf_int() {
	local -n _bytes=$1 _out=$4
	local k v=0
	for ((k = 0; k < $3; k++)); do
		if ((big)); then
			v=$((v * 256 + _bytes[$2 + k]))
		else
			v=$((v | _bytes[$2 + k] << (8 * k)))
		fi
	done
	_out=$v
}

# For a test that puts a shim in shm with LD_PRELOAD: against a static
# binary (make test-musl) nothing would load it, and the test would
# check what the shim did not do.
# A build of POSIX ways only (make portable, src/port.h) says so in
# --version.  A test of what only Linux's ways do skips there, saying
# which way it needs.
is_portable() {
	# Asked once a test: each asking is a process.
	if [ -z "${shm_portable:-}" ]; then
		shm_portable=no
		[[ "$("$SHM" --version)" != *" (portable)" ]] ||
			shm_portable=yes
	fi
	[ "$shm_portable" = yes ]
}

skip_if_portable() {
	! is_portable || skip "portable build: $1"
}

# Runs "shm ARGS... -i fifoSIG" in the background, writes what FEED (a
# shell command) prints into the FIFO, and sends SIG once shm has read
# it all: $status is shm's, its stderr is in ./err.  SIGINT is let
# through as it would be at a terminal, though bats runs us in the
# background.
interrupt_fifo_write() {
	local sig=$1 feed=$2 pid
	shift 2
	mkfifo "fifo$sig"
	env --default-signal=INT "$SHM" "$@" -i "fifo$sig" 2>err &
	pid=$!
	open_fifo "$pid" "fifo$sig"
	eval "$feed" >&4
	# The feed is all in the pipe or read: shm asleep in a read of the
	# pipe has read it all, and waits for more.
	await_wchan "$pid" '*pipe*read*'
	kill -"$sig" "$pid"
	wait "$pid" && status=0 || status=$?
	exec 4>&-
}

# open_fifo PID FIFO: descriptor 4 open to write into FIFO, once process
# PID has opened it to read (shm sets its handlers before it opens its
# input).  Where "exec 4>FIFO" would wait for ever for a PID that died
# first, this fails within 20 s.
open_fifo() {
	local i f
	# Read and write: an open that waits for no reader.
	exec 4<>"$2"
	for ((i = 0; i < 2000; i++)); do
		for f in /proc/"$1"/fd/*; do
			[ "$f" -ef "$2" ] || continue
			# Write only, so that a write fails once PID is gone
			# rather than wait for a reader: this one.
			exec 5>"$2" 4>&5 5>&-
			return 0
		done
		[ -e "/proc/$1" ] || break
		nap 0.01
	done
	exec 4>&-
	echo "process $1 never opened $2" >&2
	return 1
}

# await_wchan PID PATTERN: until process PID sleeps in a kernel function
# that matches PATTERN (its /proc/PID/wchan, which a running process
# leaves empty), for 20 s at most.
await_wchan() {
	local i wchan=
	for ((i = 0; i < 2000; i++)); do
		# It holds no newline: read finds the end, and says so.
		read -r wchan < "/proc/$1/wchan" || true
		# shellcheck disable=SC2053	# a pattern
		[[ $wchan == $2 ]] && return 0
		nap 0.01
	done
	echo "process $1 is in '$wchan', not '$2'" >&2
	return 1
}

# await_file FILE: until FILE exists (a holder says it holds), for 10 s
# at most.
await_file() {
	local i
	for ((i = 0; i < 1000; i++)); do
		[ -e "$1" ] && return 0
		nap 0.01
	done
	echo "no $1 after 10 s" >&2
	return 1
}

# lock_waited PATH: true once some process waits for a lock on PATH's
# file: a "->" line of /proc/locks, which names it by device and inode.
lock_waited() {
	local ino line
	ino=$(stat -c %i "$1") || return 1
	while read -r line; do
		[[ $line == *"-> FLOCK "*":$ino "* ]] && return 0
	done < /proc/locks
	return 1
}

# until_lock_waited PATH: until lock_waited PATH, for 20 s at most.
until_lock_waited() {
	local i
	for ((i = 0; i < 2000; i++)); do
		lock_waited "$1" && return 0
		nap 0.01
	done
	echo "nobody waited for a lock on $1" >&2
	return 1
}
export -f await_file lock_waited until_lock_waited nap

skip_if_static() {
	local rc=0
	elf_has_interp "$SHM" || rc=$?
	[ "$rc" != 1 ] || skip "static binary: an LD_PRELOAD shim cannot load"
}

# Runs a command allowed only $1 descriptors, none but 0, 1 and 2 open.
with_descriptors() {
	bash -c 'for fd in /proc/$$/fd/*; do
		fd=${fd##*/}
		[ "$fd" -gt 2 ] && eval "exec $fd>&-"
	done
	ulimit -n "$0" && exec "$@"' "$@"
}

# The blocks a file has allocated: holes have none.
blocks() {
	stat -c %b "$1"
}

# make_mixed NAME: an 8 MiB segment of 3 MiB of 'a', a 3 MiB hole and
# 2 MiB of 'z', and a copy of it in ./before.
make_mixed() {
	truncate -s 8M mixed
	head -c 3M /dev/zero | tr '\0' a | dd of=mixed conv=notrunc status=none
	head -c 2M /dev/zero | tr '\0' z |
		dd of=mixed bs=1M seek=6 conv=notrunc status=none
	shm create "$1" --from ./mixed
	cp "/dev/shm/$1" before
}

# The commands "shm --help" lists, help among them, one a line: the
# binary's own list (src/cmd/commands.h), which the Makefile reads too.
commands() {
	local cache=$BATS_FILE_TMPDIR/commands line
	# Asked of shm once a file: tests ask many times, in subshells.
	if [ ! -s "$cache" ]; then
		"$SHM" --help | awk '/^Commands:/ { on = 1; next }
		    on && /^  [a-z]/ { print $1 } on && /^$/ { exit }' \
		    > "$cache.$$" && mv "$cache.$$" "$cache"
	fi
	while IFS= read -r line; do
		echo "$line"
	done < "$cache"
}

# For wait and watch: a process that looks at a segment again and again.
# Returns once process $1 sleeps between two looks (clock_nanosleep, ppoll):
# a waiter there has taken its first look, so whatever is done after
# this returns is a change it has to see.  Fails after 10 s.
await_looking() {
	local i wchan
	for ((i = 0; i < 1000; i++)); do
		if [ ! -e "/proc/$1/wchan" ]; then
			echo "process $1 has ended" >&2
			return 1
		fi
		# It holds no newline: read finds the end, and says so.
		read -r wchan < "/proc/$1/wchan" || true
		[[ "$wchan" == *nanosleep* || "$wchan" == *poll* ]] && return 0
		nap 0.01
	done
	echo "process $1 never slept between looks" >&2
	return 1
}

# How many times process $1 has slept so far; fails once it has ended.
sleeps_of() {
	awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status" \
	    2>/dev/null
}

# Returns once process $1 has slept $2 more times: it has looked again
# since this was called.  Fails after 10 s, or if it ends.
await_looks() {
	local i n0 n
	n0=$(sleeps_of "$1") || n0=
	for ((i = 0; i < 1000; i++)); do
		if [ -z "$n0" ] || ! n=$(sleeps_of "$1"); then
			echo "process $1 has ended" >&2
			return 1
		fi
		((n >= n0 + $2)) && return 0
		nap 0.01
	done
	echo "process $1 did not look again" >&2
	return 1
}
