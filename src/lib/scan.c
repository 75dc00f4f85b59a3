/*
 * scan.c - find a needle in memory, with SIMD where the CPU has it.
 *
 * The fast searchers (Rust's memchr, ripgrep) do not run a string
 * algorithm over every byte: they compare 16 or 32 positions at once
 * against the needle's first byte and, len - 1 bytes on, its last one,
 * and verify only where both agree.  On random bytes that is one
 * position in 65,536, so the scan goes at the speed of loads: on the
 * AMD EPYC this was measured on, searching 512 MiB read in chunks took
 * 15 ms of CPU beyond the reads with AVX2 and 45 ms with glibc's
 * memmem (two-way with a skip table).  Backwards, the same from the
 * end of the buffer.
 *
 * Where the first and last bytes are common (a needle of one letter
 * repeated in text of it), verifying could cost len bytes at each
 * position.  Each candidate is charged what it compared, plus a fixed
 * cost; once the charges pass the positions scanned, the rest of the
 * buffer goes to memmem, which is linear (two-way, in glibc and musl),
 * or backwards, back to the caller's own linear search.
 *
 * The SIMD methods are x86-64's, chosen at run time: AVX2 where
 * __builtin_cpu_supports says so, else SSE2 (every x86-64 has it).
 * Elsewhere, and with SHM_FIND_METHOD=memmem (a testing aid, see
 * shm-find(1)), memmem does it all.
 */
#define _GNU_SOURCE		/* memmem */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scan.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SCAN_X86	1
#include <immintrin.h>
#else
#define SCAN_X86	0
#endif

/* What a candidate costs beyond the bytes it compares: a branch missed. */
#define CALL_COST	16

static const unsigned char *
find_memmem(const struct scan *sc, const unsigned char *hay, size_t n)
{
	if (sc->len == 1)
		return memchr(hay, sc->needle[0], n);
	return memmem(hay, n, sc->needle, sc->len);
}

/*
 * Whether the needle lies at p (its first and last bytes already do),
 * charging *spent what that cost.
 */
static bool
verify(const struct scan *sc, const unsigned char *p, size_t *spent)
{
	size_t i = 1;

	while (i + 1 < sc->len && p[i] == sc->needle[i])
		i++;
	*spent += i + CALL_COST;
	return i + 1 >= sc->len;
}

/*
 * The candidates of one block (bit k of mask is position at + k): the
 * first that matches; or NULL, with *rest set to where memmem must go
 * on if verifying has cost more than scanning.
 */
static const unsigned char *
check_mask(const struct scan *sc, const unsigned char *hay,
    const unsigned char *at, unsigned mask, size_t *spent,
    const unsigned char **rest)
{
	const unsigned char *p;

	for (; mask != 0; mask &= mask - 1) {
		p = at + __builtin_ctz(mask);
		if (*spent > (size_t)(p - hay) + 4096) {
			*rest = p;
			return NULL;
		}
		if (verify(sc, p, spent))
			return p;
	}
	return NULL;
}

/*
 * memmem from p on: the positions the vector loop left (fewer than a
 * vector's worth), or all of them once verifying cost too much.
 */
static const unsigned char *
finish(const struct scan *sc, const unsigned char *hay, size_t n,
    const unsigned char *p)
{
	return find_memmem(sc, p, n - (size_t)(p - hay));
}

/* Backwards without vectors: every position is the caller's. */
static const unsigned char *
find_last_none(const struct scan *sc, const unsigned char *hay, size_t n,
    size_t *left)
{
	(void)hay;
	*left = n < sc->len ? 0 : n - sc->len + 1;
	return NULL;
}

/*
 * Backwards, the candidates of one block, from its last: the last that
 * matches; or NULL, with *left set to the positions from 0 to that
 * candidate if verifying has cost more than scanning the `starts`
 * positions a match may start at, from the top.
 */
static const unsigned char *
check_mask_last(const struct scan *sc, const unsigned char *hay,
    size_t starts, const unsigned char *at, unsigned mask, size_t *spent,
    size_t *left)
{
	const unsigned char *p;
	unsigned k;

	while (mask != 0) {
		k = 31 - (unsigned)__builtin_clz(mask);
		p = at + k;
		if (*spent > starts - (size_t)(p - hay) + 4096) {
			*left = (size_t)(p - hay) + 1;
			return NULL;
		}
		if (verify(sc, p, spent))
			return p;
		mask &= ~(1U << k);
	}
	return NULL;
}

#if SCAN_X86
/*
 * The vector loops are functions of their own so that their
 * instructions stay behind the CPU's check.
 */

/* Which of the 32 positions at p have the first and last bytes. */
__attribute__((target("avx2"))) static inline __m256i
both_ends_avx2(const unsigned char *p, size_t len, __m256i first,
    __m256i last)
{
	return _mm256_and_si256(
	    _mm256_cmpeq_epi8(_mm256_loadu_si256((const void *)p), first),
	    _mm256_cmpeq_epi8(_mm256_loadu_si256((const void *)(p + len - 1)),
	    last));
}

