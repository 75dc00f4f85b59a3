#!/usr/bin/env bash
# plant.sh SECONDS - shows that the contract checker can fail: for each
# fault in tests/contract/plants (one a class of promise), builds shm
# from a copy of src/ with that fault planted, runs the checker on it
# for SECONDS with only the rounds that class concerns, and expects a
# violation.  Prints one TAP line a fault; exits 1 if one went unseen.
set -u
secs=${1:-30}
cd "$(dirname "$0")/../.." || exit 2
plants=tests/contract/plants
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0
while IFS=$'\t' read -r class rounds file expr; do
	case $class in '#'* | '') continue ;; esac
	n=$((n + 1))
	rm -rf "$tmp/src" && cp -r src "$tmp/src" || exit 2
	perl -0pi -e "$expr" "$tmp/src/$file" || exit 2
	if cmp -s "src/$file" "$tmp/src/$file"; then
		echo "not ok $n - $class: the fault did not apply to $file"
		bad=1
		continue
	fi
	if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -o "$tmp/shm" \
	    -I"$tmp/src" "$tmp"/src/*.c "$tmp"/src/*/*.c -lrt -pthread 2>"$tmp/cc.log"; then
		echo "not ok $n - $class: the planted build failed"
		sed 's/^/#   /' "$tmp/cc.log"
		bad=1
		continue
	fi
	CONTRACT_ROUNDS=$rounds tests/contract/run.sh "$secs" "$tmp/shm" \
	    >"$tmp/out" 2>&1
	seen=$(grep -c '^VIOLATION' "$tmp/out")
	if [ "$seen" -gt 0 ]; then
		echo "ok $n - $class: caught ($seen violations; first:" \
		    "$(grep -m1 '^VIOLATION' "$tmp/out" | cut -c12-140))"
	else
		echo "not ok $n - $class: planted in $file, not caught in $secs s"
		bad=1
	fi
done <"$plants"
echo "1..$n"
exit $bad
