#!/usr/bin/env bash
# valgrind.sh [SHM] - every command, and its error paths, under
# valgrind: any memory error or definite leak fails the run.
set -u
shm=$(cd "$(dirname "${1:-./shm}")" && pwd)/$(basename "${1:-./shm}")
command -v valgrind >/dev/null || { echo "valgrind: not installed" >&2; exit 1; }
work=$(mktemp -d)
export SHM_STATE_DIR=$work/state
n=shm-vg-$$
trap 'rm -rf "$work"; rm -f /dev/shm/$n /dev/shm/$n.2' EXIT
cd "$work" || exit 2
head -c 100000 /dev/urandom > data

runs=0 failed=0
vg() {
	local want=$1; shift
	valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite --log-file="$work/vg.log" \
	    "$shm" "$@" >/dev/null 2>"$work/err" </dev/null
	local status=$?
	runs=$((runs + 1))
	# "==PID==" lines are errors; "--PID--" ones are valgrind's own
	# notes, such as a system call it does not know (cachestat, whose
	# ENOSYS then takes shm down its mincore path: tested too).
	if [ "$status" != "$want" ] || grep -q '^==' "$work/vg.log"; then
		failed=$((failed + 1))
		echo "FAIL (status $status, want $want): shm $*" >&2
		cat "$work/vg.log" "$work/err" >&2
	fi
}

vg 0 --help
vg 0 create "$n" 64K
vg 0 create -f "$n" --from data
vg 0 create "$n.2" 10 --from - 
vg 0 write "$n" -s hello
vg 0 write "$n" -o 100 -x 'de ad be ef'
vg 0 write "$n" -o 1000 -i data -g
vg 0 write "$n" --as '<hqd4s' -2 -9 0.1 'a\nb'
vg 0 read "$n" -o 0 -n 100
vg 0 read "$n" -o 0 --line
vg 0 read "$n" -o 0 -O out
vg 0 read "$n" -o 0 --as '@bq3I10p' --columns 3
vg 0 seek "$n" end-10
vg 0 seek "$n"
vg 0 find "$n" hello
vg 0 find -r "$n" -x 'de ad'
vg 0 find -a "$n" e
vg 1 find "$n" not-there-at-all
vg 0 flush "$n"
vg 0 resize "$n" +4K
vg 0 resize --shrink "$n" 50000
vg 0 move "$n" 0 100 1000
vg 0 dump "$n" -n 1000
vg 0 dump "$n" --format xxd -v --color=always -o 7 -n 300
vg 0 stat "$n"
vg 0 stat --json "$n"
vg 0 stat -f size,cursor "$n"
vg 0 list
vg 0 list --json
vg 0 write "$n" --append -s more
vg 0 write "$n" --cursor r -s x
vg 0 read "$n" --cursor r -n 10
vg 0 stat "$n"
vg 0 lock "$n" true
vg 0 lock -s -w 1 "$n" "$shm" read "$n" -o 0 -n 1
vg 0 wait "$n" -o 0 --as '<H' --until '!= 1'
vg 1 wait "$n" -n 16 --change -t 0.1
vg 1 watch "$n" -n 16 -t 0.1
vg 1 watch "$n" -o 0 -n 8 --as '<H' --json -t 0.1
vg 0 wait "$n.none" --gone
vg 1 read "$n" -o -10 --follow --timeout 0.1
vg 2 wait "$n" --as '2I' --until '== 1'
lay='< a:Q b:3h c:5s d:d 3x e:?'
vg 0 write "$n" --as "$lay" a+=1 c=xy 'b=1 2 3' d-=0.5
vg 0 read "$n" --as "$lay" --json
vg 0 read "$n" --as "$lay" -F d,a
vg 2 write "$n" --as "$lay" a=1 e+=1
vg 2 read "$n" --as '< a:Q a:I'
vg 0 wait "$n" --as "$lay" --until 'a >= 1'
printf '<\na:Q # x\nb:3h\n' > lay.txt
vg 0 read "$n" --layout lay.txt
vg 0 layout '@ a:b b:q 3x 2i c:3i' --c
vg 0 layout --layout lay.txt --python
vg 0 layout "$lay" --numpy
vg 1 who "$n"
vg 0 list -a -l --total
vg 0 list --json -l --total
vg 0 list --deleted
vg 0 list --deleted --json
touch -d '20 years ago' "/dev/shm/$n.2"
vg 0 gc --older-than 3650d -n --sysv --json
vg 2 gc --older-than 1x
vg 0 write "$n" --grow -o 0 -i <(head -c 2000000 /dev/zero)
vg 2 read "$n.none"
vg 2 write "$n" -x 1
vg 2 write "$n" --as '<B' 256
vg 2 read "$n" --as 'Z'
vg 2 create "$n" 1
vg 2 find "$n" -s 1G x
vg 2 dump "$n" --format od
vg 2 bogus
vg 0 rm "$n" "$n.2"
vg 2 rm "$n"

echo "valgrind: $runs runs, $failed with errors or leaks"
[ "$failed" = 0 ]
