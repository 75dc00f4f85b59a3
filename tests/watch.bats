#!/usr/bin/env bats
# shm watch: the change log, and the live view on a terminal (tmux).

load helpers

teardown() {
	[ -z "${WATCHER:-}" ] || kill "$WATCHER" 2>/dev/null || true
	[ -z "${TMUX_SOCKET:-}" ] ||
	    tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
	helpers_teardown
}

TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$'

# Stores bytes $3 (a Python bytes literal) at offset $2 of /dev/shm/$1
# through a mapping.
python_store() {
	python3 -c '
import ast, mmap, os, sys
m = mmap.mmap(os.open("/dev/shm/" + sys.argv[1], os.O_RDWR), 0)
b = ast.literal_eval(sys.argv[3])
m[int(sys.argv[2]):int(sys.argv[2]) + len(b)] = b' "$@"
}

# Starts "shm watch ARGS..." in the background (stdout in ./out, stderr
# in ./err) and returns once it has taken its first look.
start_watcher() {
	"$SHM" watch "$@" >out 2>err 3>&- &
	WATCHER=$!
	await_looking "$WATCHER"
}

# Until ./out has $1 lines, for 10 s at most.
await_lines() {
	local i
	for ((i = 0; i < 1000; i++)); do
		[ "$(wc -l < out)" -ge "$1" ] && return 0
		nap 0.01
	done
	echo "out has $(wc -l < out) lines, not $1:" >&2
	cat out >&2
	return 1
}

# Waits for the watcher: $status, $stderr, and $output, the log without
# its time field, each of whose lines must be a time.
end_watcher() {
	wait "$WATCHER" && status=0 || status=$?
	WATCHER=
	stderr=$(cat err)
	cut -f1 out | grep -Evq "$TIME_RE" && {
		echo "a line without a time:" >&2
		cat out >&2
		return 1
	}
	output=$(cut -f2- out)
}

@test "watch logs a change at the first and the last byte, and a store through a mapping" {
	shm create "${P}a" 64
	start_watcher "${P}a" -t 20
	shm write "${P}a" -x 01
	await_lines 1
	shm write "${P}a" -o 63 -x ff
	await_lines 2
	python_store "${P}a" 30 "b'AB'"
	await_lines 3
	shm rm "${P}a"
	end_watcher
	assert_fails 0 ""
	assert_equal "$output" "$(printf '%s\n' \
	    $'0\t1\t00\t01' $'63\t1\t00\tff' $'30\t2\t0000\t4142' removed)"
}

@test "watch: adjacent bytes are one change; runs 16 bytes apart are two" {
	shm create "${P}a" 64
	start_watcher "${P}a" --count 3 -t 20
	shm write "${P}a" -o 4 -x 'aa bb cc'
	await_lines 1
	# Changed at 10 and 25 (14 unchanged between: one change, them
	# included), and at 42 (16 unchanged after 25: another).
	shm write "${P}a" -o 10 -x "11 $(printf '00 %.0s' {1..14})22"
	await_lines 2
	shm write "${P}a" -o 42 -x 33
	end_watcher
	assert_fails 0 ""
	assert_equal "$output" "$(printf '%s\n' $'4\t3\t000000\taabbcc' \
	    $'10\t16\t'"$(printf '0%.0s' {1..32})"$'\t11'"$(printf '0%.0s' {1..28})22" \
	    $'42\t1\t00\t33')"
}

@test "watch: changes made between two looks are one, old against new" {
	shm create "${P}a" 64
	start_watcher "${P}a" --count 2 -t 20
	# Stopped, it looks at nothing: three writes, then one look.
	kill -STOP "$WATCHER"
	shm write "${P}a" -o 8 -x 01
	shm write "${P}a" -o 9 -x 02
	shm write "${P}a" -o 8 -x 03
	python_store "${P}a" 40 "b'\\x07'"
	python_store "${P}a" 40 "b'\\x00'"
	kill -CONT "$WATCHER"
	await_lines 1
	shm write "${P}a" -o 63 -x 04
	end_watcher
	assert_fails 0 ""
	# Byte 40 changed and changed back: no change.
	assert_equal "$output" "$(printf '%s\n' $'8\t2\t0000\t0302' \
	    $'63\t1\t00\t04')"
}