/* 64 positions a round: one test for both halves took 5 % off find. */
__attribute__((target("avx2"))) static const unsigned char *
find_avx2(const struct scan *sc, const unsigned char *hay, size_t n)
{
	const __m256i first = _mm256_set1_epi8((char)sc->needle[0]);
	const __m256i last = _mm256_set1_epi8((char)sc->needle[sc->len - 1]);
	const unsigned char *p, *found, *rest = NULL;
	size_t i, starts, spent = 0;
	__m256i lo, hi, any;

	if (sc->len == 1 || n < sc->len)
		return find_memmem(sc, hay, n);
	starts = n - sc->len + 1;	/* positions a match may start at */
	for (i = 0; i + 64 <= starts; i += 64) {
		p = hay + i;
		lo = both_ends_avx2(p, sc->len, first, last);
		hi = both_ends_avx2(p + 32, sc->len, first, last);
		any = _mm256_or_si256(lo, hi);
		if (_mm256_testz_si256(any, any))
			continue;
		found = check_mask(sc, hay, p,
		    (unsigned)_mm256_movemask_epi8(lo), &spent, &rest);
		if (found == NULL && rest == NULL)
			found = check_mask(sc, hay, p + 32,
			    (unsigned)_mm256_movemask_epi8(hi), &spent, &rest);
		if (found != NULL)
			return found;
		if (rest != NULL)
			break;
	}
	return finish(sc, hay, n, rest != NULL ? rest : hay + i);
}

__attribute__((target("avx2"))) static const unsigned char *
find_last_avx2(const struct scan *sc, const unsigned char *hay, size_t n,
    size_t *left)
{
	const __m256i first = _mm256_set1_epi8((char)sc->needle[0]);
	const __m256i last = _mm256_set1_epi8((char)sc->needle[sc->len - 1]);
	const unsigned char *found;
	size_t i, starts, spent = 0;

	*left = 0;
	if (sc->len == 1 || n < sc->len)
		return find_last_none(sc, hay, n, left);
	starts = n - sc->len + 1;
	for (i = starts; i >= 32; ) {
		i -= 32;
		found = check_mask_last(sc, hay, starts, hay + i,
		    (unsigned)_mm256_movemask_epi8(both_ends_avx2(hay + i,
		    sc->len, first, last)), &spent, left);
		if (found != NULL || *left != 0)
			return found;
	}
	*left = i;		/* fewer than 32 */
	return NULL;
}

/* Which of the 16 positions at p have the first and last bytes. */
__attribute__((target("sse2"))) static inline __m128i
both_ends_sse2(const unsigned char *p, size_t len, __m128i first,
    __m128i last)
{
	return _mm_and_si128(
	    _mm_cmpeq_epi8(_mm_loadu_si128((const void *)p), first),
	    _mm_cmpeq_epi8(_mm_loadu_si128((const void *)(p + len - 1)),
	    last));
}

__attribute__((target("sse2"))) static const unsigned char *
find_sse2(const struct scan *sc, const unsigned char *hay, size_t n)
{
	const __m128i first = _mm_set1_epi8((char)sc->needle[0]);
	const __m128i last = _mm_set1_epi8((char)sc->needle[sc->len - 1]);
	const unsigned char *p, *found, *rest = NULL;
	size_t i, starts, spent = 0;
	unsigned mask;

	if (sc->len == 1 || n < sc->len)
		return find_memmem(sc, hay, n);
	starts = n - sc->len + 1;
	for (i = 0; i + 16 <= starts; i += 16) {
		p = hay + i;
		mask = (unsigned)_mm_movemask_epi8(both_ends_sse2(p, sc->len,
		    first, last));
		if (mask == 0)
			continue;
		if ((found = check_mask(sc, hay, p, mask, &spent, &rest)) !=
		    NULL)
			return found;
		if (rest != NULL)
			break;
	}
	return finish(sc, hay, n, rest != NULL ? rest : hay + i);
}

__attribute__((target("sse2"))) static const unsigned char *
find_last_sse2(const struct scan *sc, const unsigned char *hay, size_t n,
    size_t *left)
{
	const __m128i first = _mm_set1_epi8((char)sc->needle[0]);
	const __m128i last = _mm_set1_epi8((char)sc->needle[sc->len - 1]);
	const unsigned char *found;
	size_t i, starts, spent = 0;

	*left = 0;
	if (sc->len == 1 || n < sc->len)
		return find_last_none(sc, hay, n, left);
	starts = n - sc->len + 1;
	for (i = starts; i >= 16; ) {
		i -= 16;
		found = check_mask_last(sc, hay, starts, hay + i,
		    (unsigned)_mm_movemask_epi8(both_ends_sse2(hay + i,
		    sc->len, first, last)), &spent, left);
		if (found != NULL || *left != 0)
			return found;
	}
	*left = i;
	return NULL;
}
#endif

void
scan_init(struct scan *sc, const unsigned char *needle, size_t len)
{
	const char *forced = getenv("SHM_FIND_METHOD");

	sc->needle = needle;
	sc->len = len;
	sc->find = find_memmem;
	sc->find_last = find_last_none;
	if (forced != NULL && strcmp(forced, "memmem") == 0)
		return;
#if SCAN_X86
	if (__builtin_cpu_supports("sse2")) {
		sc->find = find_sse2;
		sc->find_last = find_last_sse2;
	}
	if ((forced == NULL || strcmp(forced, "sse2") != 0) &&
	    __builtin_cpu_supports("avx2")) {
		sc->find = find_avx2;
		sc->find_last = find_last_avx2;
	}
#endif
}

const unsigned char *
scan_find(const struct scan *sc, const unsigned char *hay, size_t n)
{
	return sc->find(sc, hay, n);
}

const unsigned char *
scan_find_last(const struct scan *sc, const unsigned char *hay, size_t n,
    size_t *left)
{
	return sc->find_last(sc, hay, n, left);
}
