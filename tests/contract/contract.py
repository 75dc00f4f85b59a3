#!/usr/bin/env python3
"""contract.py - random schedules against shm's promises between processes.

Usage: contract.py SECONDS SHM_BINARY

Runs rounds of five kinds, chosen at random, until SECONDS have passed,
and checks every record end to end:

  log      appenders (shm write --append, some of them killed mid-stream,
           and a Python mmap appender under fcntl.flock) and followers
           with named cursors (read --follow --cursor), killed by TERM,
           INT, HUP, PIPE (the reader goes away) and KILL and started
           again: every byte is delivered once, in order; only after a
           KILL may the last write's bytes come twice; no record is torn.
  regen    a log cut back to nothing (resize --shrink) or replaced
           (create --force) under followers: a follower goes on from the
           new start, never mid-content, and skips no record of it.
  locked   parallel children under one 'shm lock' append: none is lost.
  failed   writes that must fail (too long, killed by any terminating
           signal, over RLIMIT_FSIZE) over data and holes: every byte,
           hole and the size are as before, and one line says so.
  waiter   'shm wait --change' sees a store, a write, growth, a
           replacement and a removal, each within a bound.

Prints its counts and one line per violation; exits 1 on any.
CONTRACT_SEED makes a run repeatable (its schedule, not the kernel's);
CONTRACT_ROUNDS=log,failed runs only those kinds.
"""

import fcntl
import mmap
import os
import random
import re
import resource
import select
import signal
import subprocess
import sys
import threading
import time
import zlib

# What a follower says when a signal stops it before it delivered a
# byte: segment_lock's last look, or its wait for the lock.
STOPPED_BEFORE_START = re.compile(
    r": interrupted by SIG[A-Z0-9+]+( while waiting for the lock)?; "
    r"nothing changed$")

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 90
SHM = sys.argv[2] if len(sys.argv) > 2 else "./shm"
SEED = int(os.environ.get("CONTRACT_SEED", str(int(time.time() * 1000))))
# The most one write(2) of a follower may carry: after SIGKILL at most
# this much is delivered twice.
MAX_WRITE = 1 << 20
# How long a waiter or a follower may take to see what it must see.
BOUND = 10.0

rng = random.Random(SEED)
counts = {}
violations = []
lock = threading.Lock()


def count(what, n=1):
    with lock:
        counts[what] = counts.get(what, 0) + n


def violate(what):
    with lock:
        violations.append(what)
    print("VIOLATION: " + what, flush=True)


def path_of(name):
    return "/dev/shm/" + name


def shm(*args, check=True, **kw):
    """Runs shm; returns (status, stdout bytes, stderr text)."""
    p = subprocess.run([SHM] + [str(a) for a in args], capture_output=True,
                       timeout=60, **kw)
    if check and p.returncode != 0:
        violate("shm %s: exit %d: %s" % (" ".join(map(str, args)),
                                        p.returncode, p.stderr.decode()))
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def content(name):
    with open(path_of(name), "rb") as f:
        return f.read()


def blocks(name):
    return os.stat(path_of(name)).st_blocks


# Records: b"<P:SEQ:N:payload:CRC>\n", each checkable on its own.
def record(prod, seq, n, gen=0):
    body = ("%d.%s:%d:%d:" % (gen, prod, seq, n)).encode()
    r = random.Random(hash((gen, prod, seq)))
    body += bytes(r.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(n))
    return b"<" + body + (":%08x>\n" % zlib.crc32(body)).encode()


def parse(data, where):
    """The records of data, in order, as (gen, prod, seq); None if torn."""
    out, pos = [], 0
    while pos < len(data):
        end = data.find(b">\n", pos)
        if data[pos:pos + 1] != b"<" or end < 0:
            violate("%s: torn or foreign bytes at offset %d: %r" %
                    (where, pos, data[pos:pos + 40]))
            return None
        body, crc = data[pos + 1:end].rsplit(b":", 1)
        if zlib.crc32(body) != int(crc, 16):
            violate("%s: a record at offset %d fails its check" %
                    (where, pos))
            return None
        head, seq, _, _ = body.split(b":", 3)
        gen, prod = head.split(b".", 1)
        out.append((int(gen), prod.decode(), int(seq)))
        pos = end + 2
    return out


