#!/usr/bin/env bats
# Bad input, table-driven: every command, every kind of wrong argument.
# Each row must give exit 2 and exactly the one line of stderr shown,
# and never a crash (a signal would show as status > 128).

load helpers

# Rows: ARGS (shell words, eval'd) | the expected stderr line.  @ stands
# for the test's object, which exists (16 bytes); @none does not.
TABLE='
read @none                  | shm: read: @none: no such segment
read ""                     | shm: read: '"''"': empty segment name
read $LONG                  | shm: read: $LONG: segment name longer than 255 bytes
read ./dir                  | shm: read: ./dir: is a directory, not a segment
read ./fifo                 | shm: read: ./fifo: is a FIFO, not a segment
read /dev/null              | shm: read: /dev/null: is a character device, not a segment
read                        | shm: read: missing NAME (see '"'shm read --help'"')
read @ -o                   | shm: read: option '"'-o'"' needs a value (see '"'shm read --help'"')
read @ --length             | shm: read: option '"'--length'"' needs a value (see '"'shm read --help'"')
read @ -n -1                | shm: read: -n '"'-1'"': not a number (see '"'shm read --help'"')
read @ -n 18446744073709551616 | shm: read: -n '"'18446744073709551616'"': number too large (see '"'shm read --help'"')
read @ -o 17                | shm: read: @: offset '"'17'"': beyond the end (size 16)
read @ -o -17               | shm: read: @: offset '"'-17'"': before the start (size 16)
read @ -o 0x                | shm: read: @: offset '"'0x'"': not a number (size 16)
read @ -o 1K1               | shm: read: @: offset '"'1K1'"': not a number (size 16)
read @ -q                   | shm: read: unknown option '"'-q'"' (see '"'shm read --help'"')
read @ --line=yes           | shm: read: option '"'--line'"' takes no value (see '"'shm read --help'"')
read -- -o                  | shm: read: -o: no such segment
write @ -x 0g               | shm: write: -x: '"'g'"' at character 2 is not a hex digit (see '"'shm write --help'"')
write @ -x 123              | shm: write: -x: odd number of hex digits (see '"'shm write --help'"')
write @ -s                  | shm: write: option '"'-s'"' needs a value (see '"'shm write --help'"')
write @ -s abc -i x         | shm: write: -s, -x, -i and --as exclude each other (see '"'shm write --help'"')
write @ -o 99999999999999999999 -s a | shm: write: @: offset '"'99999999999999999999'"': number too large (size 16)
write @ -i ./dir            | shm: write: ./dir: is a directory
write @ -i ./nonexistent    | shm: write: ./nonexistent: No such file or directory
write ./dir -s x            | shm: write: ./dir: is a directory, not a segment
write ./fifo -s x           | shm: write: ./fifo: is a FIFO, not a segment
write @none -s x            | shm: write: @none: no such segment
create @ 1                  | shm: create: @: already exists (--force replaces it, --exist-ok keeps it)
create @new 1x              | shm: create: SIZE '"'1x'"': not a number (see '"'shm create --help'"')
create @new -1              | shm: create: SIZE '"'-1'"': not a number (see '"'shm create --help'"')
create @new 16E             | shm: create: SIZE '"'16E'"': number too large (see '"'shm create --help'"')
create @new 1 -m 9          | shm: create: -m '"'9'"': not an octal mode (see '"'shm create --help'"')
create ./dir/x/y 1          | shm: create: ./dir/x/y: No such file or directory
create $LONG 1              | shm: create: $LONG: segment name longer than 255 bytes
create "" 1                 | shm: create: '"''"': empty segment name
create @new --from ./fifo-none | shm: create: ./fifo-none: No such file or directory
seek @ x                    | shm: seek: @: position '"'x'"': not a number
seek @ 17                   | shm: seek: @: position '"'17'"' is outside the segment (0 to 16)
seek @ -1                   | shm: seek: @: position '"'-1'"' is outside the segment (0 to 16)
seek @ end+1                | shm: seek: @: position '"'end+1'"': only -N may follow '"'end'"'
seek @none                  | shm: seek: @none: no such segment
seek ./fifo                 | shm: seek: ./fifo: is a FIFO, not a segment
find @ -x zz                | shm: find: PATTERN: '"'z'"' at character 1 is not a hex digit (see '"'shm find --help'"')
find @ a --start 99         | shm: find: @: --start '"'99'"': beyond the end (size 16)
find @ a --end x            | shm: find: @: --end '"'x'"': not a number (size 16)
find @                      | shm: find: missing PATTERN (see '"'shm find --help'"')
find @none a                | shm: find: @none: no such segment
find ./dir a                | shm: find: ./dir: is a directory, not a segment
flush @ -o 17               | shm: flush: @: offset '"'17'"': beyond the end (size 16)
flush @ -n -5               | shm: flush: -n '"'-5'"': not a number (see '"'shm flush --help'"')
flush /dev/null             | shm: flush: /dev/null: is a character device, not a segment
resize @ 8                  | shm: resize: @: shrinking to 8 bytes destroys 8; --shrink allows it
resize @ x                  | shm: resize: SIZE '"'x'"': not a number (see '"'shm resize --help'"')
resize @ +9223372036854775807 | shm: resize: @: SIZE '"'+9223372036854775807'"': number too large
resize @none 1              | shm: resize: @none: no such segment
move @ 0 0                  | shm: move: missing COUNT (see '"'shm move --help'"')
move @ 0 1 16               | shm: move: @: 16 bytes from 1 to 0 do not fit in 16 bytes; nothing moved
move @ x 0 1                | shm: move: @: DST '"'x'"': not a number (size 16)
move @ 0 0 -1               | shm: move: COUNT '"'-1'"': not a number (see '"'shm move --help'"')
dump @ -f od                | shm: dump: --format '"'od'"': not hexdump or xxd (see '"'shm dump --help'"')
dump @ -o 17                | shm: dump: @: offset '"'17'"': beyond the end (size 16)
dump @ --color=1            | shm: dump: --color '"'1'"': not auto, always or never (see '"'shm dump --help'"')
dump ./fifo                 | shm: dump: ./fifo: is a FIFO, not a segment
stat @none                  | shm: stat: @none: no such segment
stat -f size,nope @         | shm: stat: no field '"'nope'"' (see '"'shm stat --help'"')
stat                        | shm: stat: missing NAME (see '"'shm stat --help'"')
list extra                  | shm: list: list takes no arguments (see '"'shm list --help'"')
rm @none                    | shm: rm: @none: no such segment
rm ./dir                    | shm: rm: ./dir: is a directory, not a segment
rm ""                       | shm: rm: '"''"': empty segment name
help nope                   | shm: help: no help for '"'nope'"'; see '"'shm --help'"'
nope                        | shm: '"'nope'"' is not a command; see '"'shm --help'"'
'

