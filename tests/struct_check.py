#!/usr/bin/env python3
"""struct_check.py - shm read --as and write --as against Python's struct.

usage: struct_check.py SHM NAME [SEED]

NAME is an existing segment of at least 1024 bytes that nobody else
uses.  For a table of formats (every code in every byte-order mode,
counts, alignment, padding), random and special bytes are put into the
segment and unpacked with 'shm read NAME -o OFF --as FORMAT', which must
print what struct.unpack gives, one value a line, in the rules below;
those lines are packed back with 'shm write --as' and must give
struct.pack's bytes.  Random values, some out of range, are packed too:
the segment must then hold struct.pack's bytes, or be unchanged after
exit 2 and the one-line message Python's error calls for.

The rules (shm-read(1)): ints in decimal, floats as repr(), '?' as
True/False, bytes with \\0 \\n \\t \\r \\\\ \\xNN escapes (a NUL before a
digit as \\x00).  Deviations from Python: every NaN prints 'nan' and
packs back as the quiet NaN struct.pack(float('nan')) gives; native 'f'
overflow is an error, as '<f' overflow is.  Formats with '0p' are left
out: Python 3.11 cannot unpack them and its '0p' writes into the next
field.

Prints "ok" and exits 0, or prints each failure and exits 1.  The runs
of shm are bounded (about 530; 700 with SHM_TEST_SCALE at 2 or more, as
make test-deep sets it) so this takes a few seconds.
"""
import os
import random
import struct
import subprocess
import sys

SEGMENT_SIZE = 1024
MODES = ['', '@', '=', '<', '>', '!']
STD_CODES = 'xcbB?hHiIlLqQefdsp'
NATIVE_CODES = 'nNP'
INT_CODES = 'bBhHiIlLqQnNP'


