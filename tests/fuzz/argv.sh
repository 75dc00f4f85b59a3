#!/usr/bin/env bash
# argv.sh SECONDS SHM - random argument vectors over every shm command for
# SECONDS of wall time.  Fails (exit 1) on a death by signal, a sanitizer
# report, a hang or an exit status other than 0, 1, 2, printing how to
# reproduce each; FUZZ_SEED picks the sequence, FUZZ_MAX_RUNS stops early.
#
# Random "rm", "create --force" and "write" as root can destroy the
# machine's files (/dev/null was once lost that way), so every run happens
# in a private mount namespace: fresh tmpfs on /dev (with only null, zero,
# full, urandom), /dev/shm and /tmp, everything else remounted read-only
# there, and operands drawn only from a fixed vocabulary (argv-words.txt).
set -u
export LC_ALL=C		# byte semantics for ${s:i:1}, sort and comm
secs=${1:?usage: argv.sh SECONDS SHM_BINARY}
shm=${2:?usage: argv.sh SECONDS SHM_BINARY}
cmds=(create write read seek find flush resize move dump stat list rm lock wait
	watch who help gc layout diff)
timeout_bin=$(command -v timeout)

if [ "${FUZZ_ARGV_INNER:-}" != 1 ]; then
	skip() { echo "fuzz-argv: skipped: needs root and unshare ($1)"; exit 0; }
	[ "$(id -u)" = 0 ] || skip "not root"
	command -v unshare >/dev/null || skip "no unshare"
	unshare -m -i --propagation private true 2>/dev/null ||
		skip "unshare -m -i not permitted here"
	bin=$(realpath -e "$shm") || exit 2
	before=$(ls -A /dev/shm)
	# Not exec: this shell stays outside, so that the inner one can see
	# the real tree through /proc/$PPID/root, and to check it afterwards.
	# -i too: a random "rm sysvid:0" must not reach the machine's own
	# SysV segments, which no mount namespace keeps apart.
	FUZZ_ARGV_INNER=1 unshare -m -i --propagation private -- \
		"$BASH" "$0" "$secs" "$bin"
	rc=$?
	[ "$(stat -c %F:%t:%T /dev/null)" = "character special file:1:3" ] ||
		{ echo "fuzz-argv: the REAL /dev/null is not a device!" >&2; exit 2; }
	new=$(comm -13 <(echo "$before") <(ls -A /dev/shm))
	! grep -q '^fuzz-argv-marker' <<<"$new" ||
		{ echo "fuzz-argv: the private /dev/shm leaked: $new" >&2; exit 2; }
	[ -z "$new" ] || echo "fuzz-argv: note: made in the real /dev/shm" \
		"meanwhile, by others (our marker stayed private):" "${new//$'\n'/ }"
	exit "$rc"
fi

refuse() { echo "fuzz-argv: $*; refusing to run" >&2; exit 2; }
[ "$(readlink /proc/self/ns/mnt)" != "$(readlink "/proc/$PPID/ns/mnt")" ] ||
	refuse "not in a new mount namespace"
[ "$(readlink /proc/self/ns/ipc)" != "$(readlink "/proc/$PPID/ns/ipc")" ] ||
	refuse "not in a new IPC namespace"
# A shared mount would carry our mounts back to the real namespace.
! grep -q ' shared:' /proc/self/mountinfo || refuse "mounts still shared"
words_file=${0%/*}/argv-words.txt
load() {	# load LIST: its words from argv-words.txt
	local -n a=$1; local l w; a=()
	while read -r l w; do
		[ "$l" = "$1" ] || continue
		printf -v w %b "$w"
		[[ $1 != names && $1 != live && $w == */* ]] &&
			refuse "'$w' in $1 has a '/'"
		a+=("$w")
	done <"$words_file"
	[ ${#a[@]} -gt 0 ] || refuse "no $1 in argv-words.txt"
}
for l in names live nums sane fmts hexes strs modes misc generic cmdwords
do load "$l"; done
long=$(printf 'x%.0s' {1..255})
names+=("$long" "${long}y" "./$(printf 'y%.0s' {1..5000})") strs+=("$long")
cmdwords+=("${cmds[@]}")
exec 3<"$shm" || refuse "cannot open $shm"	# /tmp is about to be hidden
# Per-mount read-only (bind,remount): only this namespace's view changes.
while read -r _ _ _ _ mp _; do
	case $mp in /dev | /dev/* | /tmp | /tmp/*) continue ;; esac
	mount -o remount,bind,ro "${mp//\\040/ }" 2>/dev/null
done </proc/self/mountinfo
[ ! -w / ] || echo "fuzz-argv: warning: / is still writable;" \
	"relying on the path vocabulary alone" >&2
{ mount -t tmpfs -o size=8m,mode=755 fuzz-dev /dev &&
	mkdir -m 1777 /dev/shm &&
	mount -t tmpfs -o size=256m,mode=1777 fuzz-shm /dev/shm &&
	mount -t tmpfs -o size=512m,mode=1777 fuzz-tmp /tmp; } ||
	refuse "cannot mount the private tmpfs"
make_devs() {
	local d n
	for d in null:1:3 zero:1:5 full:1:7 urandom:1:9; do
		n=${d%%:*} d=${d#*:}
		[ -c "/dev/$n" ] && continue
		rm -rf "/dev/${n:?}"
		mknod -m 666 "/dev/$n" c "${d%:*}" "${d#*:}" || refuse "no /dev/$n"
		[ -n "${runs:-}" ] &&
			clobbered+=("$(printf '%q ' "${argv0##*/}" "${words[@]}")")
	done
}
make_devs
ln -s /proc/self/fd /dev/fd
marker=fuzz-argv-marker.$$
for d in /dev /dev/shm /tmp; do
	: >"$d/$marker" || refuse "cannot write $d"
	[ ! -e "/proc/$PPID/root$d/$marker" ] || refuse "$d is not private"
	rm -f "$d/$marker"
