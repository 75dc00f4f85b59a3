#!/bin/sh
# lint.sh - the shape the code claims, checked: the mapping layer alone
# knows where segments live and how they are reached, and the stripped
# binary stays small.  Prints one TAP line a check; exits 1 if any fails.
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

# The mapping layer: only these files open, map, lock or list segments.
layer='src/map.c src/segio.c src/sparse.c src/undo.c src/objects.c
src/sysv.c src/cost.c src/lock.c'

check "no command names /dev/shm or the objects' directory" \
    "$(grep -n '/dev/shm\|SEGMENT_DIR\|opendir\|readdir' src/cmd_*.c)"
check "no command maps, opens or locks a segment itself" \
    "$(grep -n '[^.a-z_]\(mmap\|munmap\|shm_open\|shm_unlink\|flock\)([a-zA-Z_&0-9]' src/cmd_*.c |
	grep -v '[a-z](\([0-9]\))')"
check "no code outside the layer touches a segment's descriptor or memory" \
    "$(for f in src/*.c; do
	case " $(echo $layer) " in *" $f "*) continue ;; esac
	grep -Hn 'seg\(->\|\.\)\(fd\|writable\|mem\|object\|temp\|unnamed\|sysv\|extent_[a-z]*\|sysv_[a-z]*\)\b' "$f"
    done)"
check "only the layer includes layer.h" \
    "$(for f in src/*.c src/*.h; do
	case " $(echo $layer) src/layer.h " in *" $f "*) continue ;; esac
	grep -Hn '#include "layer.h"' "$f"
    done)"
tmp=$(mktemp) || exit 2
strip -o "$tmp" "$shm" 2>/dev/null
size=$(wc -c < "$tmp")
rm -f "$tmp"
check "the stripped binary is under 200 KiB ($size bytes)" \
    "$([ "$size" -gt 0 ] && [ "$size" -lt 204800 ] || echo "$size bytes")"
echo "1..$n"
exit $bad