class Checker:
    def __init__(self, shm, name, seed):
        self.shm = shm
        self.name = name
        self.path = '/dev/shm/' + name
        self.rng = random.Random(seed)
        self.failures = []
        self.runs = 0
        self.deep = int(os.environ.get('SHM_TEST_SCALE', '1')) > 1

    # ---- the segment and the binary ------------------------------------

    def segment(self):
        with open(self.path, 'rb') as f:
            return f.read()

    def put(self, off, data):
        with open(self.path, 'r+b') as f:
            f.seek(off)
            f.write(data)

    def run(self, *args):
        self.runs += 1
        p = subprocess.run([self.shm] + list(args), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return p.returncode, p.stdout, p.stderr

    def fail(self, what, **detail):
        self.failures.append(what)
        if len(self.failures) <= 20:
            print('FAIL %s: %s' % (what, ', '.join(
                '%s=%r' % kv for kv in detail.items())))

    def offset(self, size):
        """A random place for SIZE bytes, spelled from the end sometimes."""
        off = self.rng.randint(0, SEGMENT_SIZE - max(size, 1))
        spelled = str(off)
        if self.rng.random() < 0.25:
            spelled = str(off - SEGMENT_SIZE)
        return off, spelled

    # ---- unpack, then pack what was printed -----------------------------

    def check_unpack(self, fmt, data, via_hex=False):
        size = len(data)
        off, spelled = self.offset(size)
        if via_hex:
            before = self.segment()
            rc, out, err = self.run('write', self.name, '-o', spelled,
                                    '-x', data.hex())
            want = before[:off] + data + before[off + size:]
            if (rc, out, err) != (0, b'', b'') or self.segment() != want:
                self.fail('write -x', fmt=fmt, rc=rc, err=err)
        else:
            self.put(off, data)
        values = struct.unpack(fmt, data)
        want = ''.join(text(v) + '\n' for v in values).encode('ascii')
        rc, out, err = self.run('read', self.name, '-o', spelled,
                                '--as', fmt)
        if (rc, out, err) != (0, want, b''):
            self.fail('read --as == struct.unpack', fmt=fmt,
                      data=data.hex(), want=want, rc=rc, out=out, err=err)
            return
        lines = out.decode('ascii').split('\n')[:-1]
        self.put(off, bytes(size))
        before = self.segment()
        rc, out, err = self.run('write', self.name, '-o', spelled,
                                '--as', fmt, *values_args(lines))
        packed = struct.pack(fmt, *canon(values))
        got = self.segment()
        if (rc, out, err) != (0, b'', b'') or \
                got != before[:off] + packed + before[off + size:]:
            self.fail('write --as (read --as) == struct.pack', fmt=fmt,
                      values=lines, want=packed.hex(),
                      got=got[off:off + size].hex(), rc=rc, err=err)

    # ---- pack random values ---------------------------------------------

    def check_pack(self, fmt):
        native = is_native(fmt)
        values, texts = [], []
        for code, count in runs(fmt):
            for _ in range(0 if code == 'x' else 1 if code in 'sp'
                           else count):
                v, t = self.random_value(code, native)
                values.append(v)
                texts.append(t)
        size = struct.calcsize(fmt)
        off, spelled = self.offset(size)
        before = self.segment()
        rc, out, err = self.run('write', self.name, '-o', spelled,
                                '--as', fmt, *values_args(texts))
        got = self.segment()
        reason = pack_error(fmt, values, texts)
        if reason is None:
            want = before[:off] + struct.pack(fmt, *values) + \
                before[off + size:]
            ok = (rc, out, err) == (0, b'', b'') and got == want
        else:
            want = ('shm: write: %s: %s\n' % (self.name, reason)).encode(
                'latin-1')
            ok = (rc, out, err) == (2, b'', want) and got == before
        if not ok:
            self.fail('write --as == struct.pack', fmt=fmt, texts=texts,
                      want=want if reason else want[off:off + size].hex(),
                      rc=rc, err=err, got=got[off:off + size].hex())

    def random_value(self, code, native):
        """(Python value, its text) with a value out of range at times."""
        rng = self.rng
        if code in INT_CODES:
            lo, hi = int_range(code, native)
            v = rng.choice([rng.randint(lo, hi), lo, hi, 0, -1 if lo else 1,
                            rng.randint(lo, hi), rng.randint(lo, hi),
                            rng.choice([lo - 1, hi + 1, hi + 2 ** 64,
                                        lo - 2 ** 64])])
            return v, spell_int(rng, v)
        if code == '?':
            v = rng.choice([True, False, 0, 1, -5, 2 ** 40, 255])
            if isinstance(v, bool):
                return v, rng.choice([text(v), text(v).lower()])
            return v, str(v)
        if code in 'efd':
            v = random_double(rng, code)
            return (v if v == v else float('nan')), repr(v)
        b = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 12)))
        if code == 'c':
            b = b[:1] if b and rng.random() < 0.9 else b
        return b, spell_bytes(rng, b)

    # ---- formats Python refuses ------------------------------------------

    def check_bad_format(self, fmt, turn):
        try:
            struct.Struct(fmt)
            return
        except struct.error as e:
            reason = str(e)
        before = self.segment()
        cmds = (('read', []), ('write', ['1']))
        if not self.deep:
            cmds = cmds[turn % 2:turn % 2 + 1]
        for cmd, extra in cmds:
            rc, out, err = self.run(cmd, self.name, '-o', '0', '--as', fmt,
                                    *extra)
            want = ("shm: %s: format '%s': %s\n" % (cmd, fmt, reason)
                    ).encode('latin-1')
            if (rc, out, err) != (2, b'', want) or self.segment() != before:
                self.fail('bad format', cmd=cmd, fmt=fmt, want=want, rc=rc,
                          out=out, err=err)

    # ---- the whole table ---------------------------------------------------

    def main(self):
        self.put(0, bytes(self.rng.getrandbits(8)
                          for _ in range(SEGMENT_SIZE)))
        for i, fmt in enumerate(NAMED_FORMATS):
            # Through write -x and random bytes, or special values, in
            # turn; both each time at SHM_TEST_SCALE 2 and more.
            if self.deep or i % 2 == 0:
                self.check_unpack(fmt, self.random_bytes(fmt),
                                  via_hex=True)
            if self.deep or i % 2 == 1:
                self.check_unpack(fmt, special_struct(self.rng, fmt))
            self.check_pack(fmt)
        for mode in MODES:
            native = mode in ('', '@')
            for code in STD_CODES + (NATIVE_CODES if native else ''):
                # Three of the code after a 'b', to align: special
                # values with random bits in the middle one.  Each run
                # of shm costs a process, so one format does for what
                # '3C' and 'bC' did apart.
                fmt = mode + 'b3' + code
                self.check_unpack(fmt, mixed_struct(self.rng, fmt))
                self.check_pack(fmt)
        for i, fmt in enumerate(BAD_FORMATS):
            self.check_bad_format(fmt, i)
        # -o everywhere: the cursor never moved.
        rc, out, err = self.run('seek', self.name)
        if (rc, out, err) != (0, b'0\n', b''):
            self.fail('cursor kept', rc=rc, out=out, err=err)
        if self.failures:
            print('%d failures in %d runs of shm' % (len(self.failures),
                                                    self.runs))
            return 1
        print('ok')
        return 0

    def random_bytes(self, fmt):
        return bytes(self.rng.getrandbits(8)
                     for _ in range(struct.calcsize(fmt)))