done
: >"/dev/shm/$marker"	# the outer shell checks it never shows up

root=$(mktemp -d /tmp/fuzz-argv.XXXXXX) || exit 2
run=$root/run play=$root/play
mkdir -p "$root/bin" "$run" && cat <&3 >"$root/bin/shm" &&
	chmod 755 "$root/bin/shm" || exit 2
exec 3<&-
for c in "${cmds[@]}" bogus '' shm HELP; do ln -s shm "$root/bin/shm-$c"; done
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:hard_rss_limit_mb=3072
# abort_on_error: without it UBSan exits 1, which passes for a usage error.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:abort_on_error=1
unset XDG_RUNTIME_DIR
export TMPDIR=$root
# Without ASan nothing bounds memory (-i /dev/zero --grow), so ulimit -v.
vlimit=unlimited
grep -qa __asan_init "$root/bin/shm" || vlimit=4194304
declare -A copts
for c in "${cmds[@]}"; do	# each command's options, from its own --help
	copts[$c]=$("$root/bin/shm" "$c" --help 2>/dev/null |
		grep -oE -- '(^|[][ ,|(])--?[A-Za-z][A-Za-z-]*' |
		grep -oE -- '--?[A-Za-z][A-Za-z-]*' | sort -u | tr '\n' ' ')
done

