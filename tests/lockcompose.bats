#!/usr/bin/env bats
# Locks that compose: commands run in parallel inside one lock keep
# apart; a lock held by flock(1) or a parent process is worked inside,
# or refused at once, never waited for; inspection never waits; the
# holder named is the process that really holds the lock.

load helpers

@test "16 parallel appenders inside one shm lock keep every record whole" {
	local n=$((4 * SCALE)) p i seq= want=
	for ((i = 1; i <= n; i++)); do printf -v seq '%s %02d' "$seq" "$i"; done
	shm create "${P}q" 0
	# A record, PP:II and a newline, is one --append of a string.
	run timeout 60 "$SHM" lock "${P}q" -- sh -c '
		seq -w 16 | xargs -P 16 -I{} sh -c "for i in $2; do
			\"\$0\" write \"\$1\" --append -s \"{}:\$i
\" || exit 1
		done" "$0" "$1"' "$SHM" "${P}q" "$seq"
	assert_equal "$status" 0
	# Every record, whole, once: 6 bytes each.
	assert_equal "$(stat -c %s "/dev/shm/${P}q")" $((16 * n * 6))
	for ((p = 1; p <= 16; p++)); do
		for ((i = 1; i <= n; i++)); do
			printf -v want '%s%02d:%02d\n' "$want" "$p" "$i"
		done
	done
	assert_equal "$(sort "/dev/shm/${P}q")" "${want%$'\n'}"
}

@test "parallel cursor readers inside one shm lock read each record once" {
	shm create "${P}q" 0
	for i in $(seq 0 31); do printf 'r%02d\n' "$i"; done |
		shm write "${P}q" --grow
	shm seek "${P}q" 0
	run timeout 60 "$SHM" lock "${P}q" -- sh -c '
		seq 32 | xargs -P 8 -I{} "$0" read "$1" -n 4' "$SHM" "${P}q"
	assert_equal "$status" 0
	assert_equal "$(printf '%s\n' "$output" | sort)" \
		"$(for i in $(seq 0 31); do printf 'r%02d\n' "$i"; done)"
}

@test "nested shm locks inside one lock exclude each other: no increment lost" {
	skip_if_portable "a nested shm lock takes no inner lock there"
	local n=$((24 * SCALE))
	shm create "${P}q" 4
	run timeout 60 "$SHM" lock "${P}q" -- sh -c '
		seq "$2" | xargs -P 8 -I{} "$0" lock "$1" sh -c "
			v=\$(\"\$0\" read \"\$1\" -o 0 --as \"<I\") &&
			\"\$0\" write \"\$1\" -o 0 --as \"<I\" \$((v + 1))" \
			"$0" "$1"' "$SHM" "${P}q" "$n"
	assert_equal "$status" 0
	assert_equal "$(shm read "${P}q" -o 0 --as '<I')" "$n"
	# Shared inside exclusive inside exclusive still allows no change.
	capture "$SHM" lock "${P}q" "$SHM" lock "${P}q" \
		"$SHM" lock -s "${P}q" "$SHM" write "${P}q" -o 0 -s x
	assert_fails 2 "shm: write: ${P}q: under a shared lock, which allows no change; lock it without -s"
}

@test "readers work inside an exclusive lock they inherit" {
	shm create "${P}q" 8
	shm write "${P}q" -o 0 -s abcdefgh
	capture timeout 20 "$SHM" lock "${P}q" -- sh -c '
		"$0" read "$1" -o 2 -n 3 && echo &&
		"$0" find "$1" fg &&
		"$0" dump "$1" -n 2 | head -c 8 && echo &&
		"$0" stat -f size,users "$1"' "$SHM" "${P}q"
	assert_equal "$status" 0
	assert_equal "${lines[0]}" cde
	assert_equal "${lines[1]}" 5
	assert_equal "${lines[2]}" "00000000"
	assert_equal "${lines[3]}" 8
	# The shm lock and the sh that runs stat have it open.
	assert_equal "${lines[4]}" 2
}

@test "a forged SHM_LOCKED claiming exclusive over a shared lock changes nothing" {
	shm create "${P}q" 4
	# The descriptor holds the lock shared; the variable says 'x'.
	capture timeout 20 "$SHM" lock -s "${P}q" -- sh -c '
		SHM_LOCKED=$(printf %s "$SHM_LOCKED" | sed "s/:s\$/:x/")
		case $SHM_LOCKED in *:x) ;; *) exit 9 ;; esac
		exec "$0" write "$1" -o 0 -s x' "$SHM" "${P}q"
	assert_fails 2 "shm: write: ${P}q: under a shared lock, which allows no change; lock it without -s"
	cmp "/dev/shm/${P}q" <(head -c 4 /dev/zero)
}