@test "watch --json: one object a line, as Python parses it" {
	shm create "${P}a" 32
	start_watcher "${P}a" --json -t 20
	shm write "${P}a" -o 2 -x 'de ad'
	await_lines 1
	shm resize "${P}a" 40
	await_lines 2
	shm rm "${P}a"
	wait "$WATCHER"
	WATCHER=
	run python3 -c '
import json, re, sys
for line in open("out"):
    o = json.loads(line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", o.pop("time"))
    print(sorted(o.items()))'
	assert_equal "$output" "$(printf '%s\n' \
	    "[('length', 2), ('new', 'dead'), ('offset', 2), ('old', '0000')]" \
	    "[('event', 'size'), ('new_size', 40), ('old_size', 32)]" \
	    "[('event', 'removed')]")"
}

@test "watch: the segment grown and shrunk in the range, or past it" {
	shm create "${P}a" 16
	start_watcher "${P}a" -t 20
	shm write "${P}a" --grow -o 16 -x '00 00 00 00 05'
	await_lines 2
	shm resize --shrink "${P}a" 8
	await_lines 3
	shm resize "${P}a" 12
	await_lines 4
	shm rm "${P}a"
	end_watcher
	assert_fails 0 ""
	# Grown by a write past the end: the size, then the bytes written
	# as changes from zeros; grown again after a cut: zeros, no change.
	assert_equal "$output" "$(printf '%s\n' $'size\t16\t21' \
	    $'20\t1\t00\t05' $'size\t21\t8' $'size\t8\t12' removed)"
	# A range of its own: growth past it is no change.
	shm create "${P}b" 16
	start_watcher "${P}b" -n 8 -t 20
	shm resize "${P}b" 32
	shm resize --shrink "${P}b" 4
	await_lines 1
	kill "$WATCHER"
	end_watcher
	assert_equal "$output" $'size\t32\t4'
}

@test "watch tells only what the segment held while a peer cuts and regrows it" {
	command -v python3 >/dev/null || skip "python3 not found"
	# The peer's bytes past 8 are all 05 whenever they exist: a log
	# line of any other new bytes (zeros read past a cut, or bytes that
	# changed between finding a run and telling it) told what never was.
	shm create "${P}a" 8
	start_watcher "${P}a" -t 60
	python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
for _ in range(int(sys.argv[2])):
    os.pwrite(fd, b"\x05" * 13, 8)
    os.ftruncate(fd, 8)
os.pwrite(fd, b"\x05" * 13, 8)' "/dev/shm/${P}a" $((10000 * SCALE))
	# Left grown: the watcher tells that at least, however slow.
	await_lines 1
	shm rm "${P}a"
	end_watcher
	assert_fails 0 ""
	local log=$output
	# Sizes 8 and 21 in turn; bytes from zeros (new to the copy when
	# it grew) to 05, inside [8, 21); removed, last.
	run awk -F'\t' '$1 == "size" { if ($2 $3 != "821" && $2 $3 != "218")
		print; next }
	    $1 == "removed" { next }
	    $1 < 8 || $1 + $2 > 21 || length($3) != 2 * $2 ||
	    $3 !~ /^(00)+$/ || $4 !~ /^(05)+$/' <<< "$log"
	assert_equal "$output" ""
	[[ $log == size$'\t'8$'\t'21$'\n'*$'\n'removed ]]
}

@test "watch ends when the name is replaced, with status 0" {
	shm create "${P}a" 16
	start_watcher "${P}a"
	shm create --force "${P}a" 16
	end_watcher
	assert_fails 0 ""
	assert_equal "$output" replaced
}

@test "watch --count and -t: the exit status says whether anything changed" {
	shm create "${P}a" 16
	capture "$SHM" watch "${P}a" -t 0.2
	assert_fails 1 ""
	assert_equal "$output" ""
	start_watcher "${P}a" -t 2
	shm write "${P}a" -x 01
	end_watcher
	assert_fails 0 ""
	assert_equal "$output" $'0\t1\t00\t01'
	start_watcher "${P}a" --count 1
	shm write "${P}a" -x 0203 -o 8
	end_watcher
	assert_fails 0 ""
	assert_equal "$output" $'8\t2\t0000\t0203'
}

