#!/usr/bin/env bash
# stress.sh SECONDS [SHM] - 8 writers append records through the cursor
# while 8 readers check that every record they see is whole; at the end
# every record written must be there exactly once.  Prints one summary
# line and exits non-zero on any torn, lost or doubled record.
set -u
secs=${1:-10}
shm=${2:-${SHM:-$(dirname "$0")/../shm}}
name=shm-stress-$$
work=$(mktemp -d)
export SHM_STATE_DIR=$work/state
trap 'rm -rf "$work"; "$shm" rm -f "$name"' EXIT

"$shm" create "$name" 64M || exit 2

# The deadline in microseconds: EPOCHREALTIME without its decimal
# point, whichever the locale's.  SECONDS may have a fraction (0.4).
[[ $secs =~ ^[0-9]*(\.[0-9]*)?$ && $secs =~ [0-9] ]] ||
	{ echo "stress.sh: $secs: not a number of seconds" >&2; exit 2; }
whole=${secs%%.*} frac=${secs#*.}
[ "$frac" != "$secs" ] || frac=
frac=${frac}000000
deadline=$((${EPOCHREALTIME//[!0-9]/} + 10#${whole:-0} * 1000000 +
	10#${frac:0:6}))

# A record: "W<writer>:<seq, 7 digits>:<writer again>;" - 14 bytes, so
# a torn one shows as a malformed line.
writer() {
	local w=$1 seq=0 rec
	while [ "${EPOCHREALTIME//[!0-9]/}" -lt "$deadline" ]; do
		printf -v rec 'W%d:%07d:%d;' "$w" "$seq" "$w"
		"$shm" write "$name" -s "$rec" || return 1
		seq=$((seq + 1))
	done
	echo "$seq" > "$work/written.$w"
}

reader() {
	local r=$1 reads=0 end
	while [ "${EPOCHREALTIME//[!0-9]/}" -lt "$deadline" ]; do
		end=$("$shm" find "$name" -x 00) || end=0
		"$shm" read "$name" -o 0 -n "$end" | tr ';' '\n' |
			grep -qvE '^W([0-7]):[0-9]{7}:\1$' && {
			echo "reader $r: torn record" >&2
			return 1
		}
		reads=$((reads + 1))
	done
	echo "$reads" > "$work/reads.$r"
}

pids=()
for i in 0 1 2 3 4 5 6 7; do
	writer "$i" & pids+=($!)
	reader "$i" & pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done

end=$("$shm" find "$name" -x 00)
"$shm" read "$name" -o 0 -n "$end" | tr ';' '\n' | sed '/^$/d' > "$work/all"
written=0 reads=0
for i in 0 1 2 3 4 5 6 7; do
	n=$(cat "$work/written.$i" 2>/dev/null || echo 0)
	written=$((written + n))
	reads=$((reads + $(cat "$work/reads.$i" 2>/dev/null || echo 0)))
	[ "$n" -gt 0 ] && seq -f "W$i:%07g:$i" 0 $((n - 1))
done > "$work/want.unsorted"
sort "$work/want.unsorted" > "$work/want"
sort "$work/all" > "$work/got"
verified=$(wc -l < "$work/got")
if ! cmp -s "$work/want" "$work/got"; then
	echo "records lost or doubled:" >&2
	diff "$work/want" "$work/got" | head >&2
	status=1
fi
[ "$("$shm" seek "$name")" = "$end" ] || { echo "cursor != data end" >&2; status=1; }
echo "stress: $written records written, $verified verified, $reads whole-segment reads checked, $([ $status = 0 ] && echo none || echo SOME) lost or torn"
exit "$status"
