#!/usr/bin/env bats
# make install and make uninstall, into a DESTDIR of the test's own.
# SHM= installs the binary under test, so nothing is rebuilt.

load helpers

ROOT="$BATS_TEST_DIRNAME/.."


# Runs a command with a HOME of the test's own, away from the user's
# shell settings and completions.
own_home() {
	HOME=$BATS_TEST_TMPDIR XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/.config \
	    XDG_DATA_HOME=$BATS_TEST_TMPDIR/.local/share "$@"
}

make_install() {
	make -s -C "$ROOT" "$1" DESTDIR="$BATS_TEST_TMPDIR/root" \
	    PREFIX=/usr SHM="$SHM"
}

@test "make install puts the binary, links, man pages and completions" {
	local r=$BATS_TEST_TMPDIR/root/usr c f before
	before=$(stat -c %Y "$SHM")
	make_install install
	[ -f "$r/bin/shm" ] && [ ! -L "$r/bin/shm" ] && [ -x "$r/bin/shm" ]
	cmp "$SHM" "$r/bin/shm"
	for c in $(commands); do
		assert_equal "$(readlink "$r/bin/shm-$c")" shm
		assert_equal "$(readlink \
		    "$r/share/bash-completion/completions/shm-$c")" shm
		assert_equal "$(readlink \
		    "$r/share/fish/vendor_completions.d/shm-$c.fish")" shm.fish
		[ -f "$r/share/man/man1/shm-$c.1" ]
	done
	for f in "$ROOT"/man/*.1; do
		cmp "$f" "$r/share/man/man1/${f##*/}"
	done
	cmp "$ROOT/completions/shm.bash" \
	    "$r/share/bash-completion/completions/shm"
	cmp "$ROOT/completions/_shm" "$r/share/zsh/site-functions/_shm"
	cmp "$ROOT/completions/shm.fish" \
	    "$r/share/fish/vendor_completions.d/shm.fish"
	# Installing built nothing.
	assert_equal "$(stat -c %Y "$SHM")" "$before"
}

@test "the installed shm-CMD links, pages and completions work" {
	local r=$BATS_TEST_TMPDIR/root/usr
	make_install install
	capture "$r/bin/shm-seek" --help
	assert_equal "$status" 0
	[[ $output == "usage: shm seek"* ]]
	# bash-completion's loader sources the file named after the command;
	# the completion asks the installed shm.
	PATH="$r/bin:$PATH"
	source "$r/share/bash-completion/completions/shm-read"
	COMP_WORDS=(shm-read --o)
	COMP_CWORD=1
	_shm
	assert_equal "${COMPREPLY[*]}" "--offset --output"
	command -v man >/dev/null || skip "man is not installed"
	assert_equal "$(man -M "$r/share/man" -w shm-seek)" \
	    "$r/share/man/man1/shm-seek.1"
}

@test "every installed shm-CMD link has a man page; shm-help's is shm(1)" {
	local r=$BATS_TEST_TMPDIR/root/usr f n=0 missing=
	make_install install
	for f in "$r"/bin/shm-*; do
		[ -L "$f" ] || continue
		n=$((n + 1))
		[ -f "$r/share/man/man1/${f##*/}.1" ] || missing+=" ${f##*/}"
	done
	((n > 0))
	assert_equal "$missing" ""
	assert_equal "$(readlink "$r/share/man/man1/shm-help.1")" shm.1
	command -v man >/dev/null || skip "man is not installed"
	# man-db prints the page a link leads to, others the link.
	f=$(man -M "$r/share/man" -w shm-help)
	assert_equal "$(readlink -f "$f")" \
	    "$(readlink -f "$r/share/man/man1/shm.1")"
	capture env LC_ALL=C.UTF-8 MANWIDTH=80 \
	    man --warnings -M "$r/share/man" shm-help
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	[[ $output == *"shm - shared memory from the shell"* ]]
	[[ $output == *"shm help COMMAND"* ]]
}

@test "make uninstall removes all that make install put there" {
	local root=$BATS_TEST_TMPDIR/root
	make_install install
	[ -n "$(find "$root" ! -type d)" ]
	make_install uninstall
	assert_equal "$(find "$root" ! -type d)" ""
}

@test "zsh and fish find the installed completions for every shm-CMD" {
	local r=$BATS_TEST_TMPDIR/root/usr c want= got
	make_install install
	for c in $(commands); do
		want+=" _shm"
	done
	if command -v zsh >/dev/null; then
		got=$(own_home zsh -fc 'fpath=($1 $fpath)
		    autoload -Uz compinit; compinit -u -D
		    for c in ${@:2}; print -n " $_comps[shm-$c]"' \
		    zsh "$r/share/zsh/site-functions" $(commands))
		assert_equal "$got" "$want"
	fi
	command -v fish >/dev/null || skip "fish is not installed"
	# fish loads shm-read.fish only for a shm-read it can run.
	got=$(PATH="$r/bin:$PATH" own_home fish -c \
	    'set -p fish_complete_path $argv[1]
	    complete -C "shm-read --o"' "$r/share/fish/vendor_completions.d" |
	    cut -f1 | xargs)
	assert_equal "$got" "--offset --output"
}