@test "under flock(1) a write works inside its lock; under flock -s it is refused" {
	command -v flock >/dev/null || skip "no flock(1)"
	shm create "${P}q" 4
	capture timeout 10 flock "/dev/shm/${P}q" \
		"$SHM" write "${P}q" -o 0 -s ab
	assert_equal "$status" 0
	capture timeout 10 flock -s "/dev/shm/${P}q" \
		"$SHM" write "${P}q" -o 0 -s cd
	assert_fails 2 "shm: write: ${P}q: under a shared lock, which allows no change; lock it without -s"
	capture timeout 10 flock -s "/dev/shm/${P}q" \
		"$SHM" read "${P}q" -o 0 -n 2
	assert_equal "$status" 0
	assert_equal "$output" ab
	capture timeout 10 flock "/dev/shm/${P}q" \
		"$SHM" lock "${P}q" "$SHM" write "${P}q" -o 2 -s ef
	assert_equal "$status" 0
	assert_equal "$(shm read "${P}q" -o 0 -n 4)" abef
}

@test "under flock -o, which keeps the descriptor, shm fails at once naming it" {
	command -v flock >/dev/null || skip "no flock(1)"
	shm create "${P}q" 4
	capture timeout 10 sh -c 'echo $$ > pid
		exec flock -o "/dev/shm/$2" "$1" write "$2" -o 0 -s ab' \
		sh "$SHM" "${P}q"
	assert_fails 2 "shm: write: ${P}q: locked by pid $(cat pid) (flock -o /dev/shm/${P}q $SHM write ${P}q -o 0 -s ab), which runs this command and would wait for it for ever; pass the locked descriptor down (Python: pass_fds) or unlock first"
	cmp "/dev/shm/${P}q" <(head -c 4 /dev/zero)
}

@test "a Python parent's fcntl.flock: refused at once, worked inside with pass_fds" {
	shm create "${P}q" 4
	cat > x.py <<'EOF'
import fcntl, os, subprocess, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
start = time.monotonic()
r = subprocess.run([sys.argv[2], "write", sys.argv[3], "-o", "0", "-s", "no"],
    stderr=subprocess.PIPE, timeout=10)
print(r.returncode, time.monotonic() - start < 5)
print(r.stderr.decode(), end="")
r = subprocess.run([sys.argv[2], "write", sys.argv[3], "-o", "0", "-s", "ok"],
    pass_fds=[fd], timeout=10)
print(r.returncode)
print(os.getpid())
print(open("/proc/self/cmdline").read().rstrip("\0").replace("\0", " "))
EOF
	capture python3 x.py "/dev/shm/${P}q" "$SHM" "${P}q"
	assert_equal "$status" 0
	assert_equal "${lines[0]}" "2 True"
	assert_equal "${lines[1]}" "shm: write: ${P}q: locked by pid ${lines[3]} (${lines[4]}), which runs this command and would wait for it for ever; pass the locked descriptor down (Python: pass_fds) or unlock first"
	assert_equal "${lines[2]}" 0
	[[ "${lines[4]}" == *"python3 x.py /dev/shm/${P}q $SHM ${P}q" ]]
	assert_equal "$(shm read "${P}q" -o 0 -n 2)" ok
}

