#!/usr/bin/env bats
# Every example in README.md runs as written and prints what it shows.
#
# Each section is one test, run in a directory of its own, its blocks in
# order by one bash, so a block may use what an earlier one made:
#   ```console  "$ command" lines, each of which must exit 0, and under
#               them the exact output (stdout and stderr together);
#   ```sh       a script, run under set -e in a subshell;
#   ```python   run by python3;
#   ```text     the exact output of the sh or python block before it (a
#               block with none must print nothing).
# An HTML comment on the line before a block marks it:
#   <!-- file: NAME -->           the block is saved as ./NAME, not run;
#   <!-- output varies: WHY -->   it has to succeed, its output is not
#                                 compared;
#   <!-- not run: WHY -->         the test says WHY and skips the block.
# The segments the README names get the test's prefix, and none may be
# left in /dev/shm.

load helpers

README=$BATS_TEST_DIRNAME/../README.md

# The interpreter itself, not a wrapper such as pyenv's shim, which
# takes longer to start than the examples take to run.
setup_file() {
	if command -v python3 >/dev/null; then
		export README_PYTHON
		README_PYTHON=$(python3 -c 'import sys; print(sys.executable)')
	fi
}

# The titles of the sections that hold a fenced block, one a line.
sections_with_blocks() {
	awk '/^```/ { fence = !fence; if (fence && !said[sec]++) print sec }
	    !fence && /^## / { sec = substr($0, 4) }' "$README"
}

# Splits section $1 into $dir/run.sh and, for block N, want.N (its
# output), line.N (where it starts) and varies.N (why); the blocks not
# run are listed in $dir/notrun.
extract() {
	awk -v want="$1" -v dir="$dir" '
	function fail(msg) {
		print "README.md:" start ": " msg > (dir "/errors")
		bad = 1
	}
	function reason(m) {
		sub(/^<!-- [a-z ]+: */, "", m); sub(/ *-->$/, "", m)
		return m
	}
	function output_for(n) {
		f = dir "/want." n; printf "" > f
		print start > (dir "/line." n)
		print "exec >\"$OUT/" n "\" 2>&1" > run
		last = n
	}
	function emit(   i, c, n) {
		if (lang == "text") {
			if (!last) fail("output with no block before it")
			for (i = 1; i <= nl; i++)
				print body[i] > (dir "/want." last)
			last = 0
			return
		}
		last = 0
		if (mark ~ /^<!-- not run:/) {
			print "README.md:" start ": not run: " reason(mark) \
			    > (dir "/notrun")
			return
		}
		if (mark ~ /^<!-- file:/) {
			print "cat > " reason(mark) " <<" q "README_EOF" q > run
			for (i = 1; i <= nl; i++) print body[i] > run
			print "README_EOF" > run
			return
		}
		n = ++blocks
		output_for(n)
		if (mark ~ /^<!-- output varies:/)
			print reason(mark) > (dir "/varies." n)
		if (lang == "console") {
			for (i = 1; i <= nl; i++) {
				if (body[i] !~ /^\$ /) {
					if (i == 1)
						fail("output before a command")
					print body[i] > (dir "/want." n)
					continue
				}
				c = substr(body[i], 3)
				print c > run
				if (c !~ /&$/)
					print "__ok $? " start + i > run
			}
		} else if (lang == "sh") {
			print "(set -e" > run
			for (i = 1; i <= nl; i++) print body[i] > run
			print ")\n__ok $? " start > run
		} else if (lang == "python") {
			print "python3 - <<" q "README_EOF" q > run
			for (i = 1; i <= nl; i++) print body[i] > run
			print "README_EOF\n__ok $? " start > run
		} else {
			fail("a ```" lang " block can only be a <!-- file: -->")
		}
	}
	BEGIN { run = dir "/run.sh"; q = "\047" }
	!fence && /^## / { on = substr($0, 4) == want; next }
	!fence && /^<!-- (file|output varies|not run): .* -->$/ {
		mark = $0; next
	}
	!fence && /^```/ {
		fence = 1; lang = substr($0, 4); start = NR; nl = 0; next
	}
	fence && /^```$/ {
		fence = 0
		if (on) emit()
		mark = ""; next
	}
	fence { body[++nl] = $0; next }
	NF { mark = ""; last = 0 }
	END { exit bad }' "$README"
}

# The README's segment names, given the test's prefix.
names() {
	sed -i -E "s/\\b(demo|inbox|log|stats|frames)\\b/${P}\\1/g" "$@"
}