# ---- formats ----------------------------------------------------------------

NAMED_FORMATS = [
    '<hq', '>d', '!I', '=e', '@bq', '@P', '3I', '4s', '10p', 'xxh',
    '@bxl0l', '<?', '>Q', '@n', '@N', '<f', '>e', '10B', '2c',
    '@ci', '@b0l', '@bl0b', '@5b0q', 'b 0s h', '\ti\n', '@ 4s', '< i',
    '<i ', '', '<', '0s', '@bP', '@?e?f?d', '@hcH0i', '@3xq', '>10s2x3h',
    '<2c2?', '@i0s', '@sP', '3s3p3c', 'bb0sq', '256p', '300p', '1p', '2p',
    '=bq', '!bq', '@xd', '<4d', '@b3e',
]

BAD_FORMATS = [
    '4', '4 s', ' <i', '4 ', '<n', '<N', '<P', '=P', '!n', '>N', '=n',
    '!P', 'y', 'i?z', '@@', '<>', 'Z', '<Z', '3', '1 2i', '-1i', '+i',
    '9223372036854775808x', '99999999999999999999999B',
    '4611686018427387904h',
]


def runs(fmt):
    """(code, count) runs of a format, its prefix and spaces dropped."""
    body = fmt[1:] if fmt[:1] in ('@', '=', '<', '>', '!') else fmt
    out, num = [], ''
    for ch in body:
        if ch.isdigit():
            num += ch
        elif not ch.isspace():
            out.append((ch, int(num) if num else 1))
            num = ''
    return out


def values_args(texts):
    """The values as arguments: after '--' if one could pass for an option
    ("-abc" as a string; "-2" is a value anyway, as the bats tests show)."""
    if any(t[:1] in ('-', b'-') for t in texts):
        return ['--'] + list(texts)
    return list(texts)


def is_native(fmt):
    return fmt[:1] not in ('=', '<', '>', '!')


# ---- values as shm prints them ---------------------------------------------

def esc_byte(c, nxt):
    if 0x20 <= c <= 0x7e and c != 0x5c:
        return chr(c)
    named = {0x5c: '\\\\', 10: '\\n', 9: '\\t', 13: '\\r'}
    if c in named:
        return named[c]
    if c == 0 and not (nxt is not None and 0x30 <= nxt <= 0x39):
        return '\\0'
    return '\\x%02x' % c


def esc(b):
    return ''.join(esc_byte(c, b[i + 1] if i + 1 < len(b) else None)
                   for i, c in enumerate(b))


def text(v):
    if isinstance(v, bool):
        return 'True' if v else 'False'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    return esc(v)


def canon(values):
    """What struct.pack is given once the values went through text()."""
    return [float('nan') if isinstance(v, float) and v != v else v
            for v in values]


# ---- special and random values ---------------------------------------------

SPECIAL_D = [0.0, -0.0, float('inf'), float('-inf'), float('nan'), 5e-324,
             -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.1,
             1e16, 1e-5, 1e-4, 9999999999999998.0, 1e22, 1e15, 1e17, 0.5,
             1 / 3, 2.0 ** 60, 9007199254740993.0, -1.5]
SPECIAL_F = [3.4028234663852886e+38, 1.401298464324817e-45,
             1.1754943508222875e-38, 0.10000000149011612, 16777216.0]
SPECIAL_E = [65504.0, 6.103515625e-05, 5.960464477539063e-08,
             0.333251953125, -65504.0]
SPECIAL_BYTES = b'\x00\n\t\r\\\xff\x80\x7f "\'019ax-'


def int_range(code, native):
    size = struct.calcsize(('@' if native else '<') + code)
    if code in 'bhilqn':
        return -(1 << (8 * size - 1)), (1 << (8 * size - 1)) - 1
    if code == 'P':
        return -(1 << (8 * size - 1)), (1 << (8 * size)) - 1
    return 0, (1 << (8 * size)) - 1


def special_value(rng, code, native):
    if code in INT_CODES:
        lo, hi = int_range(code, native)
        return rng.choice([0, 1, lo, hi, lo + 1, hi - 1, -1 if lo else 2])
    if code == '?':
        return rng.choice([True, False])
    pool = SPECIAL_D + (SPECIAL_F if code in 'fe' else []) + \
        (SPECIAL_E if code == 'e' else [])
    limit = {'e': 65504.0, 'f': 3.4028234663852886e38}.get(code)
    if limit:
        pool = [x for x in pool if x != x or abs(x) <= limit]
    return rng.choice(pool)