@test "a parent's thread that holds the lock at work is waited for, not refused" {
	shm create "${P}q" 0
	cat > t.py <<'EOF'
import fcntl, os, subprocess, sys, threading
path, shm, name = sys.argv[1:4]
held, go = threading.Event(), threading.Event()
def holder():
    fd = os.open(path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    held.set()
    go.wait()
    n = 0
    while n < 3000000:          # at work, holding it: no idle parent
        n += 1
    os.write(fd, b"py ")
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
t = threading.Thread(target=holder)
t.start()
held.wait()
p = subprocess.Popen([shm, "write", name, "--append", "-s", "shm"])
go.set()
t.join()
print(p.wait())
EOF
	capture timeout 20 python3 t.py "/dev/shm/${P}q" "$SHM" "${P}q"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$output" 0
	assert_equal "$(shm read "${P}q" -o 0)" "py shm"
}

@test "stat of a locked segment answers at once, counting the holder" {
	shm create "${P}q" 16
	python3 -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
open("held", "w").close()
time.sleep(30)' "/dev/shm/${P}q" 3>&- &
	local py=$!
	await_file held
	SHM_LOCK_TIMEOUT=5 capture timeout 5 \
		"$SHM" stat -f size,users "${P}q"
	kill "$py"
	wait "$py" || true
	assert_equal "$status" 0
	assert_equal "$output" "16
1"
}

@test "the lock kept by a child of a dead shm lock: who and the timeout name it" {
	shm create "${P}q" 4
	"$SHM" lock "${P}q" -- sh -c 'sleep 30 >/dev/null 2>&1 3>&- &
		echo $! > pid'
	local holder
	holder=$(cat pid)
	capture "$SHM" who "${P}q"
	[[ "$output" == "$holder	$(id -un)	sleep 30	fd "*", lock exclusive" ]] ||
		{ kill "$holder"; false; }
	SHM_LOCK_TIMEOUT=0.2 capture "$SHM" write "${P}q" -s x
	local s1=$status e1=$stderr
	capture "$SHM" lock -w 0.1 "${P}q" true
	kill "$holder"
	assert_equal "$s1" 2
	assert_equal "$e1" "shm: write: ${P}q: lock not had within 0.2 s (SHM_LOCK_TIMEOUT): held by pid $holder (sleep 30)"
	assert_fails 1 "shm: lock: ${P}q: lock not had within 0.1 s: held by pid $holder (sleep 30)"
}

@test "inside one lock, a peer's inner lock bounds the wait and is named" {
	skip_if_portable "a nested shm lock takes no inner lock there"
	shm create "${P}q" 4
	capture timeout 20 "$SHM" lock "${P}q" -- sh -c '
		"$0" lock "$1" sh -c "echo \$\$ > inner; touch held; sleep 30" \
		    >/dev/null 2>&1 3>&- &
		while [ ! -e held ]; do sleep 0.05; done
		SHM_LOCK_TIMEOUT=0.2 "$0" write "$1" -s x; echo "write $?"
		"$0" lock -w 0.1 "$1" true; echo "lock $?"
		kill $(cat inner)' "$SHM" "${P}q"
	assert_equal "$status" 0
	assert_equal "$output" "write 2
lock 1"
	local inner
	inner=$(cat inner)
	[[ "${stderr_lines[0]}" == "shm: write: ${P}q: lock not had within 0.2 s (SHM_LOCK_TIMEOUT): held by pid "*"pid $inner (sh -c echo "* ]]
	[[ "${stderr_lines[1]}" == "shm: lock: ${P}q: lock not had within 0.1 s: held by pid "*"pid $inner (sh -c echo "* ]]
}

@test "without /proc, the commands shm lock runs work inside what it passes down" {
	[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null ||
		skip "needs root and unshare -m"
	# AddressSanitizer reads its options and leaks through /proc.
	! grep -qa __asan_init "$SHM" || skip "make asan's build needs /proc"
	shm create "${P}q" 4
	capture timeout 20 unshare -m sh -c '
		umount -l /proc && [ ! -e /proc/self ] &&
		"$0" lock "$1" -- "$0" write "$1" -o 0 -s ab' "$SHM" "${P}q"
	assert_equal "$status" 0
	assert_equal "$(shm read "${P}q" -o 0 -n 2)" ab
}
