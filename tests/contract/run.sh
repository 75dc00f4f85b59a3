#!/usr/bin/env bash
# run.sh SECONDS SHM - the contract checker (contract.py) for SECONDS.
#
# As root it runs in a private mount and IPC namespace with a tmpfs of
# its own on /dev/shm, as everything that kills and removes at random
# does here; elsewhere on the real /dev/shm, under names of its own.
# A state directory and working directory of its own, removed after.
set -u
secs=${1:?usage: run.sh SECONDS SHM}
shm=$(realpath -e "${2:?usage: run.sh SECONDS SHM}") || exit 2
here=$(cd "$(dirname "$0")" && pwd) || exit 2
command -v python3 >/dev/null || { echo "contract: needs python3" >&2; exit 2; }

if [ "${CONTRACT_INNER:-}" != 1 ] && [ "$(id -u)" = 0 ] &&
    unshare -m -i --propagation private true 2>/dev/null; then
	CONTRACT_INNER=1 exec unshare -m -i --propagation private -- \
	    "$BASH" "$0" "$secs" "$shm"
fi
if [ "${CONTRACT_INNER:-}" = 1 ]; then
	[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] ||
		{ echo "contract: not in a new mount namespace" >&2; exit 2; }
	mount -t tmpfs -o size=1g,mode=1777 contract-shm /dev/shm || exit 2
fi
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2
SHM_STATE_DIR=$work/state python3 "$here/contract.py" "$secs" "$shm"