# Each row of TABLE, run: the rows that fail are printed, and counted
# in $failed.  In a function, where bats's DEBUG trap, which runs before
# each command of a test's body, does not: a quarter of a millisecond a
# command here, a second over the table.
try_table() {
	local row args want tried=0
	failed=0
	while IFS= read -r row; do
		[ -n "$row" ] || continue
		args=${row%%|*}
		want=${row#*| }
		args=${args//@/${P}x}
		want=${want//@/${P}x}
		want=${want//\$LONG/$LONG}
		eval "set -- $args"
		# Not bats' run, which costs two processes more a row (a
		# subshell and mktemp); stderr is read as run reads it.
		timeout 10 "$SHM" "$@" > out 2> err && status=0 || status=$?
		read -r -d '' stderr < err || true
		tried=$((tried + 1))
		if [ "$status" != 2 ] || [ "$stderr" != "$want" ] || [ -s out ]; then
			printf 'FAIL: shm %s\n  status %s\n  want: %s\n  got:  %s\n' \
				"$args" "$status" "$want" "$stderr"
			failed=$((failed + 1))
		fi
	done <<< "$TABLE"
	echo "$tried bad inputs tried" >&3
}

@test "every bad input gives exit 2 and one exact line" {
	LONG=$(printf 'n%.0s' $(seq 300))
	mkdir dir
	mkfifo fifo
	shm create "${P}x" 16
	local failed
	try_table
	assert_equal "$failed" 0
	# Nothing the table did may have changed the object.
	cmp "/dev/shm/${P}x" <(head -c 16 /dev/zero)
}
