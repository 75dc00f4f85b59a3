#!/usr/bin/env bats
# The multi-call binary: dispatch, help, version, exit statuses.

load helpers

@test "shm --help lists every command with a summary" {
	capture shm --help
	assert_equal "$status" 0
	for c in create write read seek stat rm; do
		[[ $output == *"  $c "* ]] || { echo "missing $c"; false; }
	done
}

@test "shm without a command prints usage to stderr and exits 2" {
	capture shm
	assert_equal "$status" 2
	assert_equal "$output" ""
	[[ $stderr == "usage: shm COMMAND"* ]]
}

@test "shm --version prints the version" {
	capture shm --version
	assert_equal "$status" 0
	[[ $output =~ ^shm\ [0-9]+\.[0-9]+\.[0-9]+(\ \(portable\))?$ ]]
}

@test "shm help CMD and shm CMD --help print the same usage" {
	run shm help read
	assert_equal "$status" 0
	local help=$output
	[[ $help == "usage: shm read "* ]]
	run shm read --help
	assert_equal "$output" "$help"
	run shm read -h
	assert_equal "$output" "$help"
}

@test "every command answers --help with its usage and exit 0" {
	for c in create write read seek stat rm; do
		capture shm "$c" --help
		assert_equal "$status" 0
		[[ $output == "usage: shm $c"* ]]
	done
}

@test "an unknown command is an error" {
	capture shm frobnicate
	assert_fails 2 "shm: 'frobnicate' is not a command; see 'shm --help'"
}

@test "help for an unknown command is an error" {
	capture shm help frobnicate
	assert_fails 2 "shm: help: no help for 'frobnicate'; see 'shm --help'"
}

@test "an unknown option names itself and points at --help" {
	capture shm read -z x
	assert_fails 2 "shm: read: unknown option '-z' (see 'shm read --help')"
	capture shm read --bogus x
	assert_fails 2 "shm: read: unknown option '--bogus' (see 'shm read --help')"
}

@test "an option without its value is an error" {
	capture shm read x -n
	assert_fails 2 "shm: read: option '-n' needs a value (see 'shm read --help')"
	capture shm write x --offset
	assert_fails 2 "shm: write: option '--offset' needs a value (see 'shm write --help')"
}

@test "shm-CMD through a symlink runs CMD" {
	ln -s "$SHM" shm-read
	ln -s "$SHM" shm-create
	./shm-create "${P}a" 4
	shm write "${P}a" -s wxyz
	capture ./shm-read "${P}a" -o 1 -n 2
	assert_equal "$status" 0
	assert_equal "$output" "xy"
}

@test "a symlink to an unknown shm-CMD is an error" {
	ln -s "$SHM" shm-bogus
	capture ./shm-bogus
	assert_fails 2 "shm: 'bogus' is not a command; see 'shm --help'"
}

@test "options may follow operands, and -- ends options" {
	shm create "${P}a" 8
	shm write "${P}a" -s abcdefgh
	run shm read "${P}a" -n 3 -o 2
	assert_equal "$output" "cde"
	capture shm write -o 0 -- "${P}a" -s x
	assert_fails 2 "shm: write: too many arguments (see 'shm write --help')"
	capture shm write "${P}a" hello
	assert_fails 2 "shm: write: too many arguments; to write 'hello' itself, use -s (see 'shm write --help')"
	capture shm write "${P}a" a b
	assert_fails 2 "shm: write: too many arguments (see 'shm write --help')"
}

@test "long options take their value after = or as the next word" {
	shm create "${P}a" 8
	shm write "${P}a" --string=abcdefgh
	run shm read "${P}a" --offset=4 --length 2
	assert_equal "$output" "ef"
}

@test "clustered short flags work" {
	shm create "${P}a" 4
	capture shm create -fe "${P}a" 4
	assert_fails 2 "shm: create: --force and --exist-ok exclude each other (see 'shm create --help')"
}

@test "a write error on standard output is reported" {
	shm create "${P}a" 4
	capture bash -c '"$SHM" seek "$1" >&-' _ "${P}a"
	assert_equal "$status" 2
	assert_equal "$stderr" "shm: seek: standard output: Bad file descriptor"
}

@test "read --follow takes -t SECONDS, as wait does" {
	shm create "${P}t" 0
	shm write "${P}t" --append -s ab
	capture timeout 20 "$SHM" read -f -t 0.2 -o 0 "${P}t"
	assert_equal "$status" 1
	assert_equal "$output" ab
	assert_equal "$stderr" ""
	# In a cluster, the value joined to it.
	capture timeout 20 "$SHM" read -ft0.1 -o 1 "${P}t"
	assert_equal "$status" 1
	assert_equal "$output" b
	capture shm read -t 1 "${P}t"
	assert_fails 2 "shm: read: --timeout goes with --follow (see 'shm read --help')"
	capture shm read -f -t x "${P}t"
	assert_fails 2 "shm: read: --timeout 'x': not a number of seconds (see 'shm read --help')"
}