def exit_signal(rc):
    """The signal a process died of, shm's 128+N included, or 0."""
    if rc < 0:
        return -rc
    return rc - 128 if rc > 128 else 0


# ---------------------------------------------------------------- producers

class Producer(threading.Thread):
    """Appends its records with shm write --append, or as a Python peer."""

    def __init__(self, name, prod, n, how, gen=0, killer=False):
        super().__init__(daemon=True)
        self.name_, self.prod, self.n, self.how = name, prod, n, how
        self.gen, self.killer = gen, killer
        self.written = set()     # sequence numbers surely in
        self.maybe = set()       # killed mid-append: in whole, or not
        self.silent = set()      # killed saying nothing: not in at all

    def run(self):
        for seq in range(self.n):
            size = rng.choice([0, 10, 100, 3000, 70000])
            if self.how == "python":
                self.python_append(seq, size)
            elif self.killer and rng.random() < 0.3:
                self.killed_append(seq)
            else:
                rec = record(self.prod, seq, size, self.gen)
                rc, _, err = shm("write", self.name_, "--append", "-s",
                                 rec.decode(), check=False)
                if rc == 0:
                    self.written.add(seq)
                elif "no such" not in err.lower():
                    violate("append %s#%d: exit %d: %s" % (self.prod, seq,
                            rc, err))

    def python_append(self, seq, size):
        rec = record(self.prod, seq, size, self.gen)
        try:
            fd = os.open(path_of(self.name_), os.O_RDWR)
        except FileNotFoundError:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            end = os.fstat(fd).st_size
            os.ftruncate(fd, end + len(rec))
            with mmap.mmap(fd, end + len(rec)) as m:
                m[end:end + len(rec)] = rec
            self.written.add(seq)
        finally:
            os.close(fd)

    def killed_append(self, seq):
        """A stream of 1.5-3 MiB, killed part way or let finish."""
        rec = record(self.prod, seq, rng.randint(3 << 19, 3 << 20), self.gen)
        p = subprocess.Popen([SHM, "write", self.name_, "--append"],
                             stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        cut = rng.randint(1, len(rec) - 1)
        sig = rng.choice([signal.SIGTERM, signal.SIGINT, signal.SIGHUP,
                          signal.SIGQUIT, signal.SIGUSR1, signal.SIGALRM,
                          None])
        try:
            p.stdin.write(rec[:cut])
            p.stdin.flush()
            if sig is None:
                p.stdin.write(rec[cut:])
            else:
                time.sleep(rng.random() * 0.01)
                p.send_signal(sig)
            p.stdin.close()
        except BrokenPipeError:
            pass
        err = p.stderr.read().decode(errors="replace")
        rc = p.wait()
        count("append streams killed" if sig else "append streams")
        if sig is None and rc == 0:
            self.written.add(seq)
        elif sig is not None and exit_signal(rc) in (sig, 0):
            # Dead of the signal: nothing in; finished first: all in.
            (self.written if rc == 0 else self.maybe).add(seq)
            # Killed before its handlers were set (in exec, say): it
            # can say nothing, and must have written nothing.
            if rc != 0 and err == "":
                self.silent.add(seq)
            elif rc != 0 and err.count("\n") != 1:
                violate("append killed by %s at %d of %d: exit %d, %d "
                        "lines on stderr: %r" % (signal.Signals(sig).name,
                        cut, len(rec), rc, err.count("\n"), err))
        else:
            violate("append stream (signal %s): exit %d: %s" %
                    (sig, rc, err))


def check_records(name, recs, producers, where):
    """Every record written is there once, none of another."""
    seen = {}
    for gen, prod, seq in recs:
        key = (gen, prod, seq)
        seen[key] = seen.get(key, 0) + 1
    for key, n in seen.items():
        if n > 1:
            violate("%s: record %s appears %d times" % (where, key, n))
    for p in producers:
        for seq in p.written:
            if (p.gen, p.prod, seq) not in seen:
                violate("%s: record %s#%d was written but is lost" %
                        (where, p.prod, seq))
        for (gen, prod, seq) in seen:
            if prod != p.prod or gen != p.gen:
                continue
            if seq not in p.written and seq not in p.maybe:
                violate("%s: record %s#%d was never written" %
                        (where, prod, seq))
            if seq in p.silent:
                violate("%s: record %s#%d is in, yet its writer died "
                        "of a signal saying nothing" % (where, prod, seq))
    count("records checked", len(recs))


# ---------------------------------------------------------------- followers

FOLLOW_SIGNALS = ["TERM", "INT", "HUP", "PIPE", "KILL"]


class Run:
    """One follower process, read slowly or fast, then stopped."""

    def __init__(self, name, cursor, timeout=None):
        self.name = name
        args = [SHM, "read", name, "--follow", "--cursor", cursor]
        if timeout is not None:
            args += ["--timeout", str(timeout)]
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.out = bytearray()
        self.slow = rng.random() < 0.5

    def read_for(self, seconds):
        end = time.monotonic() + seconds
        fd = self.p.stdout.fileno()
        while True:
            left = end - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return
            b = os.read(fd, 512 if self.slow else 1 << 16)
            if not b:
                return
            self.out += b
            if self.slow:
                time.sleep(0.001)

    def stop(self, how):
        """Stops it as how says; the rest of the pipe is read (not PIPE)."""
        if how == "PIPE":
            self.p.stdout.close()
        else:
            self.p.send_signal(getattr(signal, "SIG" + how))
        return self.finish("stopped by SIG" + how)

    def finish(self, how="at its --timeout"):
        """The rest of its output and its status: a follower that does
        not end is a violation, not a checker that hangs."""
        try:
            out, err = self.p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            violate("follower of %s %s: still running 20 s later" %
                    (self.name, how))
            self.p.kill()
            out, err = self.p.communicate()
        self.out += out or b""
        self.err = err.decode(errors="replace")
        return self.p.returncode


def cursor_of(name, cursor):
    rc, out, err = shm("seek", name, "--cursor", cursor)
    return int(out) if rc == 0 else -1


def check_run(where, how, rc, start, out, after, whole):
    """A run from start delivered out; the cursor is then after."""
    end = start + len(out)
    if bytes(out) != whole[start:end]:
        violate("%s: output differs from the segment at %d..%d" %
                (where, start, end))
    want = {"TERM": 15, "INT": 2, "HUP": 1, "PIPE": 13, "KILL": 9}.get(how)
    if how != "end" and exit_signal(rc) not in (want, 0):
        violate("%s: stopped by SIG%s, exit %d" % (where, how, rc))
    if how == "KILL":
        ok = end - MAX_WRITE <= after <= end
    elif how == "PIPE":
        ok = end <= after <= end + (1 << 20)
    else:
        ok = after == end
    if not ok:
        violate("%s: after SIG%s at %d, %d bytes out (to %d), the cursor "
                "is %d" % (where, how, start, len(out), end, after))
    count("follower runs stopped by " + how)


def follower_loop(name, cursor, stop_event, runs):
    """Followers started and stopped again, until stop_event."""
    while not stop_event.is_set():
        start = cursor_of(name, cursor)
        r = Run(name, cursor)
        r.read_for(rng.random() * 0.3)
        how = rng.choice(FOLLOW_SIGNALS)
        rc = r.stop(how)
        runs.append((how, rc, start, bytes(r.out), cursor_of(name, cursor),
                     r.err))


def drain(name, cursor, runs):
    start = cursor_of(name, cursor)
    r = Run(name, cursor, timeout=0.3)
    rc = r.finish()
    if rc not in (0, 1):
        violate("drain %s: exit %d: %s" % (cursor, rc, r.err))
    runs.append(("end", rc, start, bytes(r.out), cursor_of(name, cursor),
                 r.err))


# ------------------------------------------------------------------ rounds

def round_log(name):
    shm("create", name, 0)
    producers = [Producer(name, "a%d" % i, rng.randint(5, 30), "shm",
                          killer=True) for i in range(rng.randint(1, 3))]
    producers.append(Producer(name, "py", rng.randint(5, 30), "python"))
    stop = threading.Event()
    cursors = ["c%d" % i for i in range(rng.randint(1, 2))]
    runs = {c: [] for c in cursors}
    followers = [threading.Thread(target=follower_loop,
                                  args=(name, c, stop, runs[c]), daemon=True)
                 for c in cursors]
    for t in producers + followers:
        t.start()
    for p in producers:
        p.join()
    stop.set()
    for t in followers:
        t.join()
    whole = content(name)
    recs = parse(whole, "log " + name)
    if recs is not None:
        check_records(name, recs, producers, "log " + name)
    for c in cursors:
        drain(name, c, runs[c])
        prev = 0
        for i, (how, rc, start, out, after, err) in enumerate(runs[c]):
            where = "log %s cursor %s run %d" % (name, c, i)
            if start != prev:
                violate("%s: started at %d, the last run left %d" %
                        (where, start, prev))
            check_run(where, how, rc, start, out, after, whole)
            prev = after
        if prev != len(whole):
            violate("log %s cursor %s: drained to %d of %d" %
                    (name, c, prev, len(whole)))
    count("log rounds")


def scan(data):
    """Records and the bytes between them: ("rec", gen, seq) or ("junk",)."""
    items, pos = [], 0
    while pos < len(data):
        rec = one_record(data, pos)
        if rec is not None:
            items.append(("rec",) + rec[:2])
            pos = rec[2]
            continue
        nxt = data.find(b"<", pos + 1)
        while nxt >= 0 and one_record(data, nxt) is None:
            nxt = data.find(b"<", nxt + 1)
        items.append(("junk",))
        pos = len(data) if nxt < 0 else nxt
    return items


def one_record(data, pos):
    """(gen, seq, end) of a whole record at pos, or None."""
    end = data.find(b">\n", pos)
    if data[pos:pos + 1] != b"<" or end < 0:
        return None
    try:
        body, crc = data[pos + 1:end].rsplit(b":", 1)
        if zlib.crc32(body) != int(crc, 16):
            return None
        head, seq, _, _ = body.split(b":", 3)
        return int(head.split(b".")[0]), int(seq), end + 2
    except ValueError:
        return None


def regen_checker(where, outs):
    """Output across runs: records of non-decreasing generations, each
    new generation from its first record, none skipped or repeated
    within one.  A run may begin with the rest of a record and end with
    part of one; in the middle, part of a record may come only where
    the segment was cut back and a new generation begins."""
    last, prev_how = None, None
    for i, (how, out) in enumerate(outs):
        items = scan(out)
        for j, item in enumerate(items):
            if item[0] == "junk":
                nxt = items[j + 1] if j + 1 < len(items) else None
                if 0 < j and nxt is not None and not (
                        last is not None and nxt[1] > last[0] and
                        nxt[2] == 0):
                    violate("%s run %d: a torn record not at a cut" %
                            (where, i))
                continue
            _, gen, seq = item
            at_start = all(x[0] == "junk" for x in items[:j])
            if last is None or gen > last[0]:
                if seq != 0 and not (at_start and prev_how == "PIPE"):
                    violate("%s: generation %d begins at record %d" %
                            (where, gen, seq))
            elif gen < last[0]:
                violate("%s: generation %d after %d" % (where, gen,
                                                         last[0]))
            elif seq > last[1] + 1 and not (at_start and
                                            prev_how == "PIPE"):
                # (What the pipe held when its reader went is delivered.)
                violate("%s: generation %d skips from record %d to %d" %
                        (where, gen, last[1], seq))
            elif seq <= last[1] and not (at_start and prev_how == "KILL"):
                violate("%s: generation %d repeats record %d after %d" %
                        (where, gen, seq, last[1]))
            last = (gen, seq)
        prev_how = how


def refill(name, gen):
    """Cut back and filled again in one step, under the lock: a follower
    sees more bytes than it had, not fewer.  The records written."""
    n = rng.randint(1, 20)
    recs = [record("g", seq, rng.choice([50, 500, 5000]), gen).decode()
            for seq in range(n)]
    script = ('"$SHM" resize "$N" 0 --shrink && for r; do '
              '"$SHM" write "$N" --append -s "$r" || exit; done')
    p = subprocess.run([SHM, "lock", name, "--", "sh", "-c", script, "sh"]
                       + recs, env=dict(os.environ, SHM=SHM, N=name),
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        violate("refill %s: exit %d: %s" % (name, p.returncode,
                                            p.stderr.decode()))
    return n


def round_regen(name):
    shm("create", name, 0)
    stop = threading.Event()
    runs = []
    t = threading.Thread(target=follower_loop,
                         args=(name, "r", stop, runs), daemon=True)
    t.start()
    gens, first = rng.randint(2, 4), 0
    for gen in range(gens):
        for seq in range(first, first + rng.randint(3, 15)):
            shm("write", name, "--append", "-s",
                record("g", seq, rng.choice([5, 50, 500, 5000]),
                       gen).decode())
            time.sleep(rng.random() * 0.005)
        first = 0
        if gen + 1 < gens:
            how = rng.choice(["cut", "refill", "replace"])
            if how == "cut":
                shm("resize", name, 0, "--shrink")
            elif how == "refill":
                first = refill(name, gen + 1)
            else:
                shm("create", "--force", name, 0)
            count("regen " + how)
    stop.set()
    t.join()
    drain(name, "r", runs)
    outs = [(how, out) for how, _, _, out, _, _ in runs]
    regen_checker("regen " + name, outs)
    # Each cut is said once (a restart may say it again), and nothing
    # else is said but a stop before a run's first lock was had (a
    # signal while it waited, or as it got it); the last record out is
    # the segment's last.
    said = [l for _, _, _, _, _, err in runs for l in err.splitlines()
            if not STOPPED_BEFORE_START.search(l)]
    notes = [l for l in said if l.endswith("; following from the start")]
    if len(notes) > 2 * (gens - 1) or len(notes) < len(said):
        violate("regen %s: %d lines on stderr for %d cuts: %r" %
                (name, len(said), gens - 1, said[:3]))
    got = [i for _, out in outs for i in scan(out) if i[0] == "rec"]
    want = parse(content(name), "regen " + name)
    # Unless a run stopped by the close of its pipe (PIPE) put out the
    # last record read, or came after it: what that pipe held went with
    # it, written (delivered, as far as shm can tell) and never read.
    last_out = max([i for i, (_, out) in enumerate(outs)
                    if any(x[0] == "rec" for x in scan(out))] or [0])
    lost = any(how == "PIPE" for how, _ in outs[last_out:])
    if want and not lost and (not got or
                              got[-1][1:] != (want[-1][0], want[-1][2])):
        violate("regen %s: the last record out is %r, not the segment's "
                "last, %r; the runs from the one that put it out: %s" %
                (name, got[-1:] and got[-1][1:], want[-1],
                 [how for how, _ in outs[last_out:]]))
    last = runs[-1]
    whole = content(name)
    if last[4] != len(whole):
        violate("regen %s: drained to %d of %d" % (name, last[4],
                                                   len(whole)))
    count("regen rounds")


def round_locked(name):
    shm("create", name, 0)
    kids, each = rng.randint(2, 16), rng.randint(2, 12)
    script = ('for k in $(seq %d); do (for i in $(seq 0 %d); do '
              '"$SHM" write "$N" --append -s "$(printf "<k%%s.%%s>" $k $i)"'
              '; done) & done; wait' % (kids, each - 1))
    env = dict(os.environ, SHM=SHM, N=name)
    outside = Producer(name, "out", rng.randint(1, 10), "shm")
    outside.start()
    p = subprocess.run([SHM, "lock", name, "--", "sh", "-c", script],
                       env=env, capture_output=True, timeout=120)
    outside.join()
    if p.returncode != 0:
        violate("locked %s: exit %d: %s" % (name, p.returncode,
                                            p.stderr.decode()))
    data = content(name)
    # The children's records are short and unchecked: count them.
    want = {("<k%d.%d>" % (k, i)).encode() for k in range(1, kids + 1)
            for i in range(each)}
    for w in want:
        if data.count(w) != 1:
            violate("locked %s: %r appears %d times" % (name, w,
                                                        data.count(w)))
    rest = data
    for w in want:
        rest = rest.replace(w, b"")
    recs = parse(rest, "locked " + name)
    if recs is not None:
        check_records(name, recs, [outside], "locked " + name)
    count("records checked", len(want))
    count("locked rounds")


FAIL_SIGNALS = ["TERM", "INT", "HUP", "QUIT", "USR1", "USR2", "ALRM",
                "PIPE", "XCPU", "VTALRM", "PROF"]


def random_fill(name, size):
    """Data at random places, holes between."""
    for _ in range(rng.randint(0, 6)):
        off = rng.randrange(0, size)
        n = min(size - off, rng.randint(1, 1 << 20))
        shm("write", name, "-o", off, "-i", "-",
            input=os.urandom(n))


def has_opened(p, name, seconds=5):
    """Waits until process p has the segment open or has ended."""
    deadline = time.monotonic() + seconds
    while p.poll() is None and time.monotonic() < deadline:
        try:
            if any(os.readlink("/proc/%d/fd/%s" % (p.pid, fd)) ==
                   path_of(name) for fd in os.listdir("/proc/%d/fd" % p.pid)):
                return True
        except OSError:
            pass
        time.sleep(0.001)
    return False


def round_failed(name):
    size = rng.choice([4096, 1 << 20, 3 << 20, 8 << 20])
    shm("create", name, size)
    random_fill(name, size)
    before, blk = content(name), blocks(name)
    off = rng.randrange(0, size)
    kind = rng.choice(["long", "signal", "signal", "fsize"])
    args = [SHM, "write", name, "-o", str(off)]
    pre = None
    if kind == "fsize":
        args += ["--grow"]
        lim = size + rng.randint(0, 1 << 20)

        def pre():
            resource.setrlimit(resource.RLIMIT_FSIZE, (lim, lim))
        data_len = lim - off + rng.randint(1, 3 << 20)
    else:
        data_len = size - off + rng.randint(1, 3 << 20)
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                         preexec_fn=pre)
    sig = None
    data = os.urandom(data_len)
    try:
        if kind == "signal":
            cut = rng.randint(0, data_len - 1)
            p.stdin.write(data[:cut])
            p.stdin.flush()
            # Its handlers are set before it opens the segment: a
            # signal before then, in exec say, kills it silently, as
            # it would any program, and is no test of a put-back.
            has_opened(p, name)
            time.sleep(rng.random() * 0.02)
            sig = getattr(signal, "SIG" + rng.choice(FAIL_SIGNALS))
            p.send_signal(sig)
        else:
            p.stdin.write(data)
        p.stdin.close()
    except BrokenPipeError:
        pass
    err = p.stderr.read().decode(errors="replace")
    rc = p.wait()
    where = "failed %s %s at %d of %d" % (kind, name, off, size)
    if sig is not None:
        where += " (SIG%s)" % signal.Signals(sig).name[3:]
    # A stream may be found too long before the signal comes.
    if kind == "signal" and exit_signal(rc) != sig and rc != 2:
        violate("%s: exit %d, not the signal's: %s" % (where, rc, err))
    elif kind != "signal" and rc != 2:
        violate("%s: exit %d, not 2: %s" % (where, rc, err))
    if err.count("\n") != 1:
        violate("%s: %d lines on stderr: %r" % (where, err.count("\n"), err))
    after = content(name)
    if after != before:
        diff = next((i for i in range(min(len(before), len(after)))
                     if before[i] != after[i]), min(len(before), len(after)))
        violate("%s: the segment changed (size %d -> %d, first at %d)" %
                (where, len(before), len(after), diff))
    elif blocks(name) != blk:
        violate("%s: allocated blocks %d -> %d" % (where, blk, blocks(name)))
    count("failed writes verified")


def waiting(p, name):
    """Whether the waiter p has the segment open and sleeps: then it has
    what it compares with (it looks between sleeps)."""
    try:
        if not any(os.readlink("/proc/%d/fd/%s" % (p.pid, fd)) ==
                   path_of(name) for fd in os.listdir("/proc/%d/fd" % p.pid)):
            return False
        for _ in range(3):
            with open("/proc/%d/stat" % p.pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] != "S":
                    return False
            time.sleep(0.002)
    except OSError:
        return False
    return True


CHANGES = ["store", "write", "append", "grow", "replace", "remove"]


def round_waiter(name):
    size = rng.choice([0, 100, 4096, 1 << 20])
    shm("create", name, size)
    if size:
        random_fill(name, size)
    how = rng.choice(CHANGES)
    if size == 0 and how in ("store", "write"):
        how = "append"
    p = subprocess.Popen([SHM, "wait", name, "--change", "-t", str(BOUND)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t0 = time.monotonic()
    while not waiting(p, name) and p.poll() is None and \
            time.monotonic() - t0 < BOUND:
        time.sleep(0.001)
    if how == "store":
        fd = os.open(path_of(name), os.O_RDWR)
        with mmap.mmap(fd, size) as m:
            i = rng.randrange(size)
            m[i] = (m[i] + 1) % 256
        os.close(fd)
    elif how == "write":
        off = rng.randrange(size)
        cur = content(name)[off]
        shm("write", name, "-o", off, "-x", "%02x" % ((cur + 1) % 256))
    elif how == "append":
        shm("write", name, "--append", "-s", "x")
    elif how == "grow":
        shm("resize", name, size + 4096)
    elif how == "replace":
        shm("create", "--force", name, size)
    else:
        shm("rm", name)
    try:
        rc = p.wait(timeout=BOUND + 5)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    err = p.stderr.read().decode(errors="replace")
    p.stdout.close()
    p.stderr.close()
    if rc != 0:
        violate("waiter %s: a %s was not seen as a change: exit %d %s" %
                (name, how, rc, err))
    count("waits for a " + how)


ROUNDS = [round_log, round_regen, round_locked, round_failed, round_failed,
          round_waiter, round_waiter]
# CONTRACT_ROUNDS=log,failed: only those kinds (to try a planted fault).
if os.environ.get("CONTRACT_ROUNDS"):
    ROUNDS = [globals()["round_" + k]
              for k in os.environ["CONTRACT_ROUNDS"].split(",")]


def main():
    print("contract: seed %d, %g s, %s" % (SEED, SECONDS, SHM), flush=True)
    # SIGINT and SIGQUIT as at a terminal: run in the background (as a
    # CI step may be), the children would inherit them ignored, and
    # shm keeps a signal that was ignored at its start ignored, as a
    # shell's background job needs: a follower sent INT would go on.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGQUIT) == signal.SIG_IGN:
        signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    os.environ["SHM_STATE_DIR"] = os.environ.get(
        "SHM_STATE_DIR", "/tmp/contract-state-%d" % os.getpid())
    end = time.monotonic() + SECONDS
    n = 0
    while time.monotonic() < end:
        fn = rng.choice(ROUNDS)
        name = "contract-%d-%d" % (os.getpid(), n)
        n += 1
        try:
            fn(name)
        except Exception as e:  # a crash of the checker is a failure too
            violate("%s %s: checker error %r" % (fn.__name__, name, e))
        finally:
            try:
                os.unlink(path_of(name))
            except FileNotFoundError:
                pass
    for k in sorted(counts):
        print("contract: %8d %s" % (counts[k], k))
    print("contract: %d rounds, %d violations (seed %d)" %
          (n, len(violations), SEED), flush=True)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
