/* number.h - the one parser for sizes, offsets, lengths and integers */
#ifndef SHM_NUMBER_H
#define SHM_NUMBER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Each returns NULL on success, or a short reason ("not a number",
 * "too large") that the caller puts into its error line.
 */

/* An unsigned amount: decimal or 0x hex, then an optional dd suffix. */
const char *number_size(const char *s, uint64_t *out);

/*
 * A testing aid's size from the environment: VAR's value if it is a
 * size within [min, max], else dflt (unset, malformed or out of range).
 */
uint64_t number_env_size(const char *var, uint64_t min, uint64_t max,
    uint64_t dflt);

/*
 * A signed amount with the same syntax; *sign is '+', '-' or 0 when
 * none was written, so callers can tell "+4" (relative) from "4".
 */
const char *number_signed(const char *s, char *sign, int64_t *out);

/*
 * An offset into a segment of `size` bytes: negative counts back from
 * the end.  The result lies in [0, size]; anything else is an error.
 */
const char *number_offset(const char *s, uint64_t size, uint64_t *out);

/*
 * A plain integer without suffix, as struct values are written: sign,
 * decimal or 0x hex.  The magnitude covers the whole uint64_t range.
 */
const char *number_integer(const char *s, bool *negative,
    uint64_t *magnitude);

/*
 * A time in seconds, as timeout(1) takes it: decimal with an optional
 * fraction ("0.5", "2"), 0 to a week.
 */
const char *number_seconds(const char *s, double *out);

/*
 * A duration in whole seconds: digits, then s, m, h or d (seconds if
 * none): "30s", "10m", "2h", "7d"; at most ten years.
 */
const char *number_duration(const char *s, uint64_t *out);

/* A file mode in octal, as chmod takes it: 0 to 07777. */
const char *number_mode(const char *s, unsigned *mode);

#endif