# Pickers set REPLY: $(...) would run them in a subshell whose $RANDOM
# draws are lost, and the sequence would no longer follow FUZZ_SEED.
pick() { local -n from=$1; REPLY=${from[RANDOM % ${#from[@]}]}; }
pick_value() { local v=(nums nums fmts hexes strs names); pick "${v[RANDOM % 6]}"; }
chars=$'abcXYZ019 -+=.,:;!?*%@~\t\n\x01\x7f\xc3\xa9'	# never a '/'
# Percentiles: an option of the command 28%, a name 20%, a number 14%...
kinds=(28:opt 48:names 62:nums 69:fmts 74:hexes 81:strs 85:modes 89:misc
	94:generic 97:cmdwords 100:bytes)
pick_word() {
	local r=$((RANDOM % 100)) k o o2 n
	for k in "${kinds[@]}"; do [ "$r" -lt "${k%:*}" ] && break; done
	k=${k#*:}
	[ "$k" = opt ] && [ ${#opts[@]} = 0 ] && k=names
	case $k in
	opt)	o=${opts[RANDOM % ${#opts[@]}]}
		case $((RANDOM % 8)) in
		0 | 1 | 2 | 3) REPLY=$o ;;
		4 | 5) pick_value; [ "${o:1:1}" = - ] && o+="="; REPLY=$o$REPLY ;;
		6) REPLY="$o=" ;;
		7) o2=${opts[RANDOM % ${#opts[@]}]}; REPLY=-${o#-}${o2#-} ;;
		esac ;;
	bytes)	REPLY=''
		for ((n = 1 + RANDOM % 10; n > 0; n--)); do
			REPLY+=${chars:RANDOM % ${#chars}:1}
		done ;;
	*)	pick "$k" ;;
	esac
}

# Most runs follow the usage ("gram" in argv-words.txt): operands, then
# options with values of the right kind (letters: pick_slot), so that
# they get past the parsing.
declare -A gram
while read -r l c w; do [ "$l" = gram ] && gram[$c]=$w; done <"$words_file"
pick_slot() {
	case $1 in
	N) if [ $((RANDOM % 4)) = 0 ]; then pick names; else pick live; fi ;;
	Z) if [ $((RANDOM % 3)) = 0 ]; then pick nums; else pick sane; fi ;;
	M) pick modes ;; F) pick names ;; T) pick fmts ;; X) pick hexes ;;
	S) pick_value ;; W) pick misc ;; C) pick cmdwords ;;
	esac
}
grammar_words() {
	local spec=${gram[$cmd]} pos optv o k i add gw=()
	read -ra pos <<<"${spec%%|*}"
	read -ra optv <<<"${spec#*|}"
	for o in "${pos[@]}"; do pick_slot "$o"; gw+=("$REPLY"); done
	for ((k = ${#optv[@]} ? RANDOM % 4 : 0; k > 0; k--)); do
		o=${optv[RANDOM % ${#optv[@]}]} i=$((RANDOM % (${#gw[@]} + 1)))
		add=("$o")
		if [[ $o == *:* ]]; then
			pick_slot "${o#*:}"; o=${o%:*} add=("$o" "$REPLY")
			[ "${o:1:1}" = - ] && o+="="	# --opt=VALUE, -oVALUE
			[ $((RANDOM % 3)) = 0 ] && add=("$o$REPLY")
		fi
		gw=("${gw[@]:0:i}" "${add[@]}" "${gw[@]:i}")
	done
	[[ $cmd == write && " ${gw[*]} " == *" --as"* ]] &&	# its VALUEs
		for ((k = RANDOM % 4; k > 0; k--)); do pick_value; gw+=("$REPLY"); done
	[ $((RANDOM % 6)) = 0 ] && [ ${#gw[@]} -gt 0 ] &&	# one mutation
		pick_word && gw[RANDOM % ${#gw[@]}]=$REPLY
	words+=("${gw[@]}")
}

# Fresh segments and files for the commands to work on, made with the
# system's tools; contents repeat a vocabulary word, so they follow the seed.
reset_state() {
	local sizes=(0 1 16 100 4096 65536 1048576 $((RANDOM * 7))) n f
	rm -rf /dev/shm/* /dev/shm/.[!.]* "$play" "$root/state"
	mkdir -p "$play/sub" "$play/dir" && mkfifo "$play/fifo" &&
		ln -s f "$play/link" && mkdir -m 700 "$root/state" || exit 2
	for n in a b c .a ./f ./sub/f; do
		[ $((RANDOM % 4)) = 0 ] && continue
		if [[ $n == ./* ]]; then f=$play/${n#./}; else f=/dev/shm/$n; fi
		n=${sizes[RANDOM % 8]}
		if [ $((RANDOM % 3)) = 0 ]; then truncate -s "$n" "$f"
		else pick strs; yes "$REPLY" | head -c "$n" >"$f"; fi
	done
	# SysV segments, in this IPC namespace only: ids 0 and 1, or none.
	ipcrm -a 2>/dev/null
	if command -v ipcmk >/dev/null && [ $((RANDOM % 2)) = 0 ]; then
		ipcmk -M 4096 >/dev/null 2>&1; ipcmk -M 65536 >/dev/null 2>&1
	fi
	pick strs; printf '%s' "$REPLY" >"$run/in"
	statedir=$root/state
	case $((RANDOM % 16)) in	# the state directory is input too
	0) chmod 777 "$root/state" ;; 1) statedir=$play/f ;;
	2) statedir=$root/nowhere ;; 3) statedir= ;;
	esac
}

now() { REPLY=${EPOCHREALTIME/./}; }	# microseconds, for $((...))
now; t0=$REPLY deadline=$((REPLY + secs * 1000000))
seed=${FUZZ_SEED:-$(((RANDOM ^ $$ ^ EPOCHSECONDS) % 32768))}
RANDOM=$seed
echo "fuzz-argv: seed $seed (FUZZ_SEED=$seed to replay), $secs s, $shm"
runs=0 failures=0 next_reset=0 clobbered=()
declare -A seen
ins=(null null file file closed) outs=(file file file file null full closed)
while now && [ "$REPLY" -lt "$deadline" ] &&
	[ "$runs" -lt "${FUZZ_MAX_RUNS:-999999999}" ]; do
	if [ "$runs" -ge "$next_reset" ]; then
		reset_state
		next_reset=$((runs + 1 + RANDOM % 20))
	fi
	cd "$play" || exit 2
	pick cmds; cmd=$REPLY argv0=$root/bin/shm words=("$REPLY")
	case $((RANDOM % 20)) in	# shm-CMD links, then other command words
	16 | 17) argv0=$root/bin/shm-$cmd words=() ;;
	18) pick cmdwords; words=("$REPLY") cmd=$REPLY ;;
	19) pick cmdwords; argv0=$root/bin/shm-$REPLY cmd=$REPLY words=()
		[ -e "$argv0" ] || argv0=$root/bin/shm-bogus ;;
	esac
	opts=()
	[ -n "$cmd" ] && read -ra opts <<<"${copts[$cmd]:-}"
	if [ -n "$cmd" ] && [ -n "${gram[$cmd]:-}" ] && [ $((RANDOM % 3)) != 0 ]
	then grammar_words
	else for ((i = RANDOM % 9; i > 0; i--)); do pick_word; words+=("$REPLY"); done
	fi
	in=${ins[RANDOM % 5]} out=${outs[RANDOM % 7]} err=file
	[ $((RANDOM % 12)) = 0 ] && err=closed
	helper=
	if [[ " ${words[*]} " == *./fifo* ]]; then
		# Give ./fifo its other end, so that opening it cannot block.
		if [ "$cmd" = read ]; then (exec cat ./fifo >/dev/null) &
		else (printf 'fifo\n' >./fifo) & fi 2>/dev/null
		helper=$!
	fi
	# wait, watch, read --follow and lock may wait for ever by design: a
	# kill after 2 s is what was asked for, not a hang.
	limit=10 waits=
	if [ "$cmd" = wait ] || [ "$cmd" = watch ] || [ "$cmd" = lock ] ||
	    { [ "$cmd" = read ] &&
	    [[ " ${words[*]} " == *" -f"* || " ${words[*]} " == *--follow* ]]; }
	then limit=2 waits=yes
	fi
	: >"$run/err"
	now; start=$REPLY
	{ (
		# 16 MiB files at most, failing with EFBIG rather than killed:
		# else "create a 16E" then "read a >/dev/null" runs for years.
		ulimit -c 0 -f 16384 -v "$vlimit"; trap '' XFSZ
		case $in in null) exec </dev/null ;; file) exec <"$run/in" ;;
		closed) exec <&- ;; esac
		case $out in file) exec >"$run/out" ;; null) exec >/dev/null ;;
		full) exec >/dev/full ;; closed) exec >&- ;; esac
		if [ "$err" = closed ]; then exec 2>&-; else exec 2>"$run/err"; fi
		# PATH: lock's COMMAND can only be shm itself (a shm-CMD link).
		SHM_STATE_DIR=$statedir PATH=$root/bin exec "$timeout_bin" \
		    -s KILL "$limit" "$argv0" "${words[@]}"
	) } 2>/dev/null	# and so does the shell's "Aborted" notice
	status=$? && now && took=$(((REPLY - start) / 100000))
	[ -n "$helper" ] && { kill "$helper" 2>/dev/null; wait "$helper"; }
	runs=$((runs + 1))
	make_devs	# a run may remove or replace our private nodes
	kind=
	# "==PID==": not just "ERROR: ...", also "hard rss limit exhausted".
	if grep -qE '^==[0-9]+==.*(Address|Leak)Sanitizer|runtime error:' "$run/err"
	then kind=sanitizer
	elif [ "$status" = 137 ] && [ -z "$waits" ]; then kind=hang
	elif [ "$status" = 137 ]; then :
	elif [ "$status" -ge 128 ]; then kind="signal $((status - 128))"
	# lock passes on its COMMAND's status; 126, 127: could not run it.
	elif [ "$cmd" = lock ] && { [ "$status" = 126 ] || [ "$status" = 127 ]; }
	then :
	elif [ "$status" -gt 2 ]; then kind="exit status $status"
	fi
	[ -z "$kind" ] && continue
	failures=$((failures + 1))
	sig=$(grep -m1 -E '^SUMMARY:|runtime error:|Sanitizer: ' "$run/err" |
		sed -E 's/0x[0-9a-f]+|^==[0-9]+==|\(.*Mb\)//g; s/^[^ ]*src\//src\//')
	sig="$kind $status ${sig:-$cmd}"	# one full report per kind of failure
	echo "fuzz-argv: FAILURE $failures (run $runs, seed $seed): $kind," \
		"status $status"
	printf '  argv:' && printf ' %q' "${argv0##*/}" "${words[@]}" && echo
	[ -n "${seen[$sig]:-}" ] && echo "  as failure ${seen[$sig]}" && continue
	seen[$sig]=$failures
	echo "  stdin: $in, stdout: $out, stderr: $err," \
		"SHM_STATE_DIR=${statedir/#"$root"/\$root}," \
		"$((took / 10)).$((took % 10)) s"
	echo "  state: $({ (cd /dev/shm && stat -c %n:%s -- * .a)
		stat -c ./%n:%s -- f sub/f; } 2>/dev/null | tr '\n' ' ')"
	sed -n '1,40s/^/  | /p' "$run/err"
done
[ ${#clobbered[@]} = 0 ] || echo "fuzz-argv: note: ${#clobbered[@]} runs" \
	"removed or replaced a (private) device node, as: ${clobbered[0]}"
now
echo "fuzz-argv: $runs runs in $(((REPLY - t0 + 500000) / 1000000)) s," \
	"$failures failures"
[ "$failures" = 0 ]
