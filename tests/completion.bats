#!/usr/bin/env bats
# The shell completions: commands, options, values and segment names,
# and the same commands and options as shm --help lists.

load helpers

ROOT="$BATS_TEST_DIRNAME/.."

# The completions ask the shm they find in PATH: the one under test.
setup_file() {
	mkdir -p "$BATS_FILE_TMPDIR/bin"
	ln -sf "$SHM" "$BATS_FILE_TMPDIR/bin/shm"
}
PATH="$BATS_FILE_TMPDIR/bin:$PATH"

# The options of a command's table, one a line, short and long: from
# "shm help --options", asked once a file.
help_options() {
	local cache=$BATS_FILE_TMPDIR/options cmd kind short long rest
	[ -s "$cache" ] || "$SHM" help --options > "$cache"
	while IFS=$'\t' read -r cmd kind short long rest; do
		[ "$cmd" = "$1" ] && [ "$kind" = option ] || continue
		[ "$short" = - ] || echo "$short"
		[ "$long" = - ] || echo "$long"
	done < "$cache"
}

# The fields shm stat prints, in its order.
stat_fields() {
	shm create "${P}fields" 1
	shm stat "${P}fields" 2>/dev/null | cut -d ' ' -f 1 | grep -v '^cursor\.'
}

# Runs the bash completion on the words given, the last one being the
# word under the cursor, and prints what it offers.
complete_bash() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_shm
	echo "${COMPREPLY[*]}"
}

# The same, one candidate a line, to count them.
complete_bash_lines() {
	complete_bash "$@" >/dev/null
	printf '%s\n' "${COMPREPLY[@]}"
}

