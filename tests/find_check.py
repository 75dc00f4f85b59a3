#!/usr/bin/env python3
"""find_check.py - shm find against Python's bytes.find, rfind, count.

usage: find_check.py SHM PREFIX CASE [SEED]

Makes objects named PREFIX... in /dev/shm (the caller removes them),
plants needles where the search changes hands, and runs shm find,
find -r and find -a on them, with bounds, under every search method
(SHM_FIND_METHOD: avx2, sse2, memmem; see shm-find(1)): each answer
must be the offsets Python gives.  Each search runs under one method,
the next in turn; with SHM_TEST_SCALE at 2 or more (make test-deep),
under all three.  CASE is one of:

  chunks  random bytes, NULs and all, of 4 chunks and a bit (search.c
          reads 256 KiB at a time): needles of 1 to 300 bytes across
          every chunk edge, at the first and last bytes, and --start
          values that move the edges.
  edges   a needle alone, and --start or --end that put a chunk edge
          at each place inside it (forward and backward).
  holes   a sparse object: needles with zeros at either end across the
          edges of its data pages; the holes must stay unallocated.
  split   a sparse object of 128 MiB (a first match that far is split
          between two threads at the middle): needles across the
          middle, in both halves, and bounds that move the middle.
  verify  2 MiB of 'a' and a needle of 'a's but one 'b': every position
          is a candidate, so scan.c hands the buffer to memmem; matches
          at every distance from where a search starts.

Prints "ok" and exits 0, or prints each failure and exits 1.
"""
import os
import random
import subprocess
import sys

CHUNK = 256 * 1024
PAGE = 4096
METHODS = ("avx2", "sse2", "memmem")