@test "watch --as: the values that change, old and new, as read --as prints them" {
	shm create "${P}a" 32
	start_watcher "${P}a" -o 4 -n 12 --as '<iH' --count 3 -t 20
	shm write "${P}a" -o 4 --as '<i' -- -5
	await_lines 1
	shm write "${P}a" -o 10 --as '<iH' 7 65535
	end_watcher
	assert_fails 0 ""
	assert_equal "$output" "$(printf '%s\n' $'0\t0\t-5' $'2\t0\t7' \
	    $'3\t0\t65535')"
	start_watcher "${P}a" --as '4s' --json --count 1 -t 20
	shm write "${P}a" -o 0 -s 'hi'
	wait "$WATCHER"
	WATCHER=
	run python3 -c '
import json
o = json.loads(open("out").read())
print(o["index"], o["old"], o["new"])'
	assert_equal "$output" '0 \0\0\0\0 hi\0\0'
}

@test "watch --as LAYOUT and --layout FILE call the values by name" {
	shm create "${P}a" 32
	start_watcher "${P}a" --as '< seq:I 2x pair:2h' --count 2 -t 20
	shm write "${P}a" --as '< seq:I' seq+=1
	await_lines 1
	shm write "${P}a" -o 8 --as '<h' -- -3
	end_watcher
	assert_fails 0 ""
	assert_equal "$output" "$(printf '%s\n' $'seq\t0\t1' \
	    $'pair[1]\t0\t-3')"
	printf '%s\n' '<' 'seq:I' 'H' > layout
	shm create "${P}b" 12
	start_watcher "${P}b" --layout layout -n 12 --json --count 2 -t 20
	shm write "${P}b" -o 6 --as '<I' 7
	await_lines 1
	shm write "${P}b" -o 4 --as '<H' 8
	wait "$WATCHER"
	WATCHER=
	run python3 -c '
import json
for line in open("out"):
    o = json.loads(line)
    print(o.get("field", o.get("index")), o["old"], o["new"])'
	assert_equal "$output" "1.seq 0 7
1 0 8"
}

@test "watch sees a store in the last byte of 64 MiB through a mapping" {
	shm create "${P}a" 64M
	start_watcher "${P}a" --count 1 -t 30
	python_store "${P}a" $((64 * 1024 * 1024 - 1)) "b'A'"
	end_watcher
	assert_fails 0 ""
	assert_equal "$output" $'67108863\t1\t00\t41'
}

@test "watch refuses bad input" {
	shm create "${P}a" 16
	capture "$SHM" watch "${P}nope"
	assert_fails 2 "shm: watch: ${P}nope: no such segment"
	capture "$SHM" watch "${P}a" --count 0
	assert_fails 2 "shm: watch: --count '0': not a positive count (see 'shm watch --help')"
	capture "$SHM" watch "${P}a" -i 0
	assert_fails 2 "shm: watch: -i '0': not a positive time (see 'shm watch --help')"
	capture "$SHM" watch "${P}a" -t x
	assert_equal "$status" 2
	capture "$SHM" watch "${P}a" --color=sometimes
	assert_fails 2 "shm: watch: --color 'sometimes': not auto, always or never (see 'shm watch --help')"
	capture "$SHM" watch "${P}a" -o 17
	assert_fails 2 "shm: watch: ${P}a: offset '17': beyond the end (size 16)"
	capture "$SHM" watch "${P}a" --as '<Q' -o 12
	assert_fails 2 "shm: watch: ${P}a: format '<Q' of size 8 does not fit at offset 12 (4 bytes left)"
	capture "$SHM" watch "${P}a" --as 'z'
	assert_fails 2 "shm: watch: ${P}a: format 'z': bad char in struct format"
	capture "$SHM" watch "${P}a" --as '<I' -n 3
	assert_fails 2 "shm: watch: ${P}a: format '<I' of size 4: -n 3 holds none"
	capture "$SHM" watch
	assert_fails 2 "shm: watch: missing NAME (see 'shm watch --help')"
	shm create "${P}big" 65M
	capture "$SHM" watch "${P}big"
	assert_fails 2 "shm: watch: ${P}big: a range of 68157440 bytes is too large to watch; -n 67108864 at most"
}