# The fish completions of command lines, first column only, into
# fish_offers[LINE], the candidates one space apart: one fish for all.
# Its HOME is the test's own, away from the user's fish settings.
complete_fish() {
	local line at=
	declare -gA fish_offers=()
	while IFS= read -r line; do
		if [[ $line == "== "* ]]; then
			at=${line#== }
			fish_offers[$at]=
		else
			fish_offers[$at]+="${fish_offers[$at]:+ }${line%%$'\t'*}"
		fi
	done < <(HOME=$BATS_TEST_TMPDIR \
	    XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/.config \
	    XDG_DATA_HOME=$BATS_TEST_TMPDIR/.local/share \
	    fish -c 'source $argv[1]
		for l in $argv[2..-1]; echo "== $l"; complete -C $l; end' \
	    "$ROOT/completions/shm.fish" "$@")
}

@test "bash completes command names" {
	source "$ROOT/completions/shm.bash"
	assert_equal "$(complete_bash shm du)" "dump"
	assert_equal "$(complete_bash shm di)" "diff"
	assert_equal "$(complete_bash shm re)" "read resize"
	assert_equal "$(complete_bash shm '')" "$(commands | xargs)"
}

@test "bash completes the options of a command" {
	source "$ROOT/completions/shm.bash"
	assert_equal "$(complete_bash shm dump --f)" "--format"
	assert_equal "$(complete_bash shm-read --o)" "--offset --output"
	assert_equal "$(complete_bash shm list -)" "-a --all -l --long -H --header -j --json --total --sysv --deleted --help"
}

@test "bash completes the values of options" {
	source "$ROOT/completions/shm.bash"
	assert_equal "$(complete_bash shm dump --format '')" "hexdump xxd"
	assert_equal "$(complete_bash shm dump -f x)" "xxd"
	# "=" is in COMP_WORDBREAKS: --color=al is three words.
	assert_equal "$(complete_bash shm dump --color = '')" \
	    "auto always never"
	assert_equal "$(complete_bash shm dump --color = al)" "always"
	assert_equal "$(complete_bash shm dump --color=n)" "--color=never"
	assert_equal "$(complete_bash shm stat -f size,cu)" "size,cursor"
}

@test "bash completes segment names, and paths with a slash" {
	source "$ROOT/completions/shm.bash"
	shm create "${P}comp" 1
	touch "${P}file"
	assert_equal "$(complete_bash shm read "${P}c")" "${P}comp"
	assert_equal "$(complete_bash shm-dump -o 4 "${P}c")" "${P}comp"
	assert_equal "$(complete_bash shm rm "${P}comp" "${P}c")" "${P}comp"
	assert_equal "$(complete_bash shm read "./${P}f")" "./${P}file"
	# Only the first argument of read is a NAME.
	assert_equal "$(complete_bash shm find "${P}comp" "${P}c")" ""
}

@test "bash completes a file name with a space, a tab or a * as one word" {
	source "$ROOT/completions/shm.bash"
	touch "a b.bin" $'t\tab.bin' "x*y.bin" "xzy.bin"
	assert_equal "$(complete_bash_lines shm write "${P}s" -i a)" "a b.bin"
	assert_equal "$(complete_bash_lines shm create "${P}s" --from=a)" \
	    "--from=a b.bin"
	# As a first Tab leaves it, and inside quotes.
	assert_equal "$(complete_bash_lines shm write "${P}s" -i 'a\ b')" \
	    "a b.bin"
	assert_equal "$(complete_bash_lines shm read "${P}s" -O '"a b')" \
	    "a b.bin"
	assert_equal "$(complete_bash_lines shm write "${P}s" -i t)" \
	    $'t\tab.bin'
	# The "*" is not a glob: xzy.bin is not offered.
	assert_equal "$(complete_bash_lines shm write "${P}s" -i 'x*')" \
	    "x*y.bin"
	assert_equal "$(complete_bash_lines shm read './a')" "./a b.bin"
}

@test "bash completes a program or segment name with a space as one word" {
	source "$ROOT/completions/shm.bash"
	mkdir bin
	printf '#!/bin/sh\n' >"bin/${P}my prog"
	chmod +x "bin/${P}my prog"
	PATH="$BATS_TEST_TMPDIR/bin:$PATH"
	assert_equal "$(complete_bash_lines shm lock "${P}s" "${P}my")" \
	    "${P}my prog"
	assert_equal "$(complete_bash_lines shm lock "${P}s" ./bin/)" \
	    "./bin/${P}my prog"
	shm create "${P}a b" 1
	assert_equal "$(complete_bash_lines shm read "${P}a")" "${P}a b"
	assert_equal "$(complete_bash_lines shm rm "${P}a\ ")" "${P}a b"
}

@test "bash completes help with the commands" {
	source "$ROOT/completions/shm.bash"
	# All but help itself: there is no help for help.
	assert_equal "$(complete_bash shm help '')" "$(commands | grep -vx help |
	    xargs)"
	assert_equal "$(complete_bash shm-help r)" "read resize rm"
}

@test "bash completion is registered for shm and every shm-CMD" {
	local c want
	source "$ROOT/completions/shm.bash"
	want="complete -F _shm shm"
	for c in $(commands); do
		want+=$'\n'"complete -F _shm shm-$c"
	done
	assert_equal "$(complete -p | grep -E ' shm(-[a-z]+)?$' | sort)" \
	    "$(sort <<<"$want")"
}

@test "bash offers every option the table has" {
	local c opt offered missing=
	source "$ROOT/completions/shm.bash"
	for c in $(commands | grep -vx help); do
		offered=" $(complete_bash shm "$c" -) "
		for opt in $(help_options "$c"); do
			[[ $offered == *" $opt "* ]] || missing+=" $c:$opt"
		done
	done
	assert_equal "$missing" ""
}

# The specs _shm gives _arguments for every command, one a line, each
# command's first line "== CMD"; _arguments is a stub that prints them.
zsh_specs() {
	zsh -fc 'source $1 >/dev/null 2>&1
	    _arguments() { print -rl -- "${@:3}" }
	    for c in ${@:2}; do print "== $c"; _shm_command $c shm; done' \
	    zsh "$ROOT/completions/_shm" "$@"
}

@test "the zsh completion parses, and names every command and option" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	local f="$ROOT/completions/_shm" c opt specs blocks block missing=
	zsh -n "$f"
	assert_equal "$(head -1 "$f")" "#compdef shm$(commands |
	    sed 's/^/ shm-/' | tr -d '\n')"
	specs=$(zsh_specs $(commands | grep -vx help))
	# Each command's specs on a line, with no exclusion lists.
	blocks=$(sed -E 's/^\([^)]*\)//' <<<"$specs" |
	    awk '/^== / { printf "\n%s ", $2; next } { printf " %s", $0 }')
	local -A block_of=()
	while read -r c block; do
		[ -z "$c" ] || block_of[$c]=" $block"
	done <<<"$blocks"
	for c in $(commands | grep -vx help); do
		block="$c ${block_of[$c]:-}"
		for opt in $(help_options "$c"); do
			[[ $block == *" $opt"[[+=]* ]] || missing+=" $c:$opt"
		done
	done
	assert_equal "$missing" ""
	# Values and operands, from the table too.
	[[ $specs == *"--field=[print only the values of FIELDS, one a line]:fields:_sequence compadd - $(stat_fields | xargs)"* ]]
	[[ $specs == *"--format=[hexdump (the default) or xxd]:format:(hexdump xxd)"* ]]
	[[ $specs == *$'\n2:command:_command_names -e\n*::argument:_normal\n'* ]]
	[[ $specs == *$'\n*:segment:_shm_segments\n'* ]]
}

