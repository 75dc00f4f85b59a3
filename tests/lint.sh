#!/bin/sh
# lint.sh - the shape the code claims, checked: src/ is in tiers, the
# mapping layer alone knows where segments live and how they are
# reached, and the stripped binary stays small.  Prints one TAP line
# a check; exits 1 if any fails.
# Usage: tests/lint.sh [SHM]
cd "$(dirname "$0")/.." || exit 2
shm=${1:-./shm}
n=0 bad=0

check() {
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		printf '%s\n' "$2" | sed 's/^/#   /'
		bad=1
	fi
}

# The tiers of src/, lowest first: each folder may include headers of
# its own and of those before it, never of one after it.  main.c is
# above them all.
tiers='util fmt seg lib cmd'
tier_of() {
	case $1 in src/*/*) set -- "${1#src/}"; echo "${1%%/*}" ;; *) echo top ;; esac
}
rank() {
	r=0
	for t in $tiers top; do
		[ "$t" = "$1" ] && { echo $r; return; }
		r=$((r + 1))
	done
	echo 99
}
check "every file of src/ is in a tier: $tiers" \
    "$(find src -name '*.[ch]' | while read -r f; do
	t=$(tier_of "$f")
	[ "$(rank "$t")" -lt 99 ] || echo "$f"
	[ "$t" != top ] || [ "$f" = src/main.c ] || echo "$f"
    done)"
check "no file includes a header of a tier above its own" \
    "$(find src -name '*.[ch]' | sort | while read -r f; do
	mine=$(rank "$(tier_of "$f")")
	sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f" | sort -u |
	while read -r t; do
		[ "$(rank "$t")" -le "$mine" ] || echo "$f includes $t/"
	done
	grep -Hn '^#include "[^/]*"' "$f"
    done)"

# The mapping layer, src/seg/: only it knows where segments live and how
# they are reached.
check "no command names /dev/shm or reads a directory" \
    "$(grep -n '/dev/shm\|SEGMENT_DIR\|opendir\|readdir' src/cmd/*.c)"
check "nothing outside seg/ names the objects' directory" \
    "$(grep -rn 'SEGMENT_DIR' src --include='*.[ch]' | grep -v '^src/seg/')"
check "nothing outside seg/ maps, opens, attaches or locks a segment" \
    "$(grep -rn '[^.a-z_]\(mmap\|munmap\|shm_open\|shm_unlink\|shmat\|shmdt\|shmget\|shmctl\|flock\)([a-zA-Z_&0-9]' \
	src --include='*.c' | grep -v '^src/seg/' | grep -v '[a-z](\([0-9]\))')"
check "nothing outside seg/ touches a segment's descriptor or memory" \
    "$(grep -rHn 'seg\(->\|\.\)\(fd\|writable\|mem\|object\|temp\|unnamed\|ops\|extent_[a-z]*\|sysv_[a-z]*\)\b' \
	src --include='*.c' | grep -v '^src/seg/')"
check "only seg/ includes seg/layer.h and seg/backend.h" \
    "$(grep -rn '#include "seg/\(layer\|backend\)\.h"' src | grep -v '^src/seg/')"
check "only seg/backend.h and sysv.c ask which kind a segment is" \
    "$(grep -rn 'sysv_ops\|fd_ops\|->ops ==' src | grep -v '^src/seg/\(backend\.h\|sysv\.c\|fd\.c\|name\.c\):')"
# Every kind of segment (backend.h) fills every slot of the table.
slots=$(sed -n '/^struct segment_ops {/,/^};/p' src/seg/backend.h |
    grep -o '(\*[a-z_]*)\|^	const char \*[a-z_]*;' | tr -d '(*);' |
    sed 's/.* //' | sort)
check "every kind of segment fills every slot of segment_ops" \
    "$(for f in src/seg/fd.c src/seg/sysv.c; do
	have=$(sed -n '/^const struct segment_ops [a-z_]* = {/,/^};/p' "$f" |
	    sed -n 's/^	\.\([a-z_]*\) = .*/\1/p' | sort)
	[ -n "$have" ] || echo "$f: no table"
	[ "$have" = "$slots" ] || echo "$f: $(echo $have) != $(echo $slots)"
    done)"
# A budget, so that growth is a decision: 200 KiB held 16 commands; diff,
# gc, record streams, kernel reports for waiters and a SIMD scan for two
# instruction sets took it past that, and it is 256 KiB since.
tmp=$(mktemp) || exit 2
strip -o "$tmp" "$shm" 2>/dev/null
size=$(wc -c < "$tmp")
rm -f "$tmp"
check "the stripped binary is under 256 KiB ($size bytes)" \
    "$([ "$size" -gt 0 ] && [ "$size" -lt 262144 ] || echo "$size bytes")"
echo "1..$n"
exit $bad