run_section() {
	local dir=$BATS_TEST_TMPDIR/readme bin=$BATS_TEST_TMPDIR/bin n=1 rc=0
	mkdir -p "$dir/cwd" "$dir/out" "$bin"
	ln -sf "$SHM" "$bin/shm"
	[ -z "${README_PYTHON:-}" ] || ln -sf "$README_PYTHON" "$bin/python3"
	extract "$1" || { cat "$dir/errors"; return 1; }
	[ -e "$dir/line.1" ] || { echo "no examples in section $1"; return 1; }
	[ ! -e "$dir/notrun" ] || sed 's/^/# /' "$dir/notrun" >&3
	names "$dir/run.sh" "$dir"/want.*
	{
		cat <<-'EOF'
		__ok() {
			[ "$1" = 0 ] && return
			echo "README.md:$2: exit status $1" >&3
			exit 1
		}
		EOF
		cat "$dir/run.sh"
		echo 'exec >&3 2>&3; wait'
	} > "$dir/script"
	(cd "$dir/cwd" && OUT="$dir/out" PATH="$bin:$PATH" \
	    timeout 60 bash "$dir/script" 3>"$dir/log" </dev/null) || rc=$?
	if [ "$rc" != 0 ]; then
		cat "$dir/log"
		# The block that failed is the last that began.
		while [ -e "$dir/out/$((n + 1))" ]; do n=$((n + 1)); done
		echo "block at README.md:$(cat "$dir/line.$n") printed:"
		cat "$dir/out/$n"
		return 1
	fi
	for ((n = 1; ; n++)); do
		[ -e "$dir/line.$n" ] || break
		[ ! -e "$dir/varies.$n" ] || continue
		cmp -s "$dir/want.$n" "$dir/out/$n" || {
			echo "block at README.md:$(cat "$dir/line.$n"):"
			diff -u "$dir/want.$n" "$dir/out/$n"
			return 1
		}
	done
	! compgen -G "/dev/shm/$P*" >/dev/null ||
	    { echo "left in /dev/shm:" /dev/shm/"$P"*; return 1; }
}

@test "README: every section with examples has a test here" {
	local tested
	tested=$(sed -n 's/^@test "README: \(.*\)" {$/\1/p' \
	    "$BATS_TEST_FILENAME" | grep -v '^every section')
	assert_equal "$(sections_with_blocks)" "$tested"
}

@test "README: The Python recipe, in shell" {
	run_section "The Python recipe, in shell"
}

@test "README: A tour" {
	run_section "A tour"
}

@test "README: Typed values: a length-prefixed message" {
	run_section "Typed values: a length-prefixed message"
}

@test "README: Named fields: one layout for C, Python and the shell" {
	run_section "Named fields: one layout for C, Python and the shell"
}

@test "README: Handing data between processes" {
	run_section "Handing data between processes"
}

@test "README: Debugging mapped memory" {
	run_section "Debugging mapped memory"
}

@test "README: Watching and comparing" {
	run_section "Watching and comparing"
}

@test "README: Cleaning up" {
	run_section "Cleaning up"
}

@test "README: The other side: Python and C" {
	run_section "The other side: Python and C"
}

# The EXIT STATUS section of a man page.
exit_status_section() {
	awk '/^\.SH/ { on = $0 ~ /EXIT STATUS/; next } on' "$1"
}

@test "exit status 1 is documented wherever a command returns it" {
	local src=$BATS_TEST_DIRNAME/../src man=$BATS_TEST_DIRNAME/../man
	local help readme shm1 page c
	# read's 1 is follow's: the one file below the commands with one.
	assert_equal "$(cd "$src" && grep -l SHM_NOMATCH cmd/*.c lib/*.c)" \
	    "cmd/diff.c
cmd/find.c
cmd/lock.c
cmd/wait.c
cmd/watch.c
cmd/who.c
lib/follow.c"
	help=$("$SHM" --help | sed -n '/^Exit status/,$p' | tr '\n' ' ')
	readme=$(awk -v RS= '/Status 1 is/' "$README" | tr '\n' ' ')
	shm1=$(exit_status_section "$man/shm.1")
	for c in find diff wait 'read --follow' watch who 'lock -w'; do
		[[ $help == *"$c"* ]] ||
		    { echo "shm --help: no $c"; return 1; }
		[[ $shm1 == *".B ${c//-/\\-}"* ]] ||
		    { echo "shm.1: no $c"; return 1; }
		[[ $readme == *"\`$c\`"* ]] ||
		    { echo "README: no $c"; return 1; }
	done
	for page in "$man"/shm-*.1; do
		c=${page##*/shm-}
		c=${c%.1}
		case $c in
		find|diff|wait|read|watch|who|lock)
			exit_status_section "$page" | grep -qw 1 ||
			    { echo "$page: no status 1"; return 1; } ;;
		*)
			! exit_status_section "$page" | grep -qw 1 ||
			    { echo "$page: a status 1"; return 1; } ;;
		esac
	done
}
