/* hex.h - hex text to bytes, for -x arguments */
#ifndef SHM_HEX_H
#define SHM_HEX_H

#include <stddef.h>
#include <stdio.h>

/* The value of one hex digit, either case; -1 if c is none. */
int	hex_digit(int c);

/*
 * Decodes pairs of hex digits; white space of any kind may separate
 * them ("de ad be ef", or xxd -p's lines) and an optional "0x" may
 * lead.  out needs strlen(text) / 2 bytes.  Returns NULL, or why the
 * text is not hex with *where the offset in text of the culprit.
 */
const char *hex_decode(const char *text, unsigned char *out, size_t *len,
    size_t *where);

/*
 * The same into a new buffer (*out, for the caller to free); a usage
 * error naming WHAT ("-x") and the character at fault otherwise.
 */
int	hex_bytes(const char *what, const char *text, unsigned char **out,
	    size_t *len);

/* The n bytes at b as pairs of lowercase hex digits, no space. */
void	hex_print(FILE *, const unsigned char *b, size_t n);

#endif