@test "the fish completion parses, and completes as bash does" {
	command -v fish >/dev/null || skip "fish is not installed"
	fish --no-execute "$ROOT/completions/shm.fish"
	shm create "${P}comp" 1
	complete_fish 'shm du' 'shm di' 'shm re' 'shm ' 'shm dump --f' \
	    'shm dump --format ' 'shm-read --o' "shm read ${P}c" 'shm help '
	assert_equal "${fish_offers['shm du']}" "dump"
	assert_equal "${fish_offers['shm di']}" "diff"
	assert_equal "${fish_offers['shm re']}" "read resize"
	assert_equal "${fish_offers['shm ']}" "$(commands | sort | xargs)"
	assert_equal "${fish_offers['shm dump --f']}" "--format"
	assert_equal "${fish_offers['shm dump --format ']}" "hexdump xxd"
	assert_equal "${fish_offers['shm-read --o']}" "--offset --output"
	assert_equal "${fish_offers["shm read ${P}c"]}" "${P}comp"
	assert_equal "${fish_offers['shm help ']}" "$(commands | grep -vx help |
	    sort | xargs)"
}

@test "fish completes a segment name with a space, and none with a tab" {
	command -v fish >/dev/null || skip "fish is not installed"
	shm create "${P}a b" 1
	shm create "${P}t"$'\t'"ab" 1
	# A tab separates a candidate from its description: rather than
	# offer "${P}t", fish offers no name with a tab.
	complete_fish "shm read ${P}"
	assert_equal "${fish_offers["shm read ${P}"]}" "${P}a b"
}

@test "fish offers every option the table has" {
	command -v fish >/dev/null || skip "fish is not installed"
	local c opt block missing=
	local -a lines=()
	for c in $(commands | grep -vx help); do
		lines+=("shm $c -")
	done
	complete_fish "${lines[@]}"
	for c in $(commands | grep -vx help); do
		block=" ${fish_offers["shm $c -"]:-} "
		for opt in $(help_options "$c"); do
			[[ $block == *" $opt "* ]] || missing+=" $c:$opt"
		done
	done
	assert_equal "$missing" ""
}

@test "stat -f completes every field stat has, in every shell" {
	local want
	want=$(stat_fields | sort | xargs)
	source "$ROOT/completions/shm.bash"
	assert_equal "$(complete_bash shm stat -f '' | tr ' ' '\n' | sort |
	    xargs)" "$want"
	assert_equal "$(complete_bash shm stat -f size,r)" "size,resident"
	command -v fish >/dev/null || skip "fish is not installed"
	complete_fish 'shm stat -f '
	assert_equal "$(tr ' ' '\n' <<<"${fish_offers['shm stat -f ']}" |
	    sort | xargs)" "$want"
}

@test "a completion asks the shm beside a shm-CMD link" {
	local other=$BATS_TEST_TMPDIR/other
	mkdir "$other"
	ln -s "$SHM" "$other/shm"
	ln -s "$SHM" "$other/shm-read"
	source "$ROOT/completions/shm.bash"
	assert_equal "$(PATH=/nonexistent; complete_bash "$other/shm-read" --o)" \
	    "--offset --output"
	assert_equal "$(PATH=/nonexistent; complete_bash "$other/shm" dump --f)" \
	    "--format"
}

@test "shm help --options answers the completions" {
	local all
	capture shm help --options
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	all=$output
	assert_equal "$(awk -F '\t' '$2 == "command" { print $1 }' <<<"$all")" \
	    "$(commands)"
	assert_equal "$(grep $'^rm\tcommand\t' <<<"$all")" \
	    $'rm\tcommand\tremove segments'
	capture shm help --options dump
	assert_equal "$status" 0
	assert_equal "$output" "$(grep $'^dump\t' <<<"$all")"
	assert_equal "$output" "$(sed 's/|/\t/g' <<'EOF'
dump|command|show a segment in hex, as hexdump -C or xxd
dump|option|-o|--offset|value|OFFSET|-|start here (negative: from the end)
dump|option|-n|--length|value|LENGTH|-|show at most LENGTH bytes
dump|option|-v|--no-squeeze|flag|-|-|show every line, as hexdump -C -v and xxd do
dump|option|-f|--format|value|FORMAT|hexdump xxd|hexdump (the default) or xxd
dump|option|-|--color|maybe|WHEN|auto always never|colour bytes by kind: always (--color alone), never, or auto (the default: on a terminal, unless NO_COLOR is set)
dump|operand|1|@segment
EOF
)"
	assert_equal "$(grep $'^lock\toperand' <<<"$all" | cut -f 3-)" \
	    "$(printf '1\t@segment\n2\t@program\n3+\t@file')"
	assert_equal "$(grep $'^help\t' <<<"$all" | cut -f 2-)" \
	    "$(printf 'command\tshow help for a command\noperand\t1\t@command')"
	capture shm help --options frobnicate
	assert_fails 2 "shm: help: no help for 'frobnicate'; see 'shm --help'"
	capture shm help --options read write
	assert_fails 2 "shm: help: help --options takes one command (see 'shm help --help')"
}
