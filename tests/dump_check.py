#!/usr/bin/env python3
"""dump_check.py - shm dump against hexdump -C, xxd -a and xxd.

usage: dump_check.py SHM PREFIX CASE [SEED]

Makes objects named PREFIX... in /dev/shm (the caller removes them) of
lines built to squeeze: runs of 1 to 5 zero lines, of a line repeated,
of lines that differ, with data and holes.  shm dump cuts a dump in
chunks that its two threads format in turn, each resuming where the
chunk before ended (hexdump_resume): every way of dumping, squeezed or
not, both layouts, must print what the tools do, byte for byte.  CASE:

  lines   small chunks (SHM_DUMP_CHUNK: 1, 3 and 5 lines), so a run
          meets a chunk edge everywhere: at its start, middle and end,
          and right after; also on one thread (SHM_DUMP_THREADS=1).
  holes   a sparse object with holes of 1 to 300 pages between data
          pages of runs, in small chunks: hole chunks are the shared zeros,
          up to 1 MiB, which a squeezed run takes without a look; -v
          fills the buffer mid-chunk.
  edges   the usual 128 KiB chunks: an object of 16 of them and a few
          bytes more or less, runs ending just before, at and after each
          edge, a hole of more than 1 MiB, and ranges that start
          mid-line.

Prints "ok" and exits 0, or prints each failure (with the seed, to run
again) and exits 1.
"""
import os
import random
import subprocess
import sys

LINE = 16
PAGE = 4096
CHUNK = 128 * 1024


class Check:
	def __init__(self, shm, prefix, rng):
		self.shm = shm
		self.prefix = prefix
		self.rng = rng
		self.pattern = rng.randbytes(LINE)
		self.failures = []

	def line(self, kind):
		if kind == "zero":
			return bytes(LINE)
		if kind == "pattern":
			return self.pattern
		if kind == "random":
			return self.rng.randbytes(LINE)
		b = bytearray(LINE)	# all but one byte zero
		b[self.rng.randrange(LINE)] = self.rng.randrange(1, 256)
		return bytes(b)

	def run(self, n):
		"""A run of n lines: equal ones, but for random."""
		kind = self.rng.choice(("zero", "zero", "pattern", "random",
		    "near"))
		if kind == "random":
			return b"".join(self.line(kind) for _ in range(n))
		return self.line(kind) * n

	def runs(self, size):
		out = bytearray()
		while len(out) < size:
			out += self.run(self.rng.randint(1, 5))
		return bytes(out[:size])

	def obj(self, name, size, pages):
		"""size bytes with data at pages (offset -> bytes), holes
		elsewhere."""
		path = "/dev/shm/" + self.prefix + name
		with open(path, "wb") as f:
			f.truncate(size)
			for off, b in pages:
				f.seek(off)
				f.write(b)
		return path

	def output(self, argv, env=None):
		"""Status, stdout, stderr; a file is faster than a pipe."""
		with open("out", "w+b") as out:
			p = subprocess.run(argv, env=env, stdout=out,
			    stderr=subprocess.PIPE)
			out.seek(0)
			return p.returncode, out.read(), p.stderr

	def check(self, path, start=None, length=None, chunks=(None,),
	    one_thread=(), slow=True):
		"""Each layout, squeezed and not, against its tool; hexdump -C
		-v is slow (0.1 s a MiB), and shows no squeezing: not slow,
		not it."""
		name = os.path.basename(path)
		rng, hd, xxd = [], ["hexdump", "-C"], ["xxd"]
		if start is not None:
			rng += ["-o", str(start)]
			hd += ["-s", str(start)]
			xxd += ["-s", str(start)]
		if length is not None:
			rng += ["-n", str(length)]
			hd += ["-n", str(length)]
			xxd += ["-l", str(length)]
		cases = (
			(hd + [path], []),
			(hd[:2] + ["-v"] + hd[2:] + [path], ["-v"]),
			(xxd[:1] + ["-a"] + xxd[1:] + [path], ["--format",
			    "xxd"]),
			(xxd + [path], ["--format", "xxd", "-v"]),
		)
		for ref, opts in cases:
			if opts == ["-v"] and not slow:
				continue
			status, want, _ = self.output(ref)
			assert status == 0, ref
			runs = [(c, None) for c in chunks]
			runs += [(c, "1") for c in one_thread]
			for chunk, threads in runs:
				self.compare(want, ref, [self.shm, "dump"] +
				    opts + rng + [name], chunk, threads)

	def compare(self, want, ref, argv, chunk, threads):
		env = dict(os.environ)
		if chunk is not None:
			env["SHM_DUMP_CHUNK"] = str(chunk)
		if threads is not None:
			env["SHM_DUMP_THREADS"] = threads
		status, out, err = self.output(argv, env)
		if status == 0 and out == want and err == b"":
			return
		got = out.decode().splitlines()
		exp = want.decode().splitlines()
		i = next((i for i, (a, b) in enumerate(zip(got, exp))
		    if a != b), min(len(got), len(exp)))
		self.failures.append("SHM_DUMP_CHUNK=%s SHM_DUMP_THREADS=%s "
		    "%s (status %d, %r) vs %s: line %d: got %r, want %r" % (
		    chunk, threads, " ".join(argv[1:]), status, err[:200], " ".join(ref[:-1]), i + 1,
		    got[i:i + 3], exp[i:i + 3]))


def lines(c):
	size = 700 * LINE + c.rng.randrange(LINE)
	path = c.obj("l", size, [(0, c.runs(size))])
	c.check(path, chunks=(LINE, 3 * LINE, 5 * LINE),
	    one_thread=(3 * LINE,))
	c.check(path, start=7, length=size - 7 - 20, chunks=(3 * LINE,
	    5 * LINE))


def holes(c):
	pages, off = [], 0
	for hole in (1, 300, 2, 3, 40, 1):	# in pages
		n = c.rng.randint(1, 3)
		pages.append((off, c.runs(n * PAGE)))
		off += (n + hole) * PAGE
	size = off + c.rng.randrange(PAGE)
	path = c.obj("h", size, pages)
	c.check(path, chunks=(3 * LINE, 4096), slow=False)
	c.check(path, start=PAGE - 5, length=size - PAGE,
	    chunks=(5 * LINE,), slow=False)


def edges(c):
	size = 16 * CHUNK + c.rng.randint(-5, 5)
	pages = []
	for k in range(1, 4):
		# A page of runs each side of the edge, and one more run of
		# 1 to 5 lines ending 1 line before to 2 lines after it.
		around = bytearray(c.runs(2 * PAGE))
		n = c.rng.randint(1, 5)
		end = PAGE + LINE * c.rng.randint(-1, 2)
		around[end - n * LINE:end] = c.run(n)
		pages.append((k * CHUNK - PAGE, bytes(around)))
	# Then a hole of more than the shared zeros (1 MiB), and the end.
	pages.append((size - PAGE, c.runs(PAGE)))
	path = c.obj("e", size, pages)
	c.check(path, slow=False)
	c.check(path, start=5, length=size - 5 - c.rng.randrange(3),
	    slow=False)


def main():
	shm, prefix, case = sys.argv[1:4]
	seed = int(sys.argv[4]) if len(sys.argv) > 4 else \
	    random.randrange(1 << 32)
	c = Check(shm, prefix, random.Random(seed))
	{"lines": lines, "holes": holes, "edges": edges}[case](c)
	for f in c.failures[:10]:
		print("seed %d: %s" % (seed, f))
	if c.failures:
		sys.exit(1)
	print("ok")


if __name__ == "__main__":
	main()
