#!/usr/bin/env python3
"""layout_check.py - shm's layouts against Python's struct.

usage: layout_check.py [--numpy] SHM NAME [COUNT [SEED]]

NAME is an existing segment of at least 1024 bytes that nobody else
uses.  For COUNT (default 300) random layouts, in every byte order, with
'@' alignment, padding, counts and unnamed items:

 - 'shm layout --c' must state the offset of every field and the size
   that struct.calcsize gives (the offset of item k is calcsize of the
   items up to k less the size of item k alone);
 - the segment is filled with random bytes and 'shm read --json' must
   give struct.unpack's values, grouped by field (bytes as latin-1);
 - some fields are written by name with other random values, as read
   --as prints them: the segment must then be what it was but for those
   fields, which hold struct.pack's bytes.

 - with --numpy, where this Python has numpy, the dtype 'shm layout
   --numpy' prints must have struct's itemsize and each named field
   its offset and its size.

Prints "ok N M" (N: layouts checked, M: those with names) and exits 0,
or the failures and 1.
"""
import json
import os
import random
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from struct_check import text  # noqa: E402

SEGMENT_SIZE = 1024
ORDERS = ['', '@', '=', '<', '>', '!']
STD_CODES = 'cbB?hHiIlLqQefds'
NATIVE_CODES = 'nNP'
WORDS = ['seq', 'len', 'name', 'price', 'a', 'b_2', '_x', 'Count', 'v']