def special_bytes(rng, n):
    return bytes(rng.choice(SPECIAL_BYTES) for _ in range(n))


def special_struct(rng, fmt):
    native = is_native(fmt)
    values = []
    for code, count in runs(fmt):
        if code in 'sp':
            values.append(special_bytes(rng, rng.randint(0, count + 2)))
        elif code == 'c':
            values += [special_bytes(rng, 1) for _ in range(count)]
        elif code != 'x':
            values += [special_value(rng, code, native)
                       for _ in range(count)]
    return struct.pack(fmt, *values)


def mixed_struct(rng, fmt):
    """special_struct of MODE + 'b3' + CODE with the middle CODE's bytes
    random: random bit patterns and special values in one format."""
    data = special_struct(rng, fmt)
    mode, code = fmt[:-3], fmt[-1]
    if code in 'spx':
        return data
    at = struct.calcsize(mode + 'b' + code)
    size = struct.calcsize(mode + code)
    at += size              # the second of the three, aligned as the first
    return data[:at] + bytes(rng.getrandbits(8) for _ in range(size)) + \
        data[at + size:]


def random_double(rng, code):
    k = rng.randrange(4)
    if k == 0:
        return struct.unpack('<d', rng.getrandbits(64).to_bytes(8,
                                                               'little'))[0]
    if k == 1:
        return rng.uniform(-70000, 70000)
    if k == 2:
        return rng.choice(SPECIAL_D + SPECIAL_F + SPECIAL_E)
    # a value in range, bits random, so 'e' and 'f' round nothing
    size = {'e': 2, 'f': 4, 'd': 8}[code]
    raw = rng.getrandbits(8 * size).to_bytes(size, 'little')
    return struct.unpack('<' + code, raw)[0]


def spell_int(rng, v):
    if rng.random() < 0.3:
        return ('-' if v < 0 else rng.choice(('', '+'))) + \
            rng.choice(('0x%x', '0X%X')) % abs(v)
    return ('+' if v >= 0 and rng.random() < 0.1 else '') + str(v)


def spell_bytes(rng, b):
    """Other spellings write --as takes: upper-case hex, raw high bytes."""
    out = []
    for c in b:
        r = rng.random()
        if c and r < 0.2:
            out.append(chr(c) if c != 0x5c else '\\\\')
        elif r < 0.4:
            out.append('\\x%02X' % c)
        else:
            out.append(esc(bytes([c])) if c else '\\x00')
    return ''.join(out).encode('latin-1')


# ---- the message a bad value gets ------------------------------------------

def quote(typed):
    """The value as shm's message shows it: 40 bytes, escaped, then ..."""
    out = []
    for i, c in enumerate(typed[:40]):
        if c == 0x5c:
            out.append('\\')
        else:
            out.append(esc_byte(c, typed[i + 1] if i + 1 < len(typed)
                                else None))
    return ''.join(out) + ('...' if len(typed) > 40 else '')


def pack_error(fmt, values, texts):
    """None, or shm's reason for refusing the first bad value."""
    native = is_native(fmt)
    codes = [code for code, count in runs(fmt)
             for _ in range(0 if code == 'x' else 1 if code in 'sp'
                            else count)]
    for i, (code, v) in enumerate(zip(codes, values)):
        reason = None
        if code in INT_CODES:
            lo, hi = int_range(code, native)
            if abs(v) >= 1 << 64:       # beyond what shm's parser takes
                reason = 'number too large'
            elif not lo <= v <= hi:
                reason = "argument out of range for '%s' (%d..%d)" % (
                    code, lo, hi)
        elif code == 'c' and len(v) != 1:
            reason = "'c' takes exactly one byte"
        elif code in 'ef':
            try:        # native 'f' overflow is an error, as '<f''s is
                struct.pack('<' + code, v)
            except OverflowError:
                reason = 'float too large to pack with %s format' % code
        if reason is not None:
            t = texts[i] if isinstance(texts[i], bytes) else \
                texts[i].encode('latin-1')
            return "value %d ('%s'): %s" % (i + 1, quote(t), reason)
    try:
        struct.pack(fmt, *values)
    except (struct.error, OverflowError) as e:
        return 'struct.pack refused what shm should take: %s' % e
    return None


if __name__ == '__main__':
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.split('\n\n')[1])
    seed = int(sys.argv[3]) if len(sys.argv) == 4 else 20240611
    sys.exit(Checker(sys.argv[1], sys.argv[2], seed).main())
