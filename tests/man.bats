#!/usr/bin/env bats
# The man pages: one per command, rendering cleanly, matching --help,
# and with examples that run and print what they show.

load helpers

ROOT="$BATS_TEST_DIRNAME/.."


pages() {
	echo "$ROOT/man/shm.1"
	commands | grep -vx help | sed "s|.*|$ROOT/man/shm-&.1|"
}

# The page of a command, or with none, shm.1.
page_of() {
	echo "$ROOT/man/shm${1:+-$1}.1"
}

# The lines of roff source with fonts and the escapes we use undone.
unroff() {
	sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" \
	    -e 's/\\(dq/"/g' -e 's/\\(ga/`/g' -e 's/\\&//g' -e 's/\\e/\\/g'
}

@test "every command has a man page, and every page a command" {
	local c f
	[ -n "$(commands | grep -vx help)" ]
	for c in $(commands | grep -vx help); do
		[ -f "$ROOT/man/shm-$c.1" ] || { echo "no man/shm-$c.1"; false; }
	done
	for f in "$ROOT"/man/shm-*.1; do
		c=${f##*/shm-}
		commands | grep -qx "${c%.1}" ||
		    { echo "$f: no command ${c%.1}"; false; }
	done
	[ -f "$ROOT/man/shm.1" ]
}

# All pages in one groff run: a process for each page, the way man runs
# it, would cost more than the checks.  Warnings name the page.
@test "every page renders with no warnings, as man renders it" {
	command -v groff >/dev/null || skip "groff is not installed"
	# shellcheck disable=SC2046	# one path a line, none with spaces
	run groff -man -ww -k -t -z -Tutf8 -rLL=78n $(pages)
	assert_equal "$output" ""
	assert_equal "$status" 0
}

# The SYNOPSIS of every page, in the order pages lists them, one line
# each with its words one space apart: the pages rendered in one run,
# with lines too long to break.
synopses() {
	# shellcheck disable=SC2046
	groff -man -Tascii -P-cbou -rLL=300n $(pages) 2>/dev/null |
	    awk '/^[A-Z]/ { if (s) print ""; s = $0 == "SYNOPSIS"; n = 0; next }
		s { $1 = $1; if ($0 != "") printf "%s%s", n++ ? " " : "", $0 }'
}

@test "every page's SYNOPSIS is the usage of its --help" {
	command -v groff >/dev/null || skip "groff is not installed"
	local c usage synopsis line
	local -a words
	exec 5< <(synopses)
	for c in '' $(commands | grep -vx help); do
		# The usage: the lines before the first blank one.
		usage=
		while IFS= read -r line && [ -n "$line" ]; do
			usage+=" ${line#usage: }"
		done < <("$SHM" $c --help)
		read -r -a words <<< "$usage"
		IFS= read -r synopsis <&5 || synopsis="(no page)"
		assert_equal "$synopsis" "${words[*]}"
	done
	exec 5<&-
}

# The tags of the OPTIONS of every command's page as plain text, each
# after its command: "read -o, --offset OFFSET", "dump --color[=WHEN]".
page_options() {
	local c
	for c in $(commands | grep -vx help); do
		awk -v c="$c" '/^\.SH/ { s = $2 == "OPTIONS"; next }
		    s && t { print c " " $0; t = 0 } s && /^\.TP/ { t = 1 }' \
		    "$ROOT/man/shm-$c.1"
	done | unroff | sort
}

# The same tags, made from the option tables.
table_options() {
	"$SHM" help --options | awk -F '\t' '$2 == "option" {
		t = ($3 != "-" ? $3 ", " : "") $4
		if ($5 == "maybe") t = t "[=" $6 "]"
		else if ($5 != "flag") t = t " " $6
		print $1 " " t }' | sort
}

@test "every page's OPTIONS are exactly the options of its table" {
	# "<": only in a page; ">": only in a table.
	assert_equal "$(diff <(page_options) <(table_options))" ""
}

# Runs the EXAMPLES of a page as one shell script per .EX block, in its
# own directory, and compares the output with the lines shown under
# each "$ command".  A block after a '.\" output varies' comment only
# has to succeed.  Examples name their objects demo and msg: here they
# become ${P}demo and ${P}msg, so that tests never collide.
run_examples() {
	local page=$1 dir=$BATS_TEST_TMPDIR/ex block got want
	rm -rf "$dir"
	mkdir -p "$dir/cwd"
	awk -v dir="$dir" '
	/^\.SH/ { s = $2 == "EXAMPLES"; next }
	!s { next }
	/^\.\\" output varies/ { varies = 1 }
	/^\.EX/ {
		f = dir "/" ++n; printf "" > (f ".sh"); printf "" > (f ".want")
		if (varies) printf "" > (f ".varies")
		varies = 0; ex = 1; next
	}
	/^\.EE/ { ex = 0 }
	ex && /^\$ / { print substr($0, 3) > (f ".sh"); next }
	ex { print > (f ".want") }' "$page"
	for block in "$dir"/*.sh; do
		[ -e "$block" ] || { echo "$page: no examples"; return 1; }
		block=${block%.sh}
		{
			echo 'set -e -o pipefail'
			unroff < "$block.sh" | names
		} > "$block.run"
		want=$(unroff < "$block.want" | names)
		got=$(cd "$dir/cwd" && bash "$block.run" 2>&1 </dev/null) &&
		    [ -e "$block.varies" ] && continue
		[ -e "$block.varies" ] && { echo "$page: $got"; return 1; }
		[ "$got" = "$want" ] || {
			echo "${page##*/}, example ${block##*/}:"
			diff <(echo "$want") <(echo "$got")
			return 1
		}
	done
	[ -z "$(ls -A "$dir/cwd")" ] ||
	    { echo "$page: examples leave files behind"; return 1; }
}

names() {
	sed -e "s/\\bdemo\\b/${P}demo/g" -e "s/\\bmsg\\b/${P}msg/g"
}

# shm and its shm-CMD links, for the examples: made once for the file.
setup_file() {
	local bin=$BATS_FILE_TMPDIR/bin c
	mkdir -p "$bin"
	ln -s "$SHM" "$bin/shm"
	for c in $(commands | grep -vx help); do
		ln -s "$SHM" "$bin/shm-$c"
	done
}

# Runs the examples of the page of command $1 (none: shm.1), with shm
# and its shm-CMD links in PATH.
examples() {
	PATH="$BATS_FILE_TMPDIR/bin:$PATH" run_examples "$(page_of "$1")"
	assert_equal "$(ls /dev/shm | grep -c "^$P" || true)" 0
}

# One test a page, so that bats --jobs runs them side by side.
@test "shm(1)'s examples run and print what they show" { examples; }
@test "shm-create(1)'s examples run and print what they show" { examples create; }
@test "shm-write(1)'s examples run and print what they show" { examples write; }
@test "shm-read(1)'s examples run and print what they show" { examples read; }
@test "shm-seek(1)'s examples run and print what they show" { examples seek; }
@test "shm-find(1)'s examples run and print what they show" { examples find; }
@test "shm-flush(1)'s examples run and print what they show" { examples flush; }
@test "shm-resize(1)'s examples run and print what they show" { examples resize; }
@test "shm-move(1)'s examples run and print what they show" { examples move; }
@test "shm-dump(1)'s examples run and print what they show" { examples dump; }
@test "shm-diff(1)'s examples run and print what they show" { examples diff; }
@test "shm-stat(1)'s examples run and print what they show" { examples stat; }
@test "shm-list(1)'s examples run and print what they show" { examples list; }
@test "shm-rm(1)'s examples run and print what they show" { examples rm; }
@test "shm-gc(1)'s examples run and print what they show" { examples gc; }
@test "shm-lock(1)'s examples run and print what they show" { examples lock; }
@test "shm-wait(1)'s examples run and print what they show" { examples wait; }
@test "shm-watch(1)'s examples run and print what they show" { examples watch; }
@test "shm-layout(1)'s examples run and print what they show" { examples layout; }
@test "shm-who(1)'s examples run and print what they show" { examples who; }

@test "every page's examples have a test of their own" {
	local c missing=
	for c in $(commands | grep -vx help); do
		grep -q "^@test \"shm-$c(1)'s examples run" "$BATS_TEST_FILENAME" ||
		    missing+=" $c"
	done
	assert_equal "$missing" ""
}