class Checker:
    def __init__(self, shm, name, seed):
        self.shm = shm
        self.name = name
        self.path = '/dev/shm/' + name
        self.rng = random.Random(seed)
        self.failures = 0
        self.named = 0

    def run(self, *args):
        p = subprocess.run([self.shm] + list(args), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return p.returncode, p.stdout, p.stderr

    def fail(self, what, **detail):
        self.failures += 1
        if self.failures <= 20:
            print('FAIL %s: %s' % (what, ', '.join(
                '%s=%r' % kv for kv in detail.items())))

    def segment(self):
        with open(self.path, 'rb') as f:
            return f.read()

    def put(self, data):
        with open(self.path, 'r+b') as f:
            f.write(data)

    def random_layout(self):
        """(layout text, order, items) with items (name, count, code)."""
        order = self.rng.choice(ORDERS)
        codes = STD_CODES + ('x' * 2) + (NATIVE_CODES if order in '@'
                                         else '')
        items, used = [], set()
        for _ in range(self.rng.randint(1, 8)):
            code = self.rng.choice(codes)
            count = self.rng.choice([1, 1, 1, 2, 3, 5])
            spelled = '' if count == 1 and self.rng.random() < 0.7 \
                else str(count)
            name = None
            if code != 'x' and not (code == 'c' and count != 1) and \
                    self.rng.random() < 0.8:
                name = self.rng.choice(WORDS) + str(len(items))
                used.add(name)
            items.append((name, spelled, count, code))
        sep = self.rng.choice([' ', '  ', '\t', ' \n '])
        body = sep.join(('%s:' % n if n else '') + s + c
                        for n, s, _, c in items)
        return order + self.rng.choice(['', ' ']) + body, order, items

    def offsets(self, order, items):
        out = []
        for k in range(len(items)):
            prefix = order + ' '.join(s + c for _, s, _, c in items[:k + 1])
            alone = order + items[k][1] + items[k][3]
            out.append(struct.calcsize(prefix) - struct.calcsize(alone))
        return out

    def check_c(self, layout, order, items, offsets):
        rc, out, err = self.run('layout', layout, '--c')
        if rc != 0:
            self.fail('layout --c', layout=layout, err=err)
            return
        got = dict(re.findall(r'offsetof\(struct record, (\w+)\) == (\d+)',
                              out.decode()))
        size = re.search(r'#define RECORD_SIZE (\d+)', out.decode())
        fmt = order + ' '.join(s + c for _, s, _, c in items)
        want_size = struct.calcsize(fmt)
        if size is None or int(size.group(1)) != want_size:
            self.fail('layout --c size', layout=layout, want=want_size,
                      out=out)
        place = 0
        for (name, _, count, code), off in zip(items, offsets):
            if code == 'x':
                continue
            key = name or '_%d' % place
            place += 1
            if count > 0 and got.get(key) != str(off):
                self.fail('layout --c offset', layout=layout, field=key,
                          want=off, got=got.get(key))

    def grouped(self, fmt, items, data):
        flat = list(struct.unpack(fmt, data))
        out = []
        for name, _, count, code in items:
            n = 0 if code == 'x' else 1 if code in 'sp' else count
            vals, flat = flat[:n], flat[n:]
            if code == 'x':
                continue
            out.append((name, code, count, vals))
        return out

    def check_read(self, layout, order, items):
        fmt = order + ' '.join(s + c for _, s, _, c in items)
        data = bytes(self.rng.getrandbits(8)
                     for _ in range(struct.calcsize(fmt)))
        self.put(data)
        rc, out, err = self.run('read', self.name, '--as', layout, '--json')
        if rc != 0 or err:
            self.fail('read --json', layout=layout, rc=rc, err=err)
            return data
        try:
            got = json.loads(out)
        except ValueError:
            self.fail('read --json: not JSON', layout=layout, out=out)
            return data
        for name, code, count, vals in self.grouped(fmt, items, data):
            if name is None:
                continue
            want = [v.decode('latin-1') if isinstance(v, bytes) else v
                    for v in vals]
            value = got.get(name)
            if code in 'sp' or count == 1:
                value = [value]
            if not same(value, want):
                self.fail('read --json == struct.unpack', layout=layout,
                          field=name, want=want, got=value)
        return data

    def check_write(self, layout, order, items, offsets):
        fmt = order + ' '.join(s + c for _, s, _, c in items)
        size = struct.calcsize(fmt)
        other = bytes(self.rng.getrandbits(8) for _ in range(size))
        fields = [(k, g) for k, g in enumerate(self.grouped_with_index(
            fmt, items, other)) if g[0] is not None]
        if not fields:
            return
        chosen = self.rng.sample(fields, self.rng.randint(1, len(fields)))
        before = self.segment()
        args = []
        want = bytearray(before)
        for _, (name, code, count, vals, k) in chosen:
            args.append('%s=%s' % (name, ' '.join(text(v) for v in vals)))
            alone = order + items[k][1] + code
            packed = struct.pack(alone, *[nan_canon(v) for v in vals])
            want[offsets[k]:offsets[k] + len(packed)] = packed
        rc, out, err = self.run('write', self.name, '--as', layout, '--',
                                *args)
        got = self.segment()
        if (rc, out, err) != (0, b'', b'') or got != bytes(want):
            self.fail('write by name', layout=layout, args=args, rc=rc,
                      err=err, want=bytes(want[:size]).hex(),
                      got=got[:size].hex())

    def grouped_with_index(self, fmt, items, data):
        flat = list(struct.unpack(fmt, data))
        out = []
        for k, (name, _, count, code) in enumerate(items):
            n = 0 if code == 'x' else 1 if code in 'sp' else count
            vals, flat = flat[:n], flat[n:]
            if code != 'x':
                out.append((name, code, count, vals, k))
        return out

    def check_numpy(self, layout, order, items, offsets):
        import numpy
        rc, out, err = self.run('layout', layout, '--numpy')
        if rc != 0:
            self.fail('layout --numpy', layout=layout, err=err)
            return
        scope = {}
        exec(out.decode(), scope)
        dtype = scope['record']
        fmt = order + ' '.join(s + c for _, s, _, c in items)
        if dtype.itemsize != struct.calcsize(fmt):
            self.fail('layout --numpy itemsize', layout=layout,
                      want=struct.calcsize(fmt), got=dtype.itemsize)
        for (name, spelled, count, code), off in zip(items, offsets):
            size = struct.calcsize(order + spelled + code)
            if name is None or size == 0:
                continue
            got = dtype.fields.get(name)
            if got is None or got[1] != off or got[0].itemsize != size:
                self.fail('layout --numpy field', layout=layout, field=name,
                          want=(off, size), got=got and (got[1],
                                                         got[0].itemsize))
        assert isinstance(dtype, numpy.dtype)

    def main(self, count, numpy=False):
        for _ in range(count):
            layout, order, items = self.random_layout()
            offsets = self.offsets(order, items)
            named = any(name for name, _, _, _ in items)
            self.named += named
            if numpy:
                self.check_numpy(layout, order, items, offsets)
                continue
            self.check_c(layout, order, items, offsets)
            if named:
                self.check_read(layout, order, items)
                self.check_write(layout, order, items, offsets)
        if self.failures:
            return 1
        print('ok %d %d' % (count, self.named))
        return 0


def nan_canon(v):
    return float('nan') if isinstance(v, float) and v != v else v


def same(a, b):
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if isinstance(y, float) and y != y:
            if not (isinstance(x, float) and x != x):
                return False
        elif x != y or type(x) is not type(y) and not (
                isinstance(y, float) and isinstance(x, int)):
            return False
    return True


if __name__ == '__main__':
    numpy = sys.argv[1:2] == ['--numpy']
    args = sys.argv[1 + numpy:]
    count = int(args[2]) if len(args) > 2 else 300
    seed = int(args[3]) if len(args) > 3 else 23
    sys.exit(Checker(args[0], args[1], seed).main(count, numpy))