# The live view, in a detached tmux session of 90 by 10 of its own:
# view.sh runs "shm watch ARGS...", then says its status and the
# terminal's modes, and waits (for teardown's kill-server) so that the
# pane and its modes can be read.
start_view() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	TMUX_SOCKET="${P}tmux"
	# A trap of sh's own: sh, in the same process group, is sent ^C too.
	cat > view.sh <<-'EOF'
	trap : INT
	"$@"
	echo "rc=$?"
	stty -a | tr ' ;' '\n\n' | grep -x -e '-\{0,1\}icanon' -e '-\{0,1\}echo'
	echo end
	read -r _
	EOF
	tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s v -x 90 -y 10 \
	    env ${VIEW_ENV:-} sh view.sh "$SHM" watch "$@"
	await_screen -F ' shm watch '
}

screen() {
	tmux -L "$TMUX_SOCKET" capture-pane -p -e -t v
}

# await_screen -F TEXT | -x LINE: until the screen holds TEXT, or a
# line that is LINE, for 10 s at most.  Matched here, so that a look is
# one process (tmux); looks 10 ms apart at first, then 50 ms, as what
# most waits wait for (a fade) takes a second.
await_screen() {
	local i now pause=0.01 want=$2
	[ "$1" = -x ] && want=$'\n'$2$'\n'
	for ((i = 0; i < 210; i++)); do
		now=$'\n'$(screen)$'\n'
		[[ $now == *"$want"* ]] && return 0
		((i < 10)) || pause=0.05
		nap "$pause"
	done
	echo "the screen never showed $*:" >&2
	screen | cat -v >&2
	return 1
}

# Until the rows below the header show the lines at these offsets, for
# 10 s at most, looking as await_screen looks.
await_rows() {
	local i rows pause=0.01
	for ((i = 0; i < 210; i++)); do
		rows=$(screen | sed 's/\x1b\[[0-9;]*m//g' | sed -n '2,$p' |
		    cut -c1-8 | xargs)
		[ "$rows" = "$1" ] && return 0
		((i < 10)) || pause=0.05
		nap "$pause"
	done
	assert_equal "$rows" "$1"
}

# The view has ended, and given the terminal back as it found it:
# status $1, the main screen, the cursor shown, canonical mode, echo.
assert_restored() {
	await_screen -x end
	assert_equal "$(screen | sed 's/\x1b\[[0-9;]*m//g' | grep -x -e 'rc=[0-9]*' \
	    -e '-\{0,1\}icanon' -e '-\{0,1\}echo' -e end)" \
	    "$(printf '%s\n' "rc=$1" icanon echo end)"
	assert_equal "$(tmux -L "$TMUX_SOCKET" display -p -t v \
	    '#{alternate_on} #{cursor_flag}')" "0 1"
}

@test "watch on a terminal: the bytes that changed highlighted, then faded; q quits" {
	shm create "${P}a" 64
	start_view "${P}a"
	assert_equal "$(screen | sed -n 1p | sed 's/\x1b\[[0-9;]*m//g' |
	    sed 's/[0-9]* changes/N changes/')" \
	    " shm watch ${P}a  size 64  users 0  N changes/s  (q quits, space pauses)"
	shm write "${P}a" -o 3 -x 'de ad'
	await_screen -F $'00 00 00 \e[1m\e[41mde'
	assert_equal "$(screen | sed -n 2p | sed 's/\x1b\[[0-9;]*m//g')" \
	    '00000000  00 00 00 de ad 00 00 00  00 00 00 00 00 00 00 00  |................|'
	assert_equal "$(screen | sed -n 3,5p)" "$(printf '%s\n' \
	    '00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|' \
	    '00000020  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|' \
	    '00000030  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|')"
	# Red, then yellow, then plain.
	await_screen -F $'\e[31mde'
	await_screen -F $'\e[33mde'
	await_screen -F '00000000  00 00 00 de ad 00 00 00  00 00'
	tmux -L "$TMUX_SOCKET" send-keys -t v q
	assert_restored 0
}

@test "watch on a terminal: NO_COLOR gives reverse video; ^C restores the terminal" {
	shm create "${P}a" 64
	VIEW_ENV=NO_COLOR=1 start_view "${P}a"
	shm write "${P}a" -o 17 -x 41
	await_screen -F $'00 \e[7m41\e[0m'
	screen | grep -F '00000010' | grep -F $'|.\e[7mA\e[0m'
	! screen | grep -qF $'\e[41m'
	tmux -L "$TMUX_SOCKET" send-keys -t v C-c
	assert_restored 130
}