class Check:
	def __init__(self, shm, prefix, every_method):
		self.shm = shm
		self.prefix = prefix
		self.failures = []
		self.every_method = every_method
		self.turn = 0

	def methods(self):
		"""All methods, or the next one: the cases are many, and a
		run of shm is most of what each costs.  The turn steps on
		once more every round, so that a search done every third
		time (-a after find and -r, say) meets each method too."""
		if self.every_method:
			return METHODS
		n = len(METHODS)
		self.turn += 1
		return (METHODS[(self.turn + self.turn // n) % n],)

	def obj(self, name, data=None, size=None, pages=()):
		"""An object: data, or size bytes with data pages at pages
		(offset -> bytes) and holes elsewhere."""
		path = "/dev/shm/" + self.prefix + name
		with open(path, "wb") as f:
			if data is not None:
				f.write(data)
			else:
				f.truncate(size)
				for off, b in pages:
					f.seek(off)
					f.write(b)
		return self.prefix + name

	def run(self, method, args):
		env = dict(os.environ, SHM_FIND_METHOD=method)
		p = subprocess.run([self.shm, "find"] + args, env=env,
		    capture_output=True)
		return p.returncode, p.stdout.decode(), p.stderr.decode()

	def expect(self, data, needle, start, end):
		"""What find, find -r and find -a print, as Python has it."""
		first = data.find(needle, start, end)
		last = data.rfind(needle, start, end)
		every, i = [], first
		while i >= 0:
			every.append(i)
			i = data.find(needle, i + len(needle), end)
		line = lambda xs: "".join("%d\n" % x for x in xs)
		return {
			(): line([first] if first >= 0 else []),
			("-r",): line([last] if last >= 0 else []),
			("-a",): line(every),
		}

	def check(self, name, data, needle, bounds=((None, None),),
	    modes=((), ("-r",), ("-a",))):
		for start, end in bounds:
			lo = 0 if start is None else start
			hi = len(data) if end is None else end
			want = self.expect(data, needle, lo, hi)
			opts = []
			if start is not None:
				opts += ["--start", str(start)]
			if end is not None:
				opts += ["--end", str(end)]
			for mode in modes:
				for m in self.methods():
					args = list(mode) + opts + ["-x", name,
					    needle.hex(" ")]
					got = self.run(m, args)
					ok = (1 if want[mode] == "" else 0,
					    want[mode], "")
					if got != ok:
						self.failures.append("%s %s: "
						    "got %r, want %r" % (m,
						    " ".join(args)[:120], got,
						    ok))


def chunks(c, rng):
	size = 4 * CHUNK + 12345
	base = bytearray(rng.randbytes(size))
	for n in (1, 2, 3, 8, 31, 32, 33, 64, 300):
		needle = rng.randbytes(n)
		data = bytearray(base)
		# Across every chunk edge, at a different shift each time,
		# and one at each end.
		at = [0, size - n]
		for k in range(1, 5):
			at.append(k * CHUNK - 1 - (k * 7) % max(n - 1, 1))
			at.append(k * CHUNK + 1 - n)	# ends on the edge
		for a in sorted(set(at)):
			data[a:a + n] = needle
		data = bytes(data)
		name = c.obj("c%d" % n, data)
		c.check(name, data, needle, ((None, None), (1, None),
		    (CHUNK - 1, size - 1), (CHUNK + 3, 3 * CHUNK + 5)))


def edges(c, rng):
	"""One needle alone within a chunk and a half of it, then bounds
	that put a chunk edge inside it: --start for a forward search,
	whose edges lie a chunk apart from the start, --end for -r, whose
	first read takes a chunk and len - 1 bytes before the end."""
	for n in (2, 8, 33, 300):
		needle = rng.randbytes(n)
		shifts = sorted({1, 2, n // 2, n - 2, n - 1} - {0})
		gap = 3 * CHUNK
		data = bytearray(rng.randbytes(gap * (len(shifts) + 2)))
		# Nothing else starts with its first byte.
		data = data.replace(needle[:1], bytes([needle[0] ^ 1]))
		at = [gap * (k + 1) for k in range(len(shifts))]
		for a in at:
			data[a:a + n] = needle
		data = bytes(data)
		name = c.obj("e%d" % n, data)
		for a, j in zip(at, shifts):
			c.check(name, data, needle, ((a + j - CHUNK, None),),
			    modes=((),))
			c.check(name, data, needle, ((None, a + j + CHUNK +
			    n - 1),), modes=(("-r",),))


def holes(c, rng):
	size = 64 * PAGE
	pages = [(16 * PAGE, rng.randbytes(PAGE)),
	    (17 * PAGE, rng.randbytes(PAGE)), (40 * PAGE, rng.randbytes(PAGE)),
	    (size - PAGE, rng.randbytes(PAGE))]
	# Needles whose zeros lie in the hole beside them.
	plants = [(16 * PAGE, b"left"), (18 * PAGE - 5, b"right"),
	    (40 * PAGE, b"mid"), (41 * PAGE - 3, b"dle"),
	    (size - 4, b"end!")]
	data = bytearray(size)
	for off, b in pages:
		data[off:off + len(b)] = b
	for off, b in plants:
		data[off:off + len(b)] = b
	name = c.obj("h", size=size, pages=[(o, bytes(data[o:o + PAGE]))
	    for o, _ in pages])
	data = bytes(data)
	for needle in (b"\0\0left", b"left", b"right\0\0", b"\0\0\0mid",
	    b"dle\0", b"\0end!", b"\0" * 8, b"\0x", b"absent"):
		c.check(name, data, needle, ((None, None), (PAGE + 1, None),
		    (16 * PAGE - 1, 40 * PAGE + 2)))
	blocks = os.stat("/dev/shm/" + name).st_blocks
	if blocks * 512 > len(pages) * PAGE:
		c.failures.append("holes: %d blocks allocated" % blocks)


class Pieces:
	"""A sparse object's bytes, as data pieces far apart and zeros
	between them, for a needle without zeros: its matches lie inside
	the pieces.  Enough of bytes' find, rfind for Check.expect."""

	def __init__(self, size, pieces):
		self.size = size
		self.pieces = pieces

	def __len__(self):
		return self.size

	def matches(self, needle, start, end):
		for off, b in self.pieces:
			i = b.find(needle)
			while i >= 0:
				at = off + i
				if start <= at and at + len(needle) <= end:
					yield at
				i = b.find(needle, i + 1)

	def find(self, needle, start, end):
		return min(self.matches(needle, start, end), default=-1)

	def rfind(self, needle, start, end):
		return max(self.matches(needle, start, end), default=-1)


def split(c, rng):
	size = 128 << 20
	mid = size // 2
	near = mid - 2 * PAGE
	needle = b"STRADDLE"
	for k in range(1, len(needle)):
		# Each of these is tried alone: it straddles the middle.
		page = bytearray(rng.randbytes(4 * PAGE))
		page[mid - near - k:mid - near - k + len(needle)] = needle
		pieces = [(near, bytes(page))]
		name = c.obj("s", size=size, pages=pieces)
		c.check(name, Pieces(size, pieces), needle, modes=((),))
	# One in each half, then one only in the second.
	pieces = [(0, bytes(1000) + needle), (size - PAGE, bytes(PAGE - 1000) +
	    needle + bytes(992))]
	name = c.obj("s", size=size, pages=pieces)
	c.check(name, Pieces(size, pieces), needle, ((None, None), (1001, None),
	    (1001, size - 993), (1000, size - 992)), modes=((),))


def verify(c, rng):
	needle = b"a" * 100 + b"b" + b"a" * 100
	data = bytearray(b"a" * (2 << 20))
	# Gaps of every length up to 300 after a match: wherever scan.c
	# hands over to memmem, in some call a match lies right there.
	at = 7
	for gap in range(301):
		data[at:at + len(needle)] = needle
		at += len(needle) + gap
	for off in (300000, (2 << 20) - len(needle)):
		data[off:off + len(needle)] = needle
	data = bytes(data)
	name = c.obj("v", data)
	c.check(name, data, needle, ((None, None), (8, None)))
	# Backwards from ends that put the one match at 300000 at each
	# distance from the top, wherever the hand-over falls.
	c.check(name, data, needle, [(None, 300000 + len(needle) + d)
	    for d in range(64)], modes=(("-r",),))


def main():
	shm, prefix, case = sys.argv[1:4]
	seed = int(sys.argv[4]) if len(sys.argv) > 4 else 21
	c = Check(shm, prefix, int(os.environ.get("SHM_TEST_SCALE", "1")) > 1)
	{"chunks": chunks, "edges": edges, "holes": holes, "split": split,
	    "verify": verify}[case](c, random.Random(seed))
	for f in c.failures[:20]:
		print(f)
	if c.failures:
		sys.exit(1)
	print("ok")


if __name__ == "__main__":
	main()
