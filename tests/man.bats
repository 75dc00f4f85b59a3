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

# Plain text of a page, one line per output line, no wrapping.
render() {
	groff -man -Tascii -P-cbou -rLL=300n "$1" 2>/dev/null
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

@test "every page renders with no warnings in man" {
	command -v man >/dev/null || skip "man is not installed"
	local f err
	for f in $(pages); do
		err=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 \
		    >/dev/null)
		[ -z "$err" ] || { echo "$f: $err"; false; }
	done
}

@test "every page renders with no warnings in groff -ww" {
	command -v groff >/dev/null || skip "groff is not installed"
	local f err
	for f in $(pages); do
		err=$(groff -man -ww -z "$f" 2>&1)
		[ -z "$err" ] || { echo "$f: $err"; false; }
	done
}

@test "every page's SYNOPSIS is the usage of its --help" {
	command -v groff >/dev/null || skip "groff is not installed"
	local c usage synopsis
	for c in '' $(commands | grep -vx help); do
		# The usage: the lines before the first blank one.
		usage=$("$SHM" $c --help | sed -e '/^$/q' -e 's/^usage: //' |
		    tr -s ' \n' '  ' | sed 's/ *$//')
		synopsis=$(render "$(page_of "$c")" |
		    awk '/^[A-Z]/ { s = $0 == "SYNOPSIS"; next } s' |
		    tr -s ' \n' '  ' | sed 's/^ *//; s/ *$//')
		assert_equal "$synopsis" "$usage"
	done
}

@test "every option in --help is a tag in the page's OPTIONS" {
	local c f tags line opt missing=
	for c in $(commands | grep -vx help); do
		f="$ROOT/man/shm-$c.1"
		# The tag lines after each .TP in OPTIONS, as plain text.
		tags=$(awk '/^\.SH/ { s = $2 == "OPTIONS"; next }
		    s && t { print; t = 0 } s && /^\.TP/ { t = 1 }' "$f" |
		    unroff)
		# "  -x, --long ARG  text" and "      --long ARG  text"
		while read -r line; do
			opt=$(printf '%s\n' "$line" |
			    sed -E 's/^(-[A-Za-z], )?(--[a-z][a-z-]*).*/\1\2/')
			printf '%s\n' "$tags" | grep -qE -- "^$opt([[ =]|\$)" ||
			    missing+=" shm-$c.1:$opt"
		done < <("$SHM" "$c" --help | grep -E '^ +-')
	done
	assert_equal "$missing" ""
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

@test "every page's examples run and print what they show" {
	local bin=$BATS_TEST_TMPDIR/bin c f
	mkdir -p "$bin"
	ln -s "$SHM" "$bin/shm"
	for c in $(commands | grep -vx help); do
		ln -s "$SHM" "$bin/shm-$c"
	done
	for f in $(pages); do
		PATH="$bin:$PATH" run_examples "$f"
	done
	assert_equal "$(ls /dev/shm | grep -c "^$P" || true)" 0
}