@test "watch on a terminal: removal and SIGTERM end it, the terminal restored" {
	shm create "${P}a" 64
	start_view "${P}a"
	shm rm "${P}a"
	assert_restored 0
	# A tab, which tmux shows as spaces.
	screen | grep -Eq '^[0-9T:.-]+Z +removed$'
	tmux -L "$TMUX_SOCKET" kill-server
	shm create "${P}b" 64
	start_view "${P}b"
	pkill -TERM -xf "$SHM watch ${P}b"
	assert_restored 143
}

@test "watch on a terminal: a range taller than the screen shows the lines changed last" {
	shm create "${P}a" 4096
	start_view "${P}a"
	# 9 rows below the header: the first 9 lines, until lines change.
	await_screen -F '00000080  00'
	for off in 0x100 0x200 0x300 0x400 0x500 0x600 0x700 0x800 0x900 0xa00; do
		shm write "${P}a" -o $off -x 01
	done
	# The nine changed last, in order; 0x100 changed first, and is gone.
	await_rows "00000200 00000300 00000400 00000500 00000600 00000700 00000800 00000900 00000a00"
	tmux -L "$TMUX_SOCKET" send-keys -t v q
	assert_restored 0
}

@test "watch on a terminal: space pauses, and the changes meanwhile come after; a resize refits" {
	shm create "${P}a" 64
	start_view "${P}a"
	tmux -L "$TMUX_SOCKET" send-keys -t v Space
	await_screen -F 'PAUSED'
	shm write "${P}a" -o 32 -x 'be ef'
	# Paused, it looks no more: a write after the pause is not shown
	# until space is pressed again.
	await_looks "$(pgrep -xf "$SHM watch ${P}a")" 3
	! screen | grep -qF 'be'
	tmux -L "$TMUX_SOCKET" send-keys -t v Space
	await_screen -F $'00000020  \e[1m\e[41mbe'
	! screen | grep -qF 'PAUSED'
	# Five rows: the header and the four lines still fit.
	tmux -L "$TMUX_SOCKET" resize-window -t v -y 5
	await_screen -F '00000030  00'
	tmux -L "$TMUX_SOCKET" resize-window -t v -y 4
	shm write "${P}a" -o 0 -x 01
	await_screen -F $'00000000  \e[1m\e[41m01'
	# Once it has refitted (SIGWINCH may come after the write is drawn).
	await_rows "00000000 00000010 00000020"
	# Room again for what view.sh says after.
	tmux -L "$TMUX_SOCKET" resize-window -t v -y 10
	tmux -L "$TMUX_SOCKET" send-keys -t v q
	assert_restored 0
}

@test "watch -i: stores through a mapping are looked for at that pace; write(2) is seen at once" {
	skip_if_portable "nothing is reported: only looks see a change"
	shm create "${P}a" 64
	# A peer that stores through a mapping whose file it closed before
	# the watch began: the kernel reports a close (a store may have come
	# before it), and nothing of a store.
	mkfifo ctl
	python3 -c '
import mmap, os, sys
fd = os.open("/dev/shm/" + sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 0)
os.close(fd)
open("closed", "w").close()
sys.stdin.readline()
m[5] = 0x5a
open("stored", "w").close()
sys.stdin.readline()' "${P}a" < ctl &
	exec 4> ctl
	await_file closed
	start_watcher "${P}a" -i 30 -t 20
	echo >&4
	await_file stored
	# Looks unprompted only every 30 s: in a third of a second (what
	# proves an absence is a time; at the default pace, a millisecond
	# would do) it has not seen it ...
	nap 0.3
	assert_equal "$(cat out)" ""
	# ... until a write(2) prompts a look, which compares it all: one
	# write(2) alone (shm write would fallocate first, a report too).
	printf '\007' | dd of="/dev/shm/${P}a" bs=1 seek=6 conv=notrunc \
	    status=none
	await_lines 1
	echo >&4
	exec 4>&-
	kill "$WATCHER"
	end_watcher
	assert_equal "$output" $'5\t2\t0000\t5a07'
}
